// src/lang and src/eval (and the library entry src/index.ts) must run in a browser: no Node
// built-ins, no `process`. Node-only code lives behind src/node.ts, src/cli, src/server.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";

const root = join(import.meta.dirname, "..", "src");

function* files(dir: string): Generator<string> {
  for (const name of readdirSync(dir)) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) yield* files(full);
    else if (name.endsWith(".ts")) yield full;
  }
}

describe("browser-safe core", () => {
  const core = [...files(join(root, "lang")), ...files(join(root, "eval")), join(root, "index.ts")];
  it.each(core.map((f) => [f.slice(root.length + 1), f]))("%s uses no Node APIs", (_name, file) => {
    const text = readFileSync(file, "utf8");
    expect(text).not.toMatch(/from\s+"node:|require\(|\bprocess\.|from\s+"(fs|path|crypto|os|child_process)"/);
    // Imports stay inside the core (or go to browser-safe packages).
    for (const m of text.matchAll(/from\s+"(\.[^"]+)"/g)) {
      expect(m[1], `${file} imports ${m[1]}`).not.toMatch(/(^|\/)(node|cli|server|testing)(\/|\.js$)/);
    }
  });
});
