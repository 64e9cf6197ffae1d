// Rule groups to evaluators. Single-value rules and functions OR their definitions together and
// report a conflict when two of them produce different values; set and object rules collect
// every solution. Complete rules are memoized per evaluation.
import type * as A from "../../lang/ast.js";
import type { RuleGroup } from "../../lang/program.js";
import { UNDEFINED_RESULT, type Ctx, type Frame, type V } from "../context.js";
import { EvalError } from "../errors.js";
import type { DefinitionTrace } from "../trace.js";
import { equals, newObject, SetValue, show, type Value } from "../value.js";
import { combine, constant, type Compiled } from "./compiled.js";
import type { Compiler } from "./compiler.js";
import { compileExpr, objectKey } from "./expr.js";
import { indexDefinitions } from "./indexing.js";
import { compileQuery, type Query } from "./query.js";

export type GroupEval = (ctx: Ctx) => V;
export type FunctionEval = (ctx: Ctx, args: readonly Value[]) => V;

/** One branch of a definition: a body (or none) and the value it produces. */
interface Branch {
  readonly loc: A.Loc;
  readonly body: Query | null;
  readonly value: Compiled;
}

/** A definition and its `else` branches, sharing one frame. */
interface Definition {
  readonly loc: A.Loc;
  readonly slots: number;
  readonly params: readonly number[];
  readonly branches: readonly Branch[];
}

const TRUE = constant(true);

/** `mainValue` replaces the compiled head value (set and object rules yield elements or pairs). */
function compileDefinition(c: Compiler, def: A.Rule | A.Func, mainValue?: Compiled): Definition {
  const branch = (loc: A.Loc, body: A.Body | null, value: Compiled): Branch => ({
    loc,
    body: body ? compileQuery(c, body) : null,
    value,
  });
  const valueOf = (e: A.Expr | null): Compiled => (e ? compileExpr(c, e) : TRUE);
  return {
    loc: def.loc,
    slots: c.res.frameSizes.get(def) ?? 0,
    params: def.kind === "function" ? def.params.map((p) => c.slotOf(p)) : [],
    branches: [
      branch(def.loc, def.body, mainValue ?? valueOf(def.value)),
      ...def.elses.map((e) => branch(e.loc, e.body, valueOf(e.value))),
    ],
  };
}

/**
 * Runs a definition's first branch whose body has a solution, calling `onValue` for each value
 * it produces. Returns true when `onValue` asked to stop.
 */
function runBranches(def: Definition, f: Frame, onValue: (v: Value) => boolean): boolean {
  for (let i = 0; i < def.branches.length; i++) {
    const b = def.branches[i]!;
    const trace = f.ctx.trace;
    trace?.hit(b.loc);
    const value = b.value;
    if (b.body?.det && value.scalar) {
      // The common case (a plain body and a single value): no closures on the hot path.
      const v = b.body.det(f) ? value.scalar(f) : undefined;
      if (v === undefined) continue;
      if (i > 0) trace?.elseMatched(b.loc);
      return onValue(v);
    }
    let matched = false;
    const emit = (v: Value): boolean => {
      if (!matched && i > 0) trace?.elseMatched(b.loc);
      matched = true;
      return onValue(v);
    };
    const body = b.body;
    const stop = body ? body.run(f, () => value.gen(f, emit)) : value.gen(f, emit);
    if (stop || matched) return stop;
  }
  return false;
}

/** True when every branch of every definition yields the same constant: the first value decides. */
function uniformConstant(defs: readonly Definition[]): boolean {
  const values = defs.flatMap((d) => d.branches.map((b) => b.value.constant));
  return values.length > 0 && values.every((v) => v !== undefined && equals(v, values[0]!));
}

/** Evaluates value-producing definitions (single-value rules, function calls) into one value. */
function valueOf(
  name: string,
  defs: readonly Definition[],
  uniform: boolean,
  ctx: Ctx,
  args: readonly Value[] | null,
  /** When tracing, each definition's trace is appended here. */
  traces: DefinitionTrace[],
): V {
  let result: V;
  let resultLoc: A.Loc | null = null;
  const trace = ctx.trace;
  for (const d of defs) {
    const f: Frame = { ctx, s: new Array(d.slots) };
    if (args) for (let i = 0; i < d.params.length; i++) f.s[d.params[i]!] = args[i];
    trace?.beginDefinition(d.loc);
    let own: V;
    runBranches(d, f, (v) => {
      if (own === undefined) own = v;
      if (result === undefined) {
        result = v;
        resultLoc = d.loc;
        return uniform;
      }
      if (!equals(result, v)) {
        throw new EvalError("conflict", `'${name}' has conflicting values ${show(result)} and ${show(v)}`, d.loc, [
          { message: `${show(result)} was produced here`, loc: resultLoc! },
        ]);
      }
      return false;
    });
    if (trace) traces.push(trace.endDefinition(own));
    if (uniform && result !== undefined) break;
  }
  return result;
}

