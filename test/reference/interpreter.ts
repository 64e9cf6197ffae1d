// A reference interpreter for Verdict, written from docs/language.md for differential testing.
//
// It walks the AST on every evaluation: no compilation, no indexing, no constant folding, no
// shortcuts. Expressions and bodies are JavaScript generators that yield every solution (a value
// plus the variable bindings made on the way), left to right. It is slow and meant to be easy to
// check against the language reference, not to be fast.
//
// Semantics followed here, beyond what docs/language.md spells out (see docs/property-tests.md):
// - operands and arguments are evaluated left to right; an undefined operand stops the rest;
// - `not`, `and`, `or` and the body of `every` look for one solution only and stop there;
// - every definition of a rule and every solution of its body is evaluated, so an error in a
//   later definition is never hidden by an earlier one that held (no early exit);
// - a rule owns its data path: when it is undefined, base data at that path is hidden both from
//   `data.p.r` and from the package document `data.p`;
// - `x["k"]` means exactly `x.k`, including for data paths (`data.p["r"]` reads only rule `r`);
// - iterating a scalar (including null) is a type_error, for `some ... in` and for `xs[_]` alike;
// - an object literal with a repeated key keeps the last value;
// - `with` runs one literal in a context where input, base data, rule values or functions are
//   replaced; rules are recomputed there, and replacements made by an enclosing `with` stay in
//   force inside a nested one.
import type * as A from "../../src/lang/ast.js";
import { builtins, defaultPlatform, type BuiltinContext } from "../../src/eval/builtins/index.js";
import { BuiltinError, EvalError } from "../../src/eval/errors.js";
import {
  compare,
  newObject,
  SetValue,
  sortedKeys,
  typeName,
  type ObjectValue,
  type Value,
} from "../../src/eval/value.js";

/** An evaluation error of the reference interpreter; `code` uses the engine's error codes. */
export class RefError extends Error {
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
    this.name = "RefError";
  }
}

/** What evaluating a path gives, as plain JSON (sets as sorted arrays, object keys sorted). */
export type Outcome =
  | { readonly kind: "value"; readonly value: unknown }
  | { readonly kind: "undefined" }
  | { readonly kind: "error"; readonly code: string; readonly message: string };

// ---------------------------------------------------------------------------------------------
// Values

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);

const isSetValue = (v: unknown): v is SetValue => v instanceof SetValue;
const isArr = (v: unknown): v is readonly Value[] => Array.isArray(v);
const isObj = (v: unknown): v is ObjectValue =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof SetValue);

/** A caller's JSON document as a value: own enumerable keys only, in null-prototype objects. */
export function fromJSON(doc: unknown): Value {
  if (doc === null || typeof doc === "boolean" || typeof doc === "string") return doc;
  if (typeof doc === "number") {
    if (!Number.isFinite(doc)) throw new TypeError("not a JSON number");
    return doc;
  }
  if (Array.isArray(doc)) return doc.map(fromJSON);
  if (typeof doc === "object") {
    const out = newObject();
    for (const k of Object.keys(doc)) out[k] = fromJSON((doc as Record<string, unknown>)[k]);
    return out;
  }
  throw new TypeError(`not JSON: ${typeof doc}`);
}

/** A value as plain JSON: sets become arrays in canonical order, objects get sorted keys. */
export function normalise(v: Value): unknown {
  if (isSetValue(v)) return v.sorted().map(normalise);
  if (isArr(v)) return v.map(normalise);
  if (isObj(v)) {
    const out = Object.create(null) as Record<string, unknown>;
    for (const k of sortedKeys(v)) out[k] = normalise(v[k] as Value);
    return out;
  }
  return v;
}

/** JSON text with object keys sorted; -0 prints as 0 (as in JSON). Equal text means equal JSON. */
export function canonical(x: unknown): string {
  if (x === undefined) return "undefined";
  if (x === null || typeof x !== "object") return JSON.stringify(x);
  if (Array.isArray(x)) return "[" + x.map(canonical).join(",") + "]";
  const o = x as Record<string, unknown>;
  const keys = Object.keys(o).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  return "{" + keys.map((k) => JSON.stringify(k) + ":" + canonical(o[k])).join(",") + "}";
}

