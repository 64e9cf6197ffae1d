// Bodies to closures. A body is a conjunction; literals with at most one solution run as plain
// checks in sequence, and only iterating literals use continuation passing.
import type * as A from "../../lang/ast.js";
import type { Frame, Scalar, V } from "../context.js";
import { iterate } from "../ops.js";
import type { Value } from "../value.js";
import type { Compiled } from "./compiled.js";
import type { Compiler } from "./compiler.js";
import { compileExpr, isComparison } from "./expr.js";
import { compileWith } from "./with.js";

export interface Query {
  /** Calls `k` for every solution of the body; returns true when `k` asked to stop. */
  readonly run: (f: Frame, k: () => boolean) => boolean;
  /** Set when the body has at most one solution: runs it and says whether it held. */
  readonly det: ((f: Frame) => boolean) | null;
}

/** A literal: either a check with at most one solution, or a generator of solutions. */
export type Step =
  | { readonly det: (f: Frame) => boolean; readonly gen?: undefined }
  | { readonly gen: (f: Frame, k: () => boolean) => boolean; readonly det?: undefined };

export function compileQuery(c: Compiler, body: A.Body): Query {
  const steps: Step[] = [];
  for (const lit of body.literals) {
    if (lit.kind === "someDecl") continue; // declarations do nothing at run time
    let step = compileLiteral(c, lit);
    // Tracing sits inside `with`, so a failure report sees the replaced input and data.
    if (c.instrument) step = traced(c, lit, step);
    if (lit.with.length > 0) step = compileWith(c, lit.with, step);
    steps.push(step);
  }
  return compose(steps);
}

export function compose(steps: readonly Step[]): Query {
  if (steps.every((s) => s.det)) {
    const dets = steps.map((s) => s.det!);
    const det =
      dets.length === 0
        ? () => true
        : dets.length === 1
          ? dets[0]!
          : (f: Frame) => {
              for (let i = 0; i < dets.length; i++) if (!dets[i]!(f)) return false;
              return true;
            };
    return { det, run: (f, k) => (det(f) ? k() : false) };
  }
  let run: Query["run"] = (_f, k) => k();
  for (let i = steps.length - 1; i >= 0; i--) {
    const next = run;
    const step = steps[i]!;
    if (step.det) {
      const det = step.det;
      run = (f, k) => (det(f) ? next(f, k) : false);
    } else {
      const gen = step.gen;
      run = (f, k) => gen(f, () => next(f, k));
    }
  }
  return { det: null, run };
}

/** Whether the body has at least one solution. */
export function holds(q: Query, f: Frame): boolean {
  return q.det ? q.det(f) : q.run(f, () => true);
}

function compileLiteral(c: Compiler, lit: Exclude<A.Literal, A.SomeDecl>): Step {
  switch (lit.kind) {
    case "exprLiteral":
      return accepting(compileExpr(c, lit.expr), (_f, v) => v !== false);
    case "assign": {
      const x = compileExpr(c, lit.value);
      if (lit.target.kind === "array") return accepting(x, destructure(c, lit.target));
      const slot = c.slotOf(lit.target);
      return accepting(x, (f, v) => {
        f.s[slot] = v;
        return true;
      });
    }
    case "someIn": {
      const domain = compileExpr(c, lit.domain);
      const keySlot = lit.key ? c.slotOf(lit.key) : -1;
      const valueSlot = c.slotOf(lit.value);
      const loc = lit.domain.loc;
      return { gen: (f, k) => domain.gen(f, (coll) => bindEach(f, coll, loc, keySlot, valueSlot, k)) };
    }
    case "every":
      return compileEvery(c, lit);
  }
}

/**
 * A literal that holds once for each value of `x` that `accept` takes (accept may bind slots):
 * a plain check when `x` has at most one value, a generator otherwise.
 */
function accepting(x: Compiled, accept: (f: Frame, v: Value) => boolean): Step {
  const s = x.scalar;
  if (s) {
    return {
      det: (f) => {
        const v = s(f);
        return v !== undefined && accept(f, v);
      },
    };
  }
  return { gen: (f, k) => x.gen(f, (v) => accept(f, v) && k()) };
}

/** `[a, _, c] := value`: takes arrays of exactly that length, binding each element. */
function destructure(c: Compiler, pattern: A.ArrayLit): (f: Frame, v: Value) => boolean {
  const slots = pattern.items.map((v) => c.slotOf(v as A.Var));
  return (f, v) => {
    if (!Array.isArray(v) || v.length !== slots.length) return false;
    for (let i = 0; i < slots.length; i++) f.s[slots[i]!] = v[i] as Value;
    return true;
  };
}

/** `every k, v in c { body }`: holds when the body holds for every element (vacuously for none). */
function compileEvery(c: Compiler, lit: A.Every): Step {
  const body = compileQuery(c, lit.body);
  const keySlot = lit.key ? c.slotOf(lit.key) : -1;
  const valueSlot = c.slotOf(lit.value);
  const loc = lit.domain.loc;
  return accepting(
    compileExpr(c, lit.domain),
    (f, coll) => !bindEach(f, coll, loc, keySlot, valueSlot, () => !holds(body, f)),
  );
}

/** Iterates a collection, binding each key (unless keySlot is -1) and value; stops when `each` says so. */
function bindEach(f: Frame, coll: Value, loc: A.Loc, keySlot: number, valueSlot: number, each: () => boolean): boolean {
  return iterate(
    coll,
    loc,
    () => f.ctx.budget.step(),
    (key, value) => {
      if (keySlot >= 0) f.s[keySlot] = key;
      f.s[valueSlot] = value;
      return each();
    },
  );
}

/** Instrumented literal: tells the tracer when it has no solution, with a comparison's operands. */
function traced(c: Compiler, lit: A.Literal, step: Step): Step {
  const text = c.literalText(lit);
  const loc = lit.loc;
  const operands = comparisonOperands(c, lit);
  const failed = (f: Frame): void => f.ctx.trace?.literalFailed(loc, text, operands ? operands(f) : null);
  if (step.det) {
    const det = step.det;
    return {
      det: (f) => {
        f.ctx.trace?.hit(loc);
        const ok = det(f);
        if (!ok) failed(f);
        return ok;
      },
    };
  }
  const gen = step.gen;
  return {
    gen: (f, k) => {
      f.ctx.trace?.hit(loc);
      let any = false;
      const stop = gen(f, () => {
        any = true;
        return k();
      });
      if (!any) failed(f);
      return stop;
    },
  };
}

/**
 * For a literal that is a comparison of two single-valued sides, reads both sides again after it
 * failed (evaluation has no side effects), so a report can say "expected X, got Y".
 */
function comparisonOperands(c: Compiler, lit: A.Literal): ((f: Frame) => readonly [V, V]) | null {
  if (lit.kind !== "exprLiteral" || lit.expr.kind !== "binary" || !isComparison(lit.expr.op)) return null;
  const left = compileExpr(c, lit.expr.left).scalar;
  const right = compileExpr(c, lit.expr.right).scalar;
  if (!left || !right) return null;
  const read = (side: Scalar, f: Frame): V => {
    try {
      return side(f);
    } catch {
      return undefined; // the report shows what it can; the literal's own outcome already stands
    }
  };
  return (f) => [read(left, f), read(right, f)];
}
