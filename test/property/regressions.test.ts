// Engine bugs the property suite found, kept as minimal regression cases: the engine and the
// reference interpreter must both give the documented result. See docs/property-tests.md.
import { describe, expect, it } from "vitest";
import { compile, type SourceFile } from "../../src/index.js";
import { parseModule } from "../../src/lang/parse.js";
import { ReferenceInterpreter, type Outcome } from "../reference/interpreter.js";
import { engineOutcome } from "./harness.js";

interface Case {
  readonly name: string;
  readonly sources: readonly SourceFile[];
  readonly query: string;
  readonly input?: unknown;
  readonly data?: unknown;
  readonly expected: Outcome;
}

const cases: readonly Case[] = [
  {
    // The checker reads `data.t["r"]` as a use of rule t.r (resolve.ts staticDataPath takes
    // constant string indexes), but the compiler reads only `.field` parts statically
    // (compile/expr.ts compileRef), so it builds the whole package document data.t, which
    // contains q itself: unbounded recursion, reported as budget_exceeded "nested too deeply".
    name: "a constant string index into the own package recurses",
    sources: [{ file: "t.verdict", source: 'package t\n\nr := 1\n\nq := data.t["r"]\n' }],
    query: "t.q",
    expected: { kind: "value", value: 1 },
  },
  {
    // Same cause: `data.lib["a"]` evaluates every rule of package lib, so an error in an
    // unrelated rule (b) aborts a decision that only needs lib.a (docs: evaluation is lazy).
    name: "a constant string index into another package evaluates all of its rules",
    sources: [
      { file: "lib.verdict", source: "package lib\n\na := 1\n\nb := 1 / input.z\n" },
      { file: "app.verdict", source: 'package app\n\nr := data.lib["a"]\n' },
    ],
    query: "app.r",
    input: { z: 0 },
    expected: { kind: "value", value: 1 },
  },
  {
    // compile/with.ts derive(): the context of a `with` starts from an empty memo, and rule values
    // replaced by an enclosing `with data.<rule> as ...` live only in the memo, so a nested
    // `with` (here in rule x) silently drops them: y sees r = 1 instead of 5.
    name: "a nested `with` keeps the rule values replaced by an enclosing `with`",
    sources: [
      {
        file: "t.verdict",
        source:
          "package t\n\nr := 1\n\ny if r == 5\n\nx if {\n    y with input.a as 2\n}\n\n" +
          "z if {\n    x with data.t.r as 5\n}\n",
      },
    ],
    query: "t.z",
    input: {},
    expected: { kind: "value", value: true },
  },
];

function engine(c: Case): Outcome {
  const r = compile(c.sources, { data: c.data ?? {} });
  if (!r.policy) throw new Error(r.diagnostics.map((d) => `${d.code} ${d.message}`).join("\n"));
  return engineOutcome(r.policy.evaluate(c.query, c.input));
}

function reference(c: Case): Outcome {
  const r = compile(c.sources, { data: c.data ?? {} });
  return new ReferenceInterpreter(r.modules, { data: c.data ?? {} }).evaluate(c.query, c.input);
}

const strip = (o: Outcome): unknown => (o.kind === "error" ? { kind: o.kind, code: o.code } : o);

describe("regressions found by the property suite", () => {
  for (const c of cases) {
    it(`reference: ${c.name}`, () => {
      expect(strip(reference(c))).toEqual(strip(c.expected));
    });
    it(`engine: ${c.name}`, () => {
      expect(strip(engine(c))).toEqual(strip(c.expected));
    });
  }

  it("engine: a syntax error at the end of a rule has a readable message", () => {
    // `allow := 0 if` (or an unclosed `{`) at the end of the file once gave a V102 message of
    // about 7,400 characters: Chevrotain's list of every token sequence that could follow.
    for (const source of ["package p\n\nallow := 0 if", "package p\n\nallow := 0 if {"]) {
      const d = parseModule(source).diagnostics;
      expect(d.length).toBeGreaterThan(0);
      for (const x of d) expect(x.message.length).toBeLessThan(300);
    }
  });
});
