// Compiles a checked program once into closures: one evaluator per rule group, one per function,
// and cached accessors for data paths. Nothing here runs per decision.
import type * as A from "../../lang/ast.js";
import { formatExpr } from "../../lang/format.js";
import type { CallRes, Program, Resolution, RuleGroup } from "../../lang/program.js";
import type { Builtin } from "../builtins/types.js";
import type { Ctx, V } from "../context.js";
import { BuiltinError, EvalError } from "../errors.js";
import type { Value } from "../value.js";
import { combine, fromScalar, type Compiled } from "./compiled.js";
import { Documents } from "./documents.js";
import { compileQuery, type Query } from "./query.js";
import {
  compileCollectionGroup,
  compileFunctionGroup,
  compileValueGroup,
  type FunctionEval,
  type GroupEval,
} from "./rules.js";

export interface CompilerOptions {
  readonly builtins: ReadonlyMap<string, Builtin>;
  /** Record traces for explanations and test reports (a separate, slower compilation). */
  readonly instrument: boolean;
}

export class Compiler {
  readonly res: Resolution;
  readonly instrument: boolean;
  readonly documents: Documents;
  readonly groups: readonly RuleGroup[];
  private readonly builtins: ReadonlyMap<string, Builtin>;
  private readonly evals: GroupEval[] = [];
  private readonly functions = new Map<string, FunctionEval>();

  constructor(program: Program, options: CompilerOptions) {
    this.res = program.resolution;
    this.instrument = options.instrument;
    this.builtins = options.builtins;
    this.groups = [...program.groups.values()].sort((a, b) => (a.key < b.key ? -1 : 1));
    const evals = this.evals;
    this.documents = new Documents(this.groups, (i, ctx) => evals[i]!(ctx));
    this.groups.forEach((g, i) => {
      if (g.form === "function") this.functions.set(g.key, compileFunctionGroup(this, g));
      else if (g.form === "value") evals[i] = compileValueGroup(this, g, i);
      else evals[i] = compileCollectionGroup(this, g, i);
    });
  }

  get groupCount(): number {
    return this.groups.length;
  }

  slotOf(v: A.Var): number {
    const res = this.res.vars.get(v);
    if (res?.kind === "local" || res?.kind === "wildcard") return res.slot;
    throw new Error(`internal: '${v.name}' is not a local`);
  }

  query(body: A.Body): Query {
    return compileQuery(this, body);
  }

  /** A call site: arguments are evaluated left to right; an undefined argument makes the call undefined. */
  call(e: A.Call, args: Compiled[]): Compiled {
    const res = this.res.calls.get(e);
    if (!res) throw new Error(`internal: unresolved call '${e.name}'`);
    const target = this.callable(res, e.loc);
    if (res.kind === "builtin") {
      const name = res.name;
      // `print` shows undefined arguments instead of making its literal fail (as OPA does).
      if (name === "print") args = args.map((a) => (a.scalar ? fromScalar((f) => a.scalar!(f) ?? "<undefined>") : a));
      return combine(args, (vs, f) => {
        const mock = f.ctx.mocks?.builtins.get(name);
        if (mock) return mock.kind === "value" ? mock.value : mock.call(f.ctx, vs);
        return target(f.ctx, vs);
      });
    }
    const key = res.key;
    return combine(args, (vs, f) => {
      const mock = f.ctx.mocks?.functions.get(key);
      if (mock) return mock.kind === "value" ? mock.value : mock.call(f.ctx, vs);
      return target(f.ctx, vs);
    });
  }

  /** The function a call resolves to, wrapped so builtin argument errors carry the call's location. */
  callable(res: CallRes, loc?: A.Loc): (ctx: Ctx, args: readonly Value[]) => V {
    if (res.kind === "function") {
      const functions = this.functions;
      const key = res.key;
      return (ctx, args) => functions.get(key)!(ctx, args);
    }
    const b = this.builtins.get(res.name);
    if (!b) throw new Error(`internal: unknown builtin '${res.name}'`);
    const { impl, name } = b;
    return (ctx, args) => {
      try {
        return impl(args, ctx.builtin);
      } catch (err) {
        if (err instanceof BuiltinError) throw new EvalError("builtin_error", `${name}: ${err.message}`, loc);
        throw err;
      }
    };
  }

  /** Source-like text of a literal, for explanations. */
  literalText(lit: A.Literal): string {
    const vars = (k: A.Var | null, v: A.Var) => (k ? `${k.name}, ${v.name}` : v.name);
    switch (lit.kind) {
      case "exprLiteral":
        return formatExpr(lit.expr);
      case "assign":
        return `${formatExpr(lit.target)} := ${formatExpr(lit.value)}`;
      case "someDecl":
        return `some ${lit.vars.map((v) => v.name).join(", ")}`;
      case "someIn":
        return `some ${vars(lit.key, lit.value)} in ${formatExpr(lit.domain)}`;
      case "every":
        return `every ${vars(lit.key, lit.value)} in ${formatExpr(lit.domain)} { ... }`;
    }
  }
}
