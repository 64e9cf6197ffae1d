// `with` modifiers (used mostly in tests): run one literal against a modified input, data or
// function table. The modified context gets a fresh memo so no cached rule result leaks across.
import type * as A from "../../lang/ast.js";
import type { WithRes } from "../../lang/program.js";
import type { Ctx, Frame, Mock, Mocks, V } from "../context.js";
import { EvalError } from "../errors.js";
import { getKey, isObject, newObject, type ObjectValue, type Value } from "../value.js";
import type { Compiled } from "./compiled.js";
import type { Compiler } from "./compiler.js";
import { compileExpr } from "./expr.js";
import type { Step } from "./query.js";

type Apply = (ctx: Ctx, f: Frame, draft: Draft) => void;

interface Draft {
  input: V;
  data: Value;
  memo: Map<number, Value>;
  builtins: Map<string, Mock>;
  functions: Map<string, Mock>;
}

export function compileWith(c: Compiler, withs: readonly A.With[], step: Step): Step {
  const applies = withs.map((w) => compileOne(c, w));
  const derive = (f: Frame): Ctx => {
    const ctx = f.ctx;
    const draft: Draft = {
      input: ctx.input,
      data: ctx.data,
      memo: new Map(ctx.mocks?.rules ?? []),
      builtins: new Map(ctx.mocks?.builtins ?? []),
      functions: new Map(ctx.mocks?.functions ?? []),
    };
    for (const apply of applies) apply(ctx, f, draft);
    // Cached rule results depend on what changed, so only replaced rules carry into the new memo.
    const memo = new Array(c.groupCount);
    for (const [i, v] of draft.memo) memo[i] = v;
    const mocks: Mocks | null =
      draft.builtins.size || draft.functions.size || draft.memo.size
        ? { builtins: draft.builtins, functions: draft.functions, rules: draft.memo }
        : null;
    return { ...ctx, input: draft.input, data: draft.data, memo, mocks };
  };
  if (step.det) {
    const det = step.det;
    return {
      det: (f) => {
        const saved = f.ctx;
        f.ctx = derive(f);
        try {
          return det(f);
        } finally {
          f.ctx = saved;
        }
      },
    };
  }
  const gen = step.gen;
  return {
    gen: (f, k) => {
      const saved = f.ctx;
      const inner = derive(f);
      f.ctx = inner;
      try {
        return gen(f, () => {
          // The rest of the body runs without the modification.
          f.ctx = saved;
          try {
            return k();
          } finally {
            f.ctx = inner;
          }
        });
      } finally {
        f.ctx = saved;
      }
    },
  };
}

function compileOne(c: Compiler, w: A.With): Apply {
  const res: WithRes | undefined = c.res.withs.get(w);
  if (!res) throw new Error("internal: unresolved with");
  if ((res.kind === "builtin" || res.kind === "function") && res.replacement) {
    const call = c.callable(res.replacement);
    const mock: Mock = { kind: "call", call };
    return (_ctx, _f, d) =>
      void (res.kind === "builtin" ? d.builtins.set(res.name, mock) : d.functions.set(res.key, mock));
  }
  const value = valueOf(compileExpr(c, w.value), w);
  switch (res.kind) {
    case "builtin":
      return (_ctx, f, d) => void d.builtins.set(res.name, { kind: "value", value: value(f) });
    case "function":
      return (_ctx, f, d) => void d.functions.set(res.key, { kind: "value", value: value(f) });
    case "input":
      return (_ctx, f, d) => void (d.input = replaceAt(d.input, res.path, value(f)));
    case "data": {
      const target = c.documents.mockTarget(res.path);
      if (target.kind === "rule") return (_ctx, f, d) => void d.memo.set(target.index, value(f));
      if (target.kind === "invalid") {
        return () => {
          throw new EvalError("with_error", target.reason, w.target.loc);
        };
      }
      return (_ctx, f, d) => void (d.data = replaceAt(d.data, res.path, value(f)) as Value);
    }
  }
}

/** The replacement value; a `with` whose value is undefined is an error, not a silent no-op. */
function valueOf(x: Compiled, w: A.With): (f: Frame) => Value {
  return (f) => {
    let v: V;
    if (x.scalar) v = x.scalar(f);
    else x.gen(f, (first) => ((v = first), true));
    if (v === undefined) throw new EvalError("with_error", "the `with` value is undefined", w.value.loc);
    return v;
  };
}

/** A copy of `doc` with `value` at `path`, copying only the objects along the path. */
function replaceAt(doc: V, path: readonly string[], value: Value): Value {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const base: ObjectValue = isObject(doc) ? doc : newObject();
  const copy = newObject();
  for (const k of Object.keys(base)) copy[k] = base[k]!;
  copy[head] = replaceAt(getKey(base, head), rest, value);
  return copy;
}
