// The shapes compiled closures share: one Ctx per evaluation, one Frame per rule definition call.
import type { BuiltinContext } from "./builtins/types.js";
import { EvalError } from "./errors.js";
import type { Tracer } from "./trace.js";
import type { Value } from "./value.js";

/** A value, or `undefined` when the expression has no value. */
export type V = Value | undefined;

/** Memo slot marking a rule that was evaluated and is undefined. */
export const UNDEFINED_RESULT: unique symbol = Symbol("undefined");
export type MemoEntry = Value | typeof UNDEFINED_RESULT | undefined;

/** Replacements installed by `with` for the duration of one literal. */
export interface Mocks {
  readonly builtins: ReadonlyMap<string, Mock>;
  readonly functions: ReadonlyMap<string, Mock>;
  /** Rule values replaced by `with data.<rule> as v`, by rule-group index (kept by nested `with`). */
  readonly rules: ReadonlyMap<number, Value>;
}

/** A function replaced by a constant result or by another function. */
export type Mock =
  | { readonly kind: "value"; readonly value: Value }
  | { readonly kind: "call"; readonly call: (ctx: Ctx, args: readonly Value[]) => V };

export interface Limits {
  /** Iterations, rule evaluations and function calls allowed for one decision. */
  readonly maxSteps: number;
  /** Wall-clock limit for one decision, in milliseconds. */
  readonly timeoutMs: number;
}

export const defaultLimits: Limits = { maxSteps: 10_000_000, timeoutMs: 500 };

/** How often (in steps) the clock is read. */
const CLOCK_INTERVAL = 4096;

export interface Ctx {
  readonly input: V;
  readonly data: Value;
  /** Results of complete rules for this evaluation, by rule-group index. */
  readonly memo: MemoEntry[];
  readonly mocks: Mocks | null;
  readonly trace: Tracer | null;
  readonly builtin: BuiltinContext;
  readonly budget: Budget;
}

/** Shared by a Ctx and every Ctx derived from it by `with`. */
export class Budget {
  /** Steps in the current interval, and those left before it ends. */
  private interval: number;
  private untilCheck: number;
  private used = 0;
  private readonly deadline: number;

  constructor(private readonly limits: Limits) {
    this.deadline = Date.now() + limits.timeoutMs;
    this.interval = this.untilCheck = this.nextInterval();
  }

  /** Counts one step; throws when the decision has used its budget. */
  step(): void {
    if (--this.untilCheck > 0) return;
    this.used += this.interval;
    if (this.used > this.limits.maxSteps) {
      throw new EvalError("budget_exceeded", `evaluation exceeded ${this.limits.maxSteps} steps`);
    }
    if (Date.now() > this.deadline) {
      throw new EvalError("budget_exceeded", `evaluation exceeded its time limit of ${this.limits.timeoutMs} ms`);
    }
    this.interval = this.untilCheck = this.nextInterval();
  }

  /** The clock is read every CLOCK_INTERVAL steps; an interval also ends just past the step limit. */
  private nextInterval(): number {
    return Math.max(1, Math.min(CLOCK_INTERVAL, this.limits.maxSteps + 1 - this.used));
  }
}

/** The locals of one running rule definition, function call or test. */
export interface Frame {
  ctx: Ctx;
  readonly s: V[];
}

/** An expression with at most one value. */
export type Scalar = (f: Frame) => V;
/** An expression that may have many values (iteration); calls `k` per value, stops when `k` returns true. */
export type Gen = (f: Frame, k: (v: Value) => boolean) => boolean;
