// Runs every conformance case in test/cases/**/*.yaml (schema: test/cases/README.md).
import { readdirSync, readFileSync, statSync } from "node:fs";
import { join, relative } from "node:path";
import { describe, expect, it } from "vitest";
import YAML from "yaml";
import { compile } from "../src/index.js";
import { nodePlatform } from "../src/node/platform.js";

interface Case {
  name: string;
  policy: string | string[];
  query: string;
  input?: unknown;
  data?: unknown;
  now_ns?: number;
  result?: unknown;
  undefined?: true;
  error?: { code: string; message?: string };
}

const root = join(import.meta.dirname, "cases");

function* caseFiles(dir: string): Generator<string> {
  for (const name of readdirSync(dir).sort()) {
    const full = join(dir, name);
    if (statSync(full).isDirectory()) yield* caseFiles(full);
    else if (name.endsWith(".yaml")) yield full;
  }
}

/** Plain JSON, so null-prototype objects compare equal to expectations. */
const plain = (v: unknown): unknown => (v === undefined ? undefined : JSON.parse(JSON.stringify(v)));

function runCase(c: Case, file: string): void {
  const expectations = ["result", "undefined", "error"].filter((k) => k in c);
  expect(expectations, `case must have exactly one of result / undefined / error`).toHaveLength(1);
  const policies = Array.isArray(c.policy) ? c.policy : [c.policy];
  const sources = policies.map((source, i) => ({ file: `${c.name.replace(/\W+/g, "_")}_${i}.verdict`, source }));
  const compiled = compile(sources, { data: c.data ?? {}, platform: nodePlatform });
  const compileErrors = compiled.diagnostics.filter((d) => d.severity === "error");
  if (c.error && /^V\d+$/.test(c.error.code)) {
    const match = compileErrors.find((d) => d.code === c.error!.code);
    expect(
      match,
      `expected compile error ${c.error.code}; got ${JSON.stringify(compileErrors.map((d) => `${d.code} ${d.message}`))}`,
    ).toBeDefined();
    if (c.error.message) expect(match!.message).toContain(c.error.message);
    return;
  }
  expect(
    compileErrors.map((d) => `${d.loc.line}:${d.loc.col} ${d.code} ${d.message}`),
    `in ${file}`,
  ).toEqual([]);
  const decision = compiled.policy!.evaluate(c.query, c.input, c.now_ns === undefined ? {} : { nowNs: c.now_ns });
  if (c.error) {
    const err = decision.errors?.[0];
    expect(err, `expected evaluation error ${c.error.code}, got ${JSON.stringify(decision)}`).toBeDefined();
    expect(err!.code).toBe(c.error.code);
    if (c.error.message) expect(err!.message).toContain(c.error.message);
    expect(decision.defined).toBe(false);
    return;
  }
  expect(decision.errors, JSON.stringify(decision.errors)).toBeUndefined();
  if (c.undefined) {
    expect(decision.defined, `expected undefined, got ${JSON.stringify(decision.result)}`).toBe(false);
  } else {
    expect(decision.defined, "expected a defined result").toBe(true);
    expect(plain(decision.result)).toEqual(c.result);
  }
}

const files = [...caseFiles(root)];

describe("conformance", () => {
  it("has case files", () => expect(files.length).toBeGreaterThan(0));
  for (const file of files) {
    const doc = YAML.parse(readFileSync(file, "utf8")) as { cases: Case[] };
    describe(relative(root, file), () => {
      for (const c of doc.cases) it(c.name, () => runCase(c, file));
    });
  }
});
