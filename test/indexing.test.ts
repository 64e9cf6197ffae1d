// Rule indexing must never change a result: indexed evaluation agrees with trying every
// definition (the instrumented compilation used by `explain` never indexes).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile } from "../src/index.js";

const methods = ["GET", "POST", "PUT", "DELETE"];
const routes = Array.from({ length: 24 }, (_, i) => ({ method: methods[i % 4]!, path: `/r${i % 7}` }));
const source = [
  "package routes",
  "",
  ...routes.map((r) => `allow if {\n    input.method == "${r.method}"\n    input.path == "${r.path}"\n}\n`),
  // Definitions without the shared guard must still be tried for every input.
  `allow if input.admin == true\n`,
  ...methods.map((m) => `tag contains "${m.toLowerCase()}" if input.method == "${m}"\n`),
  `tag contains "any" if input.path\n`,
  ...methods.map((m, i) => `code := ${i} if input.method == "${m}"\n`),
  `code := 9 if input.method == 1\n`,
].join("\n");

describe("rule indexing", () => {
  const { policy, diagnostics } = compile(source);
  it("compiles", () => expect(diagnostics).toEqual([]));

  it("gives the same answers as trying every definition", () => {
    const input = fc.record(
      {
        method: fc.oneof(fc.constantFrom(...methods, "PATCH"), fc.integer({ min: 0, max: 2 }), fc.constant(null)),
        path: fc.oneof(fc.constantFrom("/r0", "/r3", "/r6", "/x"), fc.constant(false)),
        admin: fc.boolean(),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(input, (inp) => {
        for (const rule of ["allow", "tag", "code"]) {
          const fast = policy!.evaluate(`routes.${rule}`, inp);
          const slow = policy!.evaluate(`routes.${rule}`, inp, { explain: true });
          expect({ defined: fast.defined, result: fast.result, errors: fast.errors }).toEqual({
            defined: slow.defined,
            result: slow.result,
            errors: slow.errors,
          });
        }
      }),
      { seed: 7, numRuns: 400 },
    );
  });

  it("still finds matches and misses", () => {
    expect(policy!.evaluate("routes.allow", { method: "POST", path: "/r1" }).result).toBe(true);
    expect(policy!.evaluate("routes.allow", { method: "GET", path: "/r3" }).defined).toBe(false);
    expect(policy!.evaluate("routes.allow", { admin: true }).result).toBe(true);
    expect(policy!.evaluate("routes.tag", { method: "GET", path: "/" }).result).toEqual(["any", "get"]);
    expect(policy!.evaluate("routes.code", { method: "PUT" }).result).toBe(2);
  });
});
