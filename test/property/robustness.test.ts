// (e) Evaluating a checked policy never throws a JavaScript exception: every failure is a
// structured error in the decision, for hostile inputs (hostile keys, prototype chains, deep
// nesting, odd numbers and strings), hostile base data and odd query paths.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { Decision, Policy } from "../../src/index.js";
import { ReferenceInterpreter } from "../reference/interpreter.js";
import { dataArb, deepArb, hostileKeyArb, inputArb, jsonArb, nested, policyArb } from "./generators.js";
import { compileGenerated, replayPath, runs, seed, sourcesText, timeoutFor } from "./harness.js";

const numRuns = runs(300, 0.5);

const errorCodes = new Set([
  "conflict",
  "type_error",
  "builtin_error",
  "budget_exceeded",
  "division_by_zero",
  "with_error",
]);

/** Rebuilds some objects of a document with a prototype that carries extra (inherited) members. */
function withPrototypes(doc: unknown, proto: object, every: number, counter = { n: 0 }): unknown {
  if (Array.isArray(doc)) return doc.map((x) => withPrototypes(x, proto, every, counter));
  if (doc === null || typeof doc !== "object") return doc;
  const crafted = counter.n++ % every === 0;
  const out: Record<string, unknown> = crafted ? Object.create(proto) : JSON.parse("{}");
  for (const k of Object.keys(doc)) {
    Object.defineProperty(out, k, {
      value: withPrototypes((doc as Record<string, unknown>)[k], proto, every, counter),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

const protoArb = fc
  .dictionary(fc.oneof(hostileKeyArb, fc.constantFrom("isAdmin", "roles", "user", "items", "name")), jsonArb, {
    maxKeys: 4,
  })
  .map((members) => {
    const proto = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(members)) proto[k] = v;
    return proto;
  });

/** JSON text with `__proto__` keys, parsed: the keys are own properties of the parsed objects. */
const protoKeyTextArb = fc
  .tuple(jsonArb, jsonArb)
  .map(([a, b]) =>
    JSON.parse(
      `{"__proto__": {"isAdmin": true, "x": ${JSON.stringify(a)}}, "user": {"__proto__": ${JSON.stringify(b)}, ` +
        `"constructor": {"prototype": {"isAdmin": true}}}, "items": {"__proto__": [1, 2]}}`,
    ),
  );

const hostileInputArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 4, arbitrary: inputArb },
  { weight: 2, arbitrary: jsonArb },
  { weight: 2, arbitrary: protoKeyTextArb },
  {
    weight: 2,
    arbitrary: fc.tuple(inputArb, protoArb, fc.integer({ min: 1, max: 3 })).map(([i, p, n]) => withPrototypes(i, p, n)),
  },
  { weight: 1, arbitrary: deepArb.map((deep) => ({ user: deep, items: deep, deep })) },
  // Deeper than the engine accepts for base data (1000 levels): input is not converted, so this
  // checks that deep recursion becomes a structured error rather than a RangeError.
  {
    weight: 1,
    arbitrary: fc.constantFrom(2000, 5000).map((n) => ({ deep: nested(n, 1, ["a"]), items: nested(n, 1) })),
  },
  { weight: 1, arbitrary: fc.constantFrom(undefined, null, 0, "", [], true) },
);

const pathSegment = fc.oneof(hostileKeyArb, fc.constantFrom("p", "q", "lib", "sub", "allow", "base", "data", ""));

function checkDecision(d: Decision, what: string): void {
  if (typeof d.defined !== "boolean") throw new Error(`decision without 'defined' for ${what}`);
  if (d.errors) {
    for (const e of d.errors) {
      if (!errorCodes.has(e.code)) throw new Error(`unexpected error ${e.code} (${e.message}) for ${what}`);
      if (typeof e.message !== "string") throw new Error(`error without message for ${what}`);
    }
    if (d.defined) throw new Error(`decision is both defined and an error for ${what}`);
  }
  if (d.defined) {
    try {
      JSON.stringify(d.result);
    } catch (err) {
      // Deep results may exceed the stack of JSON.stringify; the engine produced them without throwing.
      if (!(err instanceof RangeError)) throw err;
    }
  }
}

function evaluateAll(policy: Policy, paths: readonly (readonly string[])[], input: unknown, context: string): void {
  for (const path of paths) {
    let d: Decision;
    try {
      d = policy.evaluate(path, input);
    } catch (err) {
      throw new Error(`evaluate(${JSON.stringify(path)}) threw ${String(err)}\n${context}`);
    }
    checkDecision(d, `${JSON.stringify(path)}\n${context}`);
  }
}

describe("(e) evaluation never throws", () => {
  it(
    "on hostile inputs, hostile base data and odd query paths",
    () => {
      const cases = policyArb().chain((p) =>
        fc.tuple(
          fc.constant(p),
          fc.oneof(
            dataArb(p),
            deepArb.map((deep) => ({ base: { users: deep, nums: deep } })),
          ),
          hostileInputArb,
          fc.array(fc.array(pathSegment, { maxLength: 4 }), { maxLength: 4 }),
        ),
      );
      fc.assert(
        fc.property(cases, ([p, data, input, extraPaths]) => {
          const { policy, modules } = compileGenerated(p, data);
          const paths = [...new ReferenceInterpreter(modules).documentPaths(), ...extraPaths];
          const context = `input: ${safeText(input)}\n${sourcesText(p)}`;
          evaluateAll(policy, paths, input, context);
          for (const text of ["", "data", "/", "data.", "..", "a/b/c", "__proto__.constructor", "data/__proto__"]) {
            checkDecision(policy.evaluate(text, input), `path ${JSON.stringify(text)}\n${context}`);
          }
        }),
        { seed: seed(0x5eed_e), numRuns, ...replayPath() },
      );
    },
    timeoutFor(numRuns, 100),
  );

  it("explains deep documents with a structured error instead of overflowing the stack", () => {
    const { policy } = compileGenerated(
      {
        modules: [],
        packages: [["p"]],
        ruleNames: ["r"],
        sources: [
          {
            file: "deep.verdict",
            source: "package p\n\nr := input.deep\n\ns := input.deep == input.other\n\nt := {input.deep}\n",
          },
        ],
      },
      {},
    );
    for (const depth of [100, 1000, 10_000]) {
      const input = { deep: nested(depth, 1), other: nested(depth, 1) };
      for (const path of ["p.r", "p.s", "p.t", "p"]) {
        const d = policy.evaluate(path, input);
        checkDecision(d, `${path} at depth ${depth}`);
        if (depth <= 1000) expect(d.errors, `${path} at depth ${depth}`).toBeUndefined();
      }
    }
  });
});

function safeText(x: unknown): string {
  try {
    const s = JSON.stringify(x);
    return s === undefined ? "undefined" : s.length > 2000 ? s.slice(0, 2000) + "..." : s;
  } catch {
    return "(too deep to print)";
  }
}