/** Structural equality: numbers by value (so 1 == 1.0 and 0 == -0), sets by members, objects by own keys. */
export function equals(a: Value, b: Value): boolean {
  if (typeof a === "number" || typeof b === "number") return a === b;
  if (a === null || b === null || typeof a !== "object" || typeof b !== "object") return a === b;
  if (isArr(a) || isArr(b)) return isArr(a) && isArr(b) && a.length === b.length && a.every((x, i) => equals(x, b[i]!));
  if (isSetValue(a) || isSetValue(b)) {
    if (!isSetValue(a) || !isSetValue(b) || a.size !== b.size) return false;
    const bs = b.sorted();
    return a.sorted().every((x) => bs.some((y) => equals(x, y)));
  }
  const ka = Object.keys(a);
  const ob = b as ObjectValue;
  return (
    ka.length === Object.keys(ob).length && ka.every((k) => hasOwn(ob, k) && equals((a as ObjectValue)[k]!, ob[k]!))
  );
}

/** `v.name`: an own key of an object; anything else is undefined. */
function fieldOf(v: Value, name: string): Value | undefined {
  return isObj(v) && hasOwn(v, name) ? v[name] : undefined;
}

/** `v[k]`: object key, array index (a whole number in range) or set member. */
function indexOf(v: Value, k: Value): Value | undefined {
  if (isArr(v)) return typeof k === "number" && Number.isInteger(k) && k >= 0 && k < v.length ? v[k] : undefined;
  if (isSetValue(v)) return v.has(k) ? k : undefined;
  if (isObj(v)) return typeof k === "string" ? fieldOf(v, k) : undefined;
  return undefined;
}

/** Follows field names from a document; undefined as soon as one is missing. */
function walk(v: Value | undefined, path: readonly string[]): Value | undefined {
  let cur = v;
  for (const seg of path) {
    if (cur === undefined) return undefined;
    cur = fieldOf(cur, seg);
  }
  return cur;
}

/** Elements of a collection as [key, value], in canonical order; a scalar cannot be iterated. */
function members(c: Value): [Value, Value][] {
  if (isArr(c)) return c.map((v, i) => [i, v]);
  if (isSetValue(c)) return c.sorted().map((v) => [v, v]);
  if (isObj(c)) return sortedKeys(c).map((k) => [k, c[k] as Value]);
  throw new RefError("type_error", `cannot iterate over ${typeName(c)}`);
}

function typeError(message: string): RefError {
  return new RefError("type_error", message);
}

function finiteResult(n: number): number {
  if (!Number.isFinite(n)) throw typeError("arithmetic result is not a finite number");
  return n;
}

function binary(op: A.BinaryOp, a: Value, b: Value): Value {
  switch (op) {
    case "==":
      return equals(a, b);
    case "!=":
      return !equals(a, b);
    case "<":
    case "<=":
    case ">":
    case ">=": {
      if (typeName(a) !== typeName(b)) throw typeError(`cannot compare ${typeName(a)} with ${typeName(b)}`);
      const c = compare(a, b);
      return op === "<" ? c < 0 : op === "<=" ? c <= 0 : op === ">" ? c > 0 : c >= 0;
    }
    case "in":
      if (isSetValue(b)) return b.has(a);
      if (isArr(b)) return b.some((x) => equals(x, a));
      if (isObj(b)) return Object.keys(b).some((k) => equals(b[k] as Value, a));
      throw typeError(`'in' needs a collection on the right, not ${typeName(b)}`);
    case "-":
      if (isSetValue(a) && isSetValue(b)) return new SetValue(a.sorted().filter((x) => !b.has(x)));
      return arithmetic(op, a, b);
    case "+":
    case "*":
    case "/":
    case "%":
      return arithmetic(op, a, b);
    case "and":
    case "or":
      throw new Error("and/or are evaluated by the caller");
  }
}

function arithmetic(op: "+" | "-" | "*" | "/" | "%", a: Value, b: Value): number {
  if (typeof a !== "number" || typeof b !== "number") {
    throw typeError(`'${op}' needs numbers, not ${typeName(a)} and ${typeName(b)}`);
  }
  switch (op) {
    case "+":
      return finiteResult(a + b);
    case "-":
      return finiteResult(a - b);
    case "*":
      return finiteResult(a * b);
    case "/":
      if (b === 0) throw new RefError("division_by_zero", "division by zero");
      return finiteResult(a / b);
    case "%":
      if (b === 0) throw new RefError("division_by_zero", "modulo by zero");
      return finiteResult(a % b);
  }
}

function objectKey(k: Value): string {
  if (typeof k !== "string") throw typeError(`object keys must be strings, not ${typeName(k)}`);
  return k;
}

// ---------------------------------------------------------------------------------------------
// Programs

/** What a module's names mean: its package and its imports. */
interface ModuleScope {
  readonly pkg: readonly string[];
  readonly imports: ReadonlyMap<string, { readonly root: "input" | "data"; readonly path: readonly string[] }>;
}

