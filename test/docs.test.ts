// The documentation promises: every builtin appears in the language reference and in
// docs/builtins.md, and every checker code in docs/errors.md.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { builtins } from "../src/eval/builtins/index.js";
import { codes } from "../src/lang/diagnostics.js";

const read = (f: string) => readFileSync(new URL(`../docs/${f}`, import.meta.url), "utf8");

describe("docs", () => {
  it("language.md names every builtin", () => {
    const doc = read("language.md");
    expect([...builtins.keys()].filter((n) => !doc.includes("`" + n + "`"))).toEqual([]);
  });

  it("errors.md lists every diagnostic code", () => {
    const doc = read("errors.md");
    expect(Object.values(codes).filter((c) => !doc.includes(`| ${c} |`))).toEqual([]);
  });
});
