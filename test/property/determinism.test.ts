// (c) Evaluation is deterministic: the same decision (value, key order, -0, error code, message and
// location) every time, whatever order the keys of input and data were inserted in, whichever
// order paths are queried in, and whether the policy was compiled once or again.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile, type Decision, type Policy } from "../../src/index.js";
import { ReferenceInterpreter } from "../reference/interpreter.js";
import { dataArb, inputArb, policyArb, reorderKeys } from "./generators.js";
import { compileGenerated, relaxedLimits, replayPath, runs, seed, sourcesText, timeoutFor } from "./harness.js";

const numRuns = runs(250, 0.25);

/** Exact text of a decision: keys in their actual order, -0 kept apart from 0. */
function exact(x: unknown): string {
  if (x === undefined) return "undefined";
  if (typeof x === "number" && Object.is(x, -0)) return "-0";
  if (x === null || typeof x !== "object") return JSON.stringify(x);
  if (Array.isArray(x)) return "[" + x.map(exact).join(",") + "]";
  return "{" + Object.keys(x).map((k) => JSON.stringify(k) + ":" + exact((x as Record<string, unknown>)[k])) + "}";
}

function decisions(policy: Policy, paths: readonly (readonly string[])[], input: unknown): string[] {
  return paths.map((p) => exact(policy.evaluate(p, input) satisfies Decision));
}

describe("(c) evaluation is deterministic", () => {
  it(
    "gives the same decisions twice, after reordering keys, in any query order and after recompiling",
    () => {
      const cases = policyArb().chain((p) => fc.tuple(fc.constant(p), dataArb(p), inputArb, fc.nat()));
      fc.assert(
        fc.property(cases, ([p, data, input, rotate]) => {
          const { policy, modules } = compileGenerated(p, data);
          const paths = new ReferenceInterpreter(modules).documentPaths();
          const first = decisions(policy, paths, input);
          const context = (what: string) => `${what}\ninput: ${JSON.stringify(input)}\n${sourcesText(p)}`;

          expect(decisions(policy, paths, input), context("second evaluation differs")).toEqual(first);

          const reversed = [...paths].reverse();
          expect(decisions(policy, reversed, input).reverse(), context("query order matters")).toEqual(first);

          const reordered = compile(p.sources, { data: reorderKeys(data, rotate), limits: relaxedLimits }).policy!;
          expect(decisions(reordered, paths, reorderKeys(input, rotate)), context("key order matters")).toEqual(first);

          const recompiled = compile(p.sources, { data, limits: relaxedLimits }).policy!;
          expect(decisions(recompiled, paths, input), context("recompiling changes decisions")).toEqual(first);

          // Swapping base data in with withData() is the same as compiling with it.
          expect(decisions(policy.withData(reorderKeys(data, rotate + 1)), paths, input)).toEqual(first);
        }),
        { seed: seed(0x5eed_c), numRuns, ...replayPath() },
      );
    },
    timeoutFor(numRuns, 120),
  );
});