interface Definition {
  readonly node: A.Rule | A.Func;
  readonly scope: ModuleScope;
}

interface Group {
  readonly key: string;
  readonly path: readonly string[];
  readonly form: "value" | "set" | "object" | "function";
  readonly defs: Definition[];
  dflt: A.Default | null;
}

/** A package in the data tree: its (non-function) rules and its sub-packages. */
interface PackageNode {
  readonly path: readonly string[];
  readonly rules: Map<string, Group>;
  readonly children: Map<string, PackageNode>;
}

/** A local scope: bound locals, and `some`-declared locals not bound yet. */
type Env = ReadonlyMap<string, Value | typeof UNBOUND>;
const UNBOUND: unique symbol = Symbol("unbound");

function bind(env: Env, name: string, v: Value): Env {
  if (name === "_") return env;
  const out = new Map(env);
  out.set(name, v);
  return out;
}

const TRUE: A.Expr = {
  kind: "scalar",
  loc: { file: "", line: 1, col: 1, endLine: 1, endCol: 1, offset: 0, endOffset: 0 },
  value: true,
  raw: "true",
};

/** Splits a query path the way the decision API does (`a.b`, `a/b`, `data.a.b`). */
export function splitQueryPath(path: string | readonly string[]): string[] {
  if (typeof path !== "string") return [...path];
  const parts = (path.includes("/") ? path.split("/") : path.split(".")).filter((p) => p !== "");
  return parts[0] === "data" ? parts.slice(1) : parts;
}

export interface ReferenceOptions {
  /** Base data (JSON). */
  readonly data?: unknown;
  /** `time.now_ns()` for builtins; fixed so results are reproducible. */
  readonly nowNs?: number;
}

/** The value of a literal constant (`1`, `"a"`, `[1, {"k": true}]`, `set()`), or undefined. */
export function literalConstant(e: A.Expr): Value | undefined {
  switch (e.kind) {
    case "scalar":
      return e.value;
    case "paren":
      return literalConstant(e.expr);
    case "array":
    case "set": {
      const items = e.items.map(literalConstant);
      if (items.some((x) => x === undefined)) return undefined;
      return e.kind === "set" ? new SetValue(items as Value[]) : (items as Value[]);
    }
    case "object": {
      const o = newObject();
      for (const en of e.entries) {
        const k = literalConstant(en.key);
        const val = literalConstant(en.value);
        if (typeof k !== "string" || val === undefined) return undefined;
        o[k] = val;
      }
      return o;
    }
    default:
      return undefined;
  }
}

/** A set of checked modules, ready to be evaluated by walking their ASTs. */
export class ReferenceInterpreter {
  private readonly groups = new Map<string, Group>();
  private readonly root: PackageNode = { path: [], rules: new Map(), children: new Map() };
  private readonly data: Value;
  private readonly nowNs: number;

  constructor(modules: readonly A.Module[], options: ReferenceOptions = {}) {
    this.data = fromJSON(options.data ?? {});
    this.nowNs = options.nowNs ?? 1_700_000_000_000_000_000;
    const defaults: { node: A.Default; key: string; path: string[] }[] = [];
    for (const m of modules) {
      const imports = new Map<string, { root: "input" | "data"; path: readonly string[] }>();
      for (const imp of m.imports) imports.set(imp.alias, { root: imp.root, path: imp.path });
      const scope: ModuleScope = { pkg: m.package.path, imports };
      for (const s of m.statements) {
        if (s.kind === "default") {
          const path = [...m.package.path, s.name.value];
          defaults.push({ node: s, key: path.join("."), path });
        } else if (s.kind === "rule" || s.kind === "function") {
          const path = [...m.package.path, s.name.value];
          const key = path.join(".");
          const form = s.kind === "function" ? "function" : s.form;
          let g = this.groups.get(key);
          if (!g) this.groups.set(key, (g = { key, path, form, defs: [], dflt: null }));
          g.defs.push({ node: s, scope });
        }
      }
    }
    for (const d of defaults) {
      let g = this.groups.get(d.key);
      if (!g) this.groups.set(d.key, (g = { key: d.key, path: d.path, form: "value", defs: [], dflt: null }));
      g.dflt = d.node;
    }
    for (const g of this.groups.values()) {
      if (g.form === "function") continue; // functions are not documents
      let node = this.root;
      for (const seg of g.path.slice(0, -1)) {
        let next = node.children.get(seg);
        if (!next)
          node.children.set(seg, (next = { path: [...node.path, seg], rules: new Map(), children: new Map() }));
        node = next;
      }
      node.rules.set(g.path[g.path.length - 1]!, g);
    }
  }