export function compileValueGroup(c: Compiler, g: RuleGroup, index: number): GroupEval {
  const defs = g.defs.map((d) => compileDefinition(c, d));
  const uniform = uniformConstant(defs);
  const indexed = indexDefinitions(c, g.defs, defs);
  // Defaults are constants, folded here; one that cannot be built (e.g. a number as object key) fails when used.
  const fallback = g.default ? compileExpr(c, g.default.value).scalar! : undefined;
  return (ctx) => {
    const memo = ctx.memo[index];
    if (memo !== undefined) return memo === UNDEFINED_RESULT ? undefined : memo;
    ctx.budget.step();
    const traces: DefinitionTrace[] = [];
    let v = valueOf(g.key, indexed ? indexed.select(ctx) : defs, uniform, ctx, null, traces);
    const usedDefault = v === undefined && fallback !== undefined;
    if (usedDefault) {
      v = fallback({ ctx, s: [] });
      ctx.trace?.hit(g.default!.loc);
    }
    ctx.trace?.rule(`data.${g.key}`, v, usedDefault, traces);
    ctx.memo[index] = v === undefined ? UNDEFINED_RESULT : v;
    return v;
  };
}

export function compileFunctionGroup(c: Compiler, g: RuleGroup): FunctionEval {
  const defs = g.defs.map((d) => compileDefinition(c, d));
  const uniform = uniformConstant(defs);
  const indexed = indexDefinitions(c, g.defs, defs);
  return (ctx, args) => {
    ctx.budget.step();
    const chosen = indexed ? indexed.select(ctx) : defs;
    if (!ctx.trace) return valueOf(g.key, chosen, uniform, ctx, args, []);
    const traces: DefinitionTrace[] = [];
    const v = valueOf(g.key, chosen, uniform, ctx, args, traces);
    ctx.trace.rule(`data.${g.key}(${args.map(show).join(", ")})`, v, false, traces);
    return v;
  };
}

/** Set (`contains`) and object (`name[k] := v`) rules: the union of every definition's solutions. */
export function compileCollectionGroup(c: Compiler, g: RuleGroup, index: number): GroupEval {
  const defs = g.defs.map((d) => {
    const r = d as A.Rule;
    const element = compileExpr(c, r.value!);
    const value = r.form === "object" ? combine([compileExpr(c, r.key!), element], (kv) => kv) : element;
    return compileDefinition(c, r, value);
  });
  const isObject = g.form === "object";
  const indexed = indexDefinitions(c, g.defs, defs);
  return (ctx) => {
    const memo = ctx.memo[index];
    if (memo !== undefined) return memo === UNDEFINED_RESULT ? undefined : memo;
    ctx.budget.step();
    const set = new SetValue();
    const obj = newObject();
    /** Which definition produced each key, to name both sides of a conflict. */
    const origin = new Map<string, A.Loc>();
    const trace = ctx.trace;
    const traces: DefinitionTrace[] = [];
    for (const d of indexed ? indexed.select(ctx) : defs) {
      const f: Frame = { ctx, s: new Array(d.slots) };
      trace?.beginDefinition(d.loc);
      const produced: Value[] = [];
      runBranches(d, f, (v) => {
        ctx.budget.step();
        if (trace) produced.push(v);
        if (!isObject) {
          set.add(v);
          return false;
        }
        const [k, val] = v as [Value, Value];
        const key = objectKey(k, d.loc);
        const prev = obj[key];
        if (prev !== undefined && !equals(prev, val)) {
          throw new EvalError(
            "conflict",
            `'${g.key}' has conflicting values for key ${JSON.stringify(key)}: ${show(prev)} and ${show(val)}`,
            d.loc,
            [{ message: `${show(prev)} was produced here`, loc: origin.get(key)! }],
          );
        }
        obj[key] = val;
        origin.set(key, d.loc);
        return false;
      });
      if (trace) traces.push(trace.endDefinition(produced.length ? produced : undefined));
    }
    const result: Value = isObject ? obj : set;
    trace?.rule(`data.${g.key}`, result, false, traces);
    ctx.memo[index] = result;
    return result;
  };
}
