// (d) The compiled evaluator agrees with the reference interpreter (test/reference/interpreter.ts)
// on every rule and package of generated policies, for generated inputs and base data: both
// undefined, the same value, or both an error with the same code.
//
// Disagreements that a known engine bug explains (see `knownBugs` in harness.ts) are counted and
// printed instead of failing, unless VERDICT_PROPERTY_STRICT=1.
import fc from "fast-check";
import { afterAll, describe, it } from "vitest";
import { dataArb, inputArb, policyArb, allBugTriggers, noBugTriggers } from "./generators.js";
import {
  compileGenerated,
  describeDisagreement,
  differential,
  includeKnownBugs,
  knownBugHits,
  replayPath,
  runs,
  seed,
  timeoutFor,
} from "./harness.js";

const bugs = includeKnownBugs ? allBugTriggers : noBugTriggers;
const mainRuns = runs(500);
const withRuns = runs(200, 0.4);

function agreement(withPercent: number) {
  const cases = policyArb({ bugs, withPercent }).chain((p) => fc.tuple(fc.constant(p), dataArb(p), inputArb));
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
  afterAll(() => {
    if (knownBugHits.size > 0) {
      const lines = [...knownBugHits].map(([name, n]) => `  ${n} x ${name}`);
      console.log(`disagreements explained by known engine bugs:\n${lines.join("\n")}`);
    }
  });

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