  /** Evaluates `data.<path>` for an input (undefined: no input). Never throws a RefError. */
  evaluate(path: string | readonly string[], input?: unknown): Outcome {
    const run = new Run(this);
    const cx: Cx = {
      input: input === undefined ? undefined : fromJSON(input),
      data: this.data,
      memo: new Map(),
      rules: new Map(),
      functions: new Map(),
    };
    try {
      const v = run.dataAt(splitQueryPath(path), cx);
      return v === undefined ? { kind: "undefined" } : { kind: "value", value: normalise(v) };
    } catch (err) {
      if (err instanceof RefError) return { kind: "error", code: err.code, message: err.message };
      throw err;
    }
  }

  /** Every path worth querying: each rule (not function) and each package, sorted. */
  documentPaths(): string[][] {
    const out: string[][] = [];
    const visit = (n: PackageNode): void => {
      out.push([...n.path]);
      for (const name of n.rules.keys()) out.push([...n.path, name]);
      for (const c of n.children.values()) visit(c);
    };
    visit(this.root);
    return out.sort((a, b) => (a.join(".") < b.join(".") ? -1 : a.join(".") > b.join(".") ? 1 : 0));
  }

  /** @internal */ get internals() {
    return { groups: this.groups, root: this.root, data: this.data, nowNs: this.nowNs };
  }
}

/** True when every definition and `else` branch of a group has the same literal constant value. */
function sameConstantEverywhere(g: Group): boolean {
  const values = g.defs.flatMap((d) => [d.node.value, ...d.node.elses.map((e) => e.value)]);
  const constants = values.map((e) => (e === null ? true : literalConstant(e)));
  return constants.length > 0 && constants.every((c) => c !== undefined && equals(c, constants[0]!));
}

/** A replaced function: a constant result, or another function or builtin. */
type Mock =
  | { readonly kind: "value"; readonly value: Value }
  | { readonly kind: "function"; readonly group: Group }
  | { readonly kind: "builtin"; readonly name: string };

/** The documents one evaluation sees; `with` derives a new one for the literal it modifies. */
interface Cx {
  readonly input: Value | undefined;
  readonly data: Value;
  /** Values of the rules evaluated in this context so far. */
  readonly memo: Map<string, Value | undefined>;
  /** Rule values replaced by `with data.<rule> as v`. */
  readonly rules: ReadonlyMap<string, Value>;
  /** Functions (by group key) and builtins (by name) replaced by `with`. */
  readonly functions: ReadonlyMap<string, Mock>;
}

/** A copy of `doc` with `value` at `path`; objects are created where the path has none. */
function replaceAt(doc: Value | undefined, path: readonly string[], value: Value): Value {
  if (path.length === 0) return value;
  const [head, ...rest] = path as [string, ...string[]];
  const out = newObject();
  if (doc !== undefined && isObj(doc)) for (const k of Object.keys(doc)) out[k] = doc[k]!;
  out[head] = replaceAt(doc !== undefined ? fieldOf(doc, head) : undefined, rest, value);
  return out;
}

/** The dotted name an expression spells (`f`, `glob.match`, `data.lib.f`), if it is one. */
function dottedName(e: A.Expr): string | null {
  if (e.kind === "var") return e.name;
  if (e.kind !== "ref" || e.head.kind !== "var") return null;
  const parts = [e.head.name];
  for (const p of e.path) {
    if (p.kind !== "field") return null;
    parts.push(p.name);
  }
  return parts.join(".");
}

/** Evaluation over one program; every method takes the context it runs in. */
class Run {
  private readonly groups: ReadonlyMap<string, Group>;
  private readonly root: PackageNode;
  private readonly builtinCtx: BuiltinContext;

  constructor(ref: ReferenceInterpreter) {
    const i = ref.internals;
    this.groups = i.groups;
    this.root = i.root;
    this.builtinCtx = { nowNs: i.nowNs, platform: defaultPlatform, cache: new Map() };
  }

  // ---- documents ----

