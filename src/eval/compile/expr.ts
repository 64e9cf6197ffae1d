// Expressions to closures. Names were resolved by the checker, so every variable is a slot
// read, every global a precomputed path, every call a direct function reference.
import type * as A from "../../lang/ast.js";
import { EvalError } from "../errors.js";
import { binaryOp, field, index, iterate } from "../ops.js";
import { equals, newObject, SetValue, typeName, type Value } from "../value.js";
import { combine, constant, fromGen, fromScalar, holdsSomehow, type Compiled } from "./compiled.js";
import type { Compiler } from "./compiler.js";

export function compileExpr(c: Compiler, e: A.Expr): Compiled {
  switch (e.kind) {
    case "scalar":
      return constant(e.value);
    case "paren":
      return compileExpr(c, e.expr);
    case "var":
      return compileVar(c, e);
    case "ref":
      return compileRef(c, e);
    case "call":
      return c.call(
        e,
        e.args.map((a) => compileExpr(c, a)),
      );
    case "binary":
      return compileBinary(c, e);
    case "not": {
      const operand = compileExpr(c, e.operand);
      return fromScalar((f) => !holdsSomehow(operand, f));
    }
    case "neg":
      return combine([compileExpr(c, e.operand)], ([v]) => {
        if (typeof v !== "number") throw new EvalError("type_error", `cannot negate ${typeName(v!)}`, e.loc);
        return -v;
      });
    case "array":
      return combineOrConstant(
        e.items.map((i) => compileExpr(c, i)),
        (vs) => vs,
      );
    case "set":
      return combineOrConstant(
        e.items.map((i) => compileExpr(c, i)),
        (vs) => new SetValue(vs),
      );
    case "object":
      return compileObject(c, e);
    case "arrayCompr":
    case "setCompr":
      return compileCollectionCompr(c, e);
    case "objectCompr":
      return compileObjectCompr(c, e);
  }
}

/** Folds collections of constants at compile time (schemas, lookup tables in policies). */
function combineOrConstant(parts: Compiled[], build: (vs: Value[]) => Value): Compiled {
  if (parts.every((p) => p.constant !== undefined)) {
    try {
      return constant(build(parts.map((p) => p.constant!)));
    } catch (err) {
      // A constant that cannot be built (e.g. a number as object key) fails when evaluated, not when compiled.
      if (!(err instanceof EvalError)) throw err;
    }
  }
  return combine(parts, build);
}

function compileVar(c: Compiler, v: A.Var): Compiled {
  const res = c.res.vars.get(v);
  if (!res) throw new Error(`internal: unresolved variable '${v.name}'`);
  switch (res.kind) {
    case "local":
    case "wildcard": {
      const slot = res.slot;
      return fromScalar((f) => f.s[slot]);
    }
    case "input":
      return c.documents.input(res.path);
    case "data":
      return c.documents.data(res.path);
  }
}

function compileRef(c: Compiler, r: A.Ref): Compiled {
  // The static prefix of an input/data reference is resolved once, here.
  let base: Compiled;
  let parts = r.path;
  const headRes = r.head.kind === "var" ? c.res.vars.get(r.head) : undefined;
  if (headRes?.kind === "input" || headRes?.kind === "data") {
    // `.name` extends the static path; so does `["name"]` where it picks a member of a package
    // (as the checker reads it). Past a rule, `["name"]` keeps index semantics (sets, arrays).
    const path = [...headRes.path];
    let i = 0;
    for (; i < parts.length; i++) {
      const p = parts[i]!;
      const name = p.kind === "field" ? p.name : staticName(p);
      if (name === null || (p.kind === "index" && (headRes.kind === "input" || !c.documents.isPackage(path)))) break;
      path.push(name);
    }
    base = headRes.kind === "input" ? c.documents.input(path) : c.documents.data(path);
    parts = parts.slice(i);
  } else {
    base = compileExpr(c, r.head);
  }
  for (const p of parts) base = compilePart(c, base, p);
  return base;
}

function staticName(p: A.IndexPart): string | null {
  return p.index.kind === "scalar" && typeof p.index.value === "string" ? p.index.value : null;
}

