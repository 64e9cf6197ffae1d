// Per-decision budgets: steps are exact, time is checked regularly, and exceeding either is an
// error (never a value), so callers deny.
import { describe, expect, it } from "vitest";
import { compile } from "../src/index.js";

const { policy } = compile(`package t

n := count([x | some x in input.xs])

pairs := count([1 | some a in input.xs; some b in input.xs])
`);

describe("evaluation limits", () => {
  const xs = (n: number) => Array.from({ length: n }, (_, i) => i);

  it("allows work within the step budget", () => {
    expect(policy!.evaluate("t.n", { xs: xs(40) }, { limits: { maxSteps: 100 } }).result).toBe(40);
  });

  it("stops work beyond the step budget, even far below the clock interval", () => {
    const d = policy!.evaluate("t.n", { xs: xs(1500) }, { limits: { maxSteps: 100 } });
    expect(d.defined).toBe(false);
    expect(d.errors?.[0]).toMatchObject({ code: "budget_exceeded", message: "evaluation exceeded 100 steps" });
  });

  it("stops a long evaluation at its time limit", () => {
    const d = policy!.evaluate("t.pairs", { xs: xs(3000) }, { limits: { timeoutMs: 20 } });
    expect(d.defined).toBe(false);
    expect(d.errors?.[0]?.code).toBe("budget_exceeded");
    expect(d.errors?.[0]?.message).toMatch(/time limit of 20 ms|steps/);
  });
});