  /** `data.<path>`: rules own their paths, packages are objects, everything else is base data. */
  dataAt(path: readonly string[], cx: Cx): Value | undefined {
    let node = this.root;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      const rule = node.rules.get(seg);
      if (rule) return walk(this.ruleValue(rule, cx), path.slice(i + 1));
      const child = node.children.get(seg);
      if (!child) return walk(cx.data, path);
      node = child;
    }
    return this.packageDocument(node, cx);
  }

  /** A package: its base data without the keys its rules own, its sub-packages, its defined rules. */
  private packageDocument(node: PackageNode, cx: Cx): Value {
    const out = newObject();
    const base = walk(cx.data, node.path);
    if (base !== undefined && isObj(base)) {
      for (const k of Object.keys(base)) if (!node.rules.has(k)) out[k] = base[k] as Value;
    }
    for (const name of [...node.children.keys()].sort()) out[name] = this.packageDocument(node.children.get(name)!, cx);
    for (const name of [...node.rules.keys()].sort()) {
      const v = this.ruleValue(node.rules.get(name)!, cx);
      if (v !== undefined) out[name] = v;
    }
    return out;
  }

  private ruleValue(g: Group, cx: Cx): Value | undefined {
    if (cx.rules.has(g.key)) return cx.rules.get(g.key);
    if (cx.memo.has(g.key)) return cx.memo.get(g.key);
    let v: Value | undefined;
    if (g.form === "set") v = this.setRule(g, cx);
    else if (g.form === "object") v = this.objectRule(g, cx);
    else {
      v = this.oneValue(g, null, cx);
      if (v === undefined && g.dflt) v = this.constantValue(g.dflt.value, cx);
    }
    cx.memo.set(g.key, v);
    return v;
  }

  /** A default's value: a constant expression, evaluated without locals. */
  private constantValue(e: A.Expr, cx: Cx): Value | undefined {
    for (const [v] of this.expr(e, new Map(), { pkg: [], imports: new Map() }, cx)) return v;
    return undefined;
  }

  /** Single-value rules and function calls: every definition is tried; different values conflict. */
  private oneValue(g: Group, args: readonly Value[] | null, cx: Cx): Value | undefined {
    // docs/language.md "Early exit": when every definition yields the same constant, the first decides.
    const firstWins = sameConstantEverywhere(g);
    let result: Value | undefined;
    for (const d of g.defs) {
      for (const v of this.definitionValues(d, args, cx)) {
        if (result === undefined) {
          result = v;
          if (firstWins) return result;
        } else if (!equals(result, v)) throw new RefError("conflict", `'${g.key}' has two different values`);
      }
    }
    return result;
  }

  /** The values of a definition's first branch (body, then each `else`) that produces any. */
  private *definitionValues(d: Definition, args: readonly Value[] | null, cx: Cx): Generator<Value> {
    const node = d.node;
    let start: Env = new Map();
    if (node.kind === "function" && args) node.params.forEach((p, i) => (start = bind(start, p.name, args[i]!)));
    const branches: { body: A.Body | null; value: A.Expr | null }[] = [
      { body: node.body, value: node.value },
      ...node.elses.map((e) => ({ body: e.body, value: e.value })),
    ];
    for (const b of branches) {
      let produced = false;
      for (const env of this.solutions(b.body?.literals ?? [], 0, start, d.scope, cx)) {
        for (const [v] of this.expr(b.value ?? TRUE, env, d.scope, cx)) {
          produced = true;
          yield v;
        }
      }
      if (produced) return;
    }
  }

  private setRule(g: Group, cx: Cx): Value {
    const out = new SetValue();
    for (const d of g.defs) {
      const r = d.node as A.Rule;
      for (const env of this.solutions(r.body?.literals ?? [], 0, new Map(), d.scope, cx)) {
        for (const [v] of this.expr(r.value ?? TRUE, env, d.scope, cx)) out.add(v);
      }
    }
    return out;
  }

  private objectRule(g: Group, cx: Cx): Value {
    const out = newObject();
    for (const d of g.defs) {
      const r = d.node as A.Rule;
      for (const env of this.solutions(r.body?.literals ?? [], 0, new Map(), d.scope, cx)) {
        for (const [k, env2] of this.expr(r.key!, env, d.scope, cx)) {
          for (const [v] of this.expr(r.value ?? TRUE, env2, d.scope, cx)) {
            const key = objectKey(k);
            if (hasOwn(out, key) && !equals(out[key] as Value, v)) {
              throw new RefError("conflict", `'${g.key}' has two values for key ${JSON.stringify(key)}`);
            }
            out[key] = v;
          }
        }
      }
    }
    return out;
  }

  // ---- names ----

  /** A name that is not a local: input, data, an import, or a rule of the module's package. */
  private global(name: string, scope: ModuleScope): { root: "input" | "data"; path: readonly string[] } {
    if (name === "input") return { root: "input", path: [] };
    if (name === "data") return { root: "data", path: [] };
    const imp = scope.imports.get(name);
    if (imp) return imp;
    return { root: "data", path: [...scope.pkg, name] };
  }

  private read(root: "input" | "data", path: readonly string[], cx: Cx): Value | undefined {
    return root === "input" ? walk(cx.input, path) : this.dataAt(path, cx);
  }

  // ---- bodies ----

  /** Every solution of `lits[i..]` starting from `env`, as the bindings it ends with. */
  private *solutions(lits: readonly A.Literal[], i: number, env: Env, scope: ModuleScope, cx: Cx): Generator<Env> {
    if (i === lits.length) {
      yield env;
      return;
    }
    const lit = lits[i]!;
    // A `with` literal runs in a derived context; the rest of the body runs in this one.
    const inner = lit.kind !== "someDecl" && lit.with.length > 0 ? this.derive(lit.with, env, scope, cx) : cx;
    for (const env2 of this.literal(lit, env, scope, inner)) yield* this.solutions(lits, i + 1, env2, scope, cx);
  }

  /** Every solution of one literal. */
  private *literal(lit: A.Literal, env: Env, scope: ModuleScope, cx: Cx): Generator<Env> {
    switch (lit.kind) {
      case "someDecl": {
        const next = new Map(env);
        for (const v of lit.vars) next.set(v.name, UNBOUND);
        yield next;
        return;
      }
      case "exprLiteral":
        for (const [v, env2] of this.expr(lit.expr, env, scope, cx)) if (v !== false) yield env2;
        return;
      case "assign": {
        const target = lit.target;
        for (const [v, env2] of this.expr(lit.value, env, scope, cx)) {
          if (target.kind === "var") yield bind(env2, target.name, v);
          else if (Array.isArray(v) && v.length === target.items.length) {
            let e = env2;
            target.items.forEach((item, i) => (e = bind(e, (item as A.Var).name, v[i] as Value)));
            yield e;
          }
        }
        return;
      }
      case "someIn":
        for (const [c, env2] of this.expr(lit.domain, env, scope, cx)) {
          for (const [k, v] of members(c)) yield bind(lit.key ? bind(env2, lit.key.name, k) : env2, lit.value.name, v);
        }
        return;
      case "every":
        for (const [c, env2] of this.expr(lit.domain, env, scope, cx)) {
          if (this.everyHolds(lit, c, env2, scope, cx)) yield env2;
        }
        return;
    }
  }

  private everyHolds(lit: A.Every, c: Value, env: Env, scope: ModuleScope, cx: Cx): boolean {
    for (const [k, v] of members(c)) {
      const inner = bind(lit.key ? bind(env, lit.key.name, k) : env, lit.value.name, v);
      if (!this.bodyHolds(lit.body.literals, inner, scope, cx)) return false;
    }
    return true;
  }

  private bodyHolds(lits: readonly A.Literal[], env: Env, scope: ModuleScope, cx: Cx): boolean {
    for (const _ of this.solutions(lits, 0, env, scope, cx)) return true;
    return false;
  }

  /** Whether some value of `e` is defined and not false (for `not`, `and`, `or`). */
  private holds(e: A.Expr, env: Env, scope: ModuleScope, cx: Cx): boolean {
    for (const [v] of this.expr(e, env, scope, cx)) if (v !== false) return true;
    return false;
  }

  // ---- with ----

  /** The context a literal with `with` clauses runs in; values are computed in the outer context. */
  private derive(withs: readonly A.With[], env: Env, scope: ModuleScope, cx: Cx): Cx {
    let input = cx.input;
    let data = cx.data;
    const rules = new Map(cx.rules);
    const functions = new Map(cx.functions);
    for (const w of withs) {
      const target = dottedName(w.target);
      const fn = target ? this.callTarget(target, scope) : null;
      if (fn) {
        const valueName = dottedName(w.value);
        const replacement = valueName && !env.has(valueName) ? this.callTarget(valueName, scope) : null;
        const mock: Mock = replacement ?? { kind: "value", value: this.withValue(w.value, env, scope, cx) };
        functions.set(fn.kind === "function" ? fn.group.key : fn.name, mock);
        continue;
      }
      const value = this.withValue(w.value, env, scope, cx);
      const head = w.target.kind === "ref" ? w.target.head : w.target;
      const fields = w.target.kind === "ref" ? w.target.path.map((p) => (p as A.FieldPart).name) : [];
      const g = this.global((head as A.Var).name, scope);
      const path = [...g.path, ...fields];
      if (g.root === "input") {
        input = replaceAt(input, path, value);
        continue;
      }
      const t = this.dataTarget(path);
      if (t.kind === "rule") rules.set(t.key, value);
      else if (t.kind === "base") data = replaceAt(data, path, value);
      else throw new RefError("with_error", t.reason);
    }
    return { input, data, memo: new Map(), rules, functions };
  }

  private withValue(e: A.Expr, env: Env, scope: ModuleScope, cx: Cx): Value {
    for (const [v] of this.expr(e, env, scope, cx)) return v;
    throw new RefError("with_error", "the `with` value is undefined");
  }

  /** What `with data.<path>` replaces: a whole rule, or base data; never a package or part of a rule. */
  private dataTarget(
    path: readonly string[],
  ): { kind: "rule"; key: string } | { kind: "base" } | { kind: "bad"; reason: string } {
    let node: PackageNode | undefined = this.root;
    for (let i = 0; i < path.length && node; i++) {
      const g = node.rules.get(path[i]!);
      if (g) return i === path.length - 1 ? { kind: "rule", key: g.key } : { kind: "bad", reason: "part of a rule" };
      node = node.children.get(path[i]!);
    }
    return node ? { kind: "bad", reason: "a whole package" } : { kind: "base" };
  }

  // ---- expressions ----

  /** Every value of `e` with the bindings made while computing it. Undefined yields nothing. */
  private *expr(e: A.Expr, env: Env, scope: ModuleScope, cx: Cx): Generator<[Value, Env]> {
    switch (e.kind) {
      case "scalar":
        yield [e.value, env];
        return;
      case "paren":
        yield* this.expr(e.expr, env, scope, cx);
        return;
      case "var": {
        const v = this.varValue(e.name, env, scope, cx);
        if (v !== undefined) yield [v, env];
        return;
      }
      case "ref":
        yield* this.ref(e, env, scope, cx);
        return;
      case "call":
        for (const [args, env2] of this.all(e.args, env, scope, cx)) {
          const v = this.call(e.name, args, scope, cx);
          if (v !== undefined) yield [v, env2];
        }
        return;
      case "binary":
        if (e.op === "and") {
          yield [this.holds(e.left, env, scope, cx) && this.holds(e.right, env, scope, cx), env];
          return;
        }
        if (e.op === "or") {
          yield [this.holds(e.left, env, scope, cx) || this.holds(e.right, env, scope, cx), env];
          return;
        }
        for (const [a, env1] of this.expr(e.left, env, scope, cx)) {
          for (const [b, env2] of this.expr(e.right, env1, scope, cx)) yield [binary(e.op, a, b), env2];
        }
        return;
      case "not":
        yield [!this.holds(e.operand, env, scope, cx), env];
        return;
      case "neg":
        for (const [v, env2] of this.expr(e.operand, env, scope, cx)) {
          if (typeof v !== "number") throw typeError(`cannot negate ${typeName(v)}`);
          yield [-v, env2];
        }
        return;
      case "array":
        for (const [vs, env2] of this.all(e.items, env, scope, cx)) yield [vs, env2];
        return;
      case "set":
        for (const [vs, env2] of this.all(e.items, env, scope, cx)) yield [new SetValue(vs), env2];
        return;
      case "object": {
        const parts = e.entries.flatMap((en) => [en.key, en.value]);
        for (const [vs, env2] of this.all(parts, env, scope, cx)) {
          const o = newObject();
          for (let i = 0; i < vs.length; i += 2) o[objectKey(vs[i]!)] = vs[i + 1]!;
          yield [o, env2];
        }
        return;
      }
      case "arrayCompr":
      case "setCompr": {
        const out: Value[] = [];
        for (const inner of this.solutions(e.body.literals, 0, env, scope, cx)) {
          for (const [v] of this.expr(e.term, inner, scope, cx)) out.push(v);
        }
        yield [e.kind === "setCompr" ? new SetValue(out) : out, env];
        return;
      }
      case "objectCompr": {
        const out = newObject();
        for (const inner of this.solutions(e.body.literals, 0, env, scope, cx)) {
          for (const [k, inner2] of this.expr(e.key, inner, scope, cx)) {
            for (const [v] of this.expr(e.value, inner2, scope, cx)) {
              const key = objectKey(k);
              if (hasOwn(out, key) && !equals(out[key] as Value, v)) {
                throw new RefError("conflict", `object comprehension has two values for key ${JSON.stringify(key)}`);
              }
              out[key] = v;
            }
          }
        }
        yield [out, env];
        return;
      }
    }
  }

  /** Every combination of values of `es`, left to right. */
  private *all(
    es: readonly A.Expr[],
    env: Env,
    scope: ModuleScope,
    cx: Cx,
    i = 0,
    acc: Value[] = [],
  ): Generator<[Value[], Env]> {
    if (i === es.length) {
      yield [[...acc], env];
      return;
    }
    for (const [v, env2] of this.expr(es[i]!, env, scope, cx)) {
      acc.push(v);
      yield* this.all(es, env2, scope, cx, i + 1, acc);
      acc.pop();
    }
  }

  private varValue(name: string, env: Env, scope: ModuleScope, cx: Cx): Value | undefined {
    if (env.has(name)) {
      const v = env.get(name)!;
      if (v === UNBOUND) throw new Error(`reference interpreter: '${name}' used before it is bound`);
      return v;
    }
    const g = this.global(name, scope);
    return this.read(g.root, g.path, cx);
  }

  private *ref(r: A.Ref, env: Env, scope: ModuleScope, cx: Cx): Generator<[Value, Env]> {
    const head = r.head;
    if (head.kind === "var" && !env.has(head.name)) {
      // A global: the longest constant path is read as one document path.
      const g = this.global(head.name, scope);
      const path = [...g.path];
      let i = 0;
      for (; i < r.path.length; i++) {
        const p = r.path[i]!;
        if (p.kind === "field") path.push(p.name);
        else if (p.index.kind === "scalar" && typeof p.index.value === "string") path.push(p.index.value);
        else break;
      }
      const base = this.read(g.root, path, cx);
      if (base !== undefined) yield* this.parts(base, r.path, i, env, scope, cx);
      return;
    }
    for (const [v, env2] of this.expr(head, env, scope, cx)) yield* this.parts(v, r.path, 0, env2, scope, cx);
  }

  private *parts(
    v: Value,
    parts: readonly A.RefPart[],
    i: number,
    env: Env,
    scope: ModuleScope,
    cx: Cx,
  ): Generator<[Value, Env]> {
    if (i === parts.length) {
      yield [v, env];
      return;
    }
    const p = parts[i]!;
    if (p.kind === "field") {
      const x = fieldOf(v, p.name);
      if (x !== undefined) yield* this.parts(x, parts, i + 1, env, scope, cx);
      return;
    }
    const idx = p.index;
    if (idx.kind === "var" && (idx.name === "_" || env.get(idx.name) === UNBOUND)) {
      // An unbound index iterates the collection and binds the key.
      for (const [k, x] of members(v)) yield* this.parts(x, parts, i + 1, bind(env, idx.name, k), scope, cx);
      return;
    }
    for (const [k, env2] of this.expr(idx, env, scope, cx)) {
      const x = indexOf(v, k);
      if (x !== undefined) yield* this.parts(x, parts, i + 1, env2, scope, cx);
    }
  }

  // ---- calls ----

  private call(name: string, args: readonly Value[], scope: ModuleScope, cx: Cx): Value | undefined {
    const target = this.callTarget(name, scope);
    if (!target) throw new Error(`reference interpreter: unknown function '${name}'`);
    const mock = cx.functions.get(target.kind === "function" ? target.group.key : target.name);
    return this.invoke(mock && mock.kind !== "value" ? mock : target, args, cx, mock?.kind === "value" ? mock : null);
  }

  private invoke(
    target: Exclude<Mock, { kind: "value" }>,
    args: readonly Value[],
    cx: Cx,
    constant: { value: Value } | null,
  ): Value | undefined {
    if (constant) return constant.value;
    if (target.kind === "function") return this.oneValue(target.group, args, cx);
    const b = builtins.get(target.name)!;
    try {
      return b.impl(args, this.builtinCtx);
    } catch (err) {
      if (err instanceof BuiltinError) throw new RefError("builtin_error", `${target.name}: ${err.message}`);
      if (err instanceof EvalError) throw new RefError(err.code, err.message);
      throw err;
    }
  }

  /** A user function (`f` in the package, `data.a.f`, `alias.f` through a data import), else a builtin. */
  private callTarget(name: string, scope: ModuleScope): Exclude<Mock, { kind: "value" }> | null {
    const parts = name.split(".");
    let path: readonly string[] | null = null;
    if (parts.length === 1) path = [...scope.pkg, name];
    else if (parts[0] === "data") path = parts.slice(1);
    else {
      const imp = scope.imports.get(parts[0]!);
      if (imp?.root === "data") path = [...imp.path, ...parts.slice(1)];
    }
    const g = path ? this.groups.get(path.join(".")) : undefined;
    if (g?.form === "function") return { kind: "function", group: g };
    return builtins.has(name) ? { kind: "builtin", name } : null;
  }
}