function compilePart(c: Compiler, base: Compiled, p: A.RefPart): Compiled {
  if (p.kind === "field") {
    const name = p.name;
    const b = base.scalar;
    if (b) return fromScalar((f) => field(b(f), name));
    return fromGen((f, k) =>
      base.gen(f, (v) => {
        const x = field(v, name);
        return x !== undefined && k(x);
      }),
    );
  }
  const binding = bindingSlot(c, p.index);
  if (binding !== null) {
    // `xs[i]` with `i` unbound: iterate, binding the key.
    const loc = p.loc;
    return fromGen((f, k) =>
      base.gen(f, (coll) => {
        // Iterating a scalar is a type error (as for `some x in`): `roles: "admin"` must not pass or vanish.
        return iterate(
          coll,
          loc,
          () => f.ctx.budget.step(),
          (key, value) => {
            f.s[binding] = key;
            return k(value);
          },
        );
      }),
    );
  }
  const idx = compileExpr(c, p.index);
  return combine([base, idx], ([v, key]) => index(v, key!));
}

/** The slot an index binds, when the index is a not-yet-bound variable or `_`. */
function bindingSlot(c: Compiler, e: A.Expr): number | null {
  if (e.kind !== "var") return null;
  const res = c.res.vars.get(e);
  if (res?.kind === "wildcard") return res.slot;
  if (res?.kind === "local" && res.binds) return res.slot;
  return null;
}

function compileBinary(c: Compiler, e: A.Binary): Compiled {
  const left = compileExpr(c, e.left);
  const right = compileExpr(c, e.right);
  if (e.op === "or") return fromScalar((f) => holdsSomehow(left, f) || holdsSomehow(right, f));
  if (e.op === "and") return fromScalar((f) => holdsSomehow(left, f) && holdsSomehow(right, f));
  const op = binaryOp(e.op, e.loc);
  if (left.scalar && right.scalar) {
    const l = left.scalar;
    const r = right.scalar;
    return fromScalar((f) => {
      const a = l(f);
      if (a === undefined) return undefined;
      const b = r(f);
      return b === undefined ? undefined : op(a, b);
    });
  }
  return combine([left, right], ([a, b]) => op(a!, b!));
}

export const isComparison = (op: A.BinaryOp): boolean =>
  op === "==" || op === "!=" || op === "<" || op === "<=" || op === ">" || op === ">=" || op === "in";

function compileObject(c: Compiler, e: A.ObjectLit): Compiled {
  const parts: Compiled[] = [];
  for (const en of e.entries) parts.push(compileExpr(c, en.key), compileExpr(c, en.value));
  const build = (vs: Value[]): Value => {
    const o = newObject();
    for (let i = 0; i < vs.length; i += 2) o[objectKey(vs[i]!, e.entries[i / 2]!.key.loc)] = vs[i + 1]!;
    return o;
  };
  return combineOrConstant(parts, build);
}

/** Object keys are strings; anything else is an error rather than a silent conversion. */
export function objectKey(k: Value, loc: A.Loc): string {
  if (typeof k !== "string") throw new EvalError("type_error", `object keys must be strings, not ${typeName(k)}`, loc);
  return k;
}

function compileCollectionCompr(c: Compiler, e: A.ArrayCompr | A.SetCompr): Compiled {
  const body = c.query(e.body);
  const term = compileExpr(c, e.term);
  const asSet = e.kind === "setCompr";
  return fromScalar((f) => {
    const out: Value[] = [];
    body.run(f, () => {
      term.gen(f, (v) => {
        f.ctx.budget.step();
        out.push(v);
        return false;
      });
      return false;
    });
    return asSet ? new SetValue(out) : out;
  });
}

function compileObjectCompr(c: Compiler, e: A.ObjectCompr): Compiled {
  const body = c.query(e.body);
  const pair = combine([compileExpr(c, e.key), compileExpr(c, e.value)], (kv) => kv);
  return fromScalar((f) => {
    const out = newObject();
    body.run(f, () =>
      pair.gen(f, (kv) => {
        f.ctx.budget.step();
        const [k, v] = kv as [Value, Value];
        const key = objectKey(k, e.key.loc);
        const prev = out[key]; // null prototype: only own keys
        if (prev !== undefined && !equals(prev, v)) {
          throw new EvalError(
            "conflict",
            `object comprehension produced two values for key ${JSON.stringify(key)}`,
            e.loc,
          );
        }
        out[key] = v;
        return false;
      }),
    );
    return out;
  });
}
