// (d) The compiled evaluator agrees with the reference interpreter (test/reference/interpreter.ts)
// on every rule and package of generated policies, for generated inputs and base data: both
// undefined, the same value, or both an error with the same code.

import fc from "fast-check";
import { describe, it } from "vitest";
import { dataArb, inputArb, policyArb } from "./generators.js";
import { compileGenerated, describeDisagreement, differential, replayPath, runs, seed, timeoutFor } from "./harness.js";

const mainRuns = runs(500);
const withRuns = runs(200, 0.4);

function agreement(withPercent: number) {
  const cases = policyArb({ withPercent }).chain((p) => fc.tuple(fc.constant(p), dataArb(p), inputArb));
  return fc.property(cases, ([p, data, input]) => {
    const { policy, modules } = compileGenerated(p, data);
    const d = differential(policy, modules, data, input);
    if (d) throw new Error(describeDisagreement(p, data, input, d));
    // Undefined input (no input at all) too.
    const none = differential(policy, modules, data, undefined);
    if (none) throw new Error(describeDisagreement(p, data, undefined, none));
  });
}

describe("(d) compiled evaluator = reference interpreter", () => {
  it(
    "on generated policies, inputs and data",
    () => {
      fc.assert(agreement(8), { seed: seed(0x5eed_d), numRuns: mainRuns, ...replayPath() });
    },
    timeoutFor(mainRuns, 150),
  );

  it(
    "on generated policies that use `with` a lot",
    () => {
      fc.assert(agreement(40), { seed: seed(0x5eed_d + 1), numRuns: withRuns, ...replayPath() });
    },
    timeoutFor(withRuns, 150),
  );
});
