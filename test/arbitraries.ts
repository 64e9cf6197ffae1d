// fast-check arbitraries for well-formed Verdict ASTs, shaped exactly as the parser builds them
// (so `parse(print(ast))` can be compared with `ast` after `stripLocs`). Names avoid keywords;
// names need not be bound: these are for syntax properties only.
//
// Generation is in two steps: a raw tree of any shape, then `canonical`, which adds the Paren
// nodes the parser would produce where precedence requires them (and the few other rewrites that
// make the tree one the parser can return, e.g. `if {1} == x` must be written with braces).
import fc from "fast-check";
import * as A from "../src/lang/ast.js";
import { keywords } from "../src/lang/tokens.js";

export const dummyLoc: A.Loc = Object.freeze({
  file: "<gen>",
  line: 1,
  col: 1,
  endLine: 1,
  endCol: 1,
  offset: 0,
  endOffset: 0,
});
const loc = dummyLoc;

export const keywordNames: readonly string[] = keywords.map((t) => (t.PATTERN as RegExp).source);
const reserved = new Set(keywordNames);

/** Names that break code using plain objects as maps. */
export const hostileNames = [
  "__proto__",
  "constructor",
  "prototype",
  "toString",
  "hasOwnProperty",
  "valueOf",
  "__defineGetter__",
] as const;

// ---- names ----

/** A non-keyword identifier (variables, rule names, function names, parameters). */
export const identArb: fc.Arbitrary<string> = fc
  .oneof(
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        "x",
        "y",
        "z",
        "a",
        "b",
        "_",
        "user",
        "allow",
        "deny",
        "in_x",
        "notx",
        "iff",
        "data",
        "input",
        "set",
        "import_path",
        ...hostileNames,
      ),
    },
    { weight: 1, arbitrary: fc.stringMatching(/^[A-Za-z_][A-Za-z0-9_]{0,7}$/) },
  )
  .filter((s) => !reserved.has(s));

/** Anything allowed after a `.`: identifiers and keywords. */
export const anyNameArb: fc.Arbitrary<string> = fc.oneof(
  { weight: 3, arbitrary: identArb },
  { weight: 1, arbitrary: fc.constantFrom(...keywordNames) },
);

// ---- scalars ----

function scalar(value: A.Scalar["value"], raw: string): A.Scalar {
  return { kind: "scalar", loc, value, raw };
}

const unsignedRaw = fc.stringMatching(/^(?:0|[1-9][0-9]{0,4})(?:\.[0-9]{1,3})?(?:[eE][+-]?[0-9]{1,3})?$/);

/** Number literals; only finite ones, since a literal beyond a double's range is a syntax error. */
export const numberArb: fc.Arbitrary<A.Scalar> = fc
  .tuple(
    fc.boolean(),
    unsignedRaw.filter((raw) => Number.isFinite(Number(raw))),
  )
  .map(([negative, raw]) => (negative ? scalar(-Number(raw), "-" + raw) : scalar(Number(raw), raw)));

const stringValueArb: fc.Arbitrary<string> = fc.oneof(
  fc.string({ maxLength: 12 }),
  fc.string({ unit: "grapheme", maxLength: 6 }),
  fc.string({ unit: "binary", maxLength: 6 }),
  fc.constantFrom(...hostileNames, "", "# not a comment", 'a"b\\c', "\n\t\r", "\u2028\u2029", "\u0000", "😀", "\ud800"),
);

/** Every UTF-16 unit as `\uXXXX`: a spelling that only `raw` preserves. */
function escapeAll(s: string): string {
  return [...Array(s.length).keys()].map((i) => "\\u" + s.charCodeAt(i).toString(16).padStart(4, "0")).join("");
}

const rawStringArb: fc.Arbitrary<A.Scalar> = fc
  .string({
    unit: fc.oneof(
      { weight: 8, arbitrary: fc.constantFrom("a", "b", " ", "#", '"', "\\", "{", "é", "😀", "\t") },
      { weight: 1, arbitrary: fc.constantFrom("\n", "\r\n", "\r") },
    ),
    maxLength: 8,
  })
  .map((v) => scalar(v, "`" + v + "`"));

export const stringArb: fc.Arbitrary<A.Scalar> = fc.oneof(
  { weight: 4, arbitrary: stringValueArb.map((v) => scalar(v, JSON.stringify(v))) },
  { weight: 1, arbitrary: stringValueArb.map((v) => scalar(v, `"${escapeAll(v)}"`)) },
  { weight: 1, arbitrary: rawStringArb },
);

export const scalarArb: fc.Arbitrary<A.Scalar> = fc.oneof(
  { weight: 3, arbitrary: numberArb },
  { weight: 4, arbitrary: stringArb },
  { weight: 1, arbitrary: fc.constantFrom(scalar(true, "true"), scalar(false, "false"), scalar(null, "null")) },
);

export const varArb: fc.Arbitrary<A.Var> = identArb.map((name) => ({ kind: "var", loc, name }));

// ---- expressions, literals and bodies, by depth ----

const binaryOps = Object.keys(A.precedence) as A.BinaryOp[];

const callNameArb: fc.Arbitrary<string> = fc
  .tuple(identArb, fc.array(anyNameArb, { maxLength: 2 }))
  .map(([head, rest]) => [head, ...rest].join("."));

function small<T>(arb: fc.Arbitrary<T>, minLength = 0): fc.Arbitrary<T[]> {
  return fc.array(arb, { minLength, maxLength: 3 });
}

function maybe<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<T | null> {
  return fc.option(arb, { nil: null });
}

const withTargetArb: fc.Arbitrary<A.Expr> = fc.oneof(
  varArb,
  fc.tuple(varArb, small(anyNameArb, 1)).map(([head, names]): A.Expr => ({
    kind: "ref",
    loc,
    head,
    path: names.map((name) => ({ kind: "field", loc, name })),
  })),
);

const exprs = new Map<number, fc.Arbitrary<A.Expr>>();
const literals = new Map<number, fc.Arbitrary<A.Literal>>();

function exprAt(depth: number): fc.Arbitrary<A.Expr> {
  const known = exprs.get(depth);
  if (known) return known;
  const leaf: fc.Arbitrary<A.Expr> = fc.oneof(scalarArb, varArb);
  if (depth <= 0) {
    exprs.set(depth, leaf);
    return leaf;
  }
  const sub = exprAt(depth - 1);
  const body = bodyAt(depth - 1, 0);
  const part: fc.Arbitrary<A.RefPart> = fc.oneof(
    anyNameArb.map((name): A.RefPart => ({ kind: "field", loc, name })),
    sub.map((index): A.RefPart => ({ kind: "index", loc, index })),
  );
  const entry = fc.tuple(sub, sub).map(([key, value]): A.ObjectEntry => ({ kind: "entry", loc, key, value }));
  const arb: fc.Arbitrary<A.Expr> = fc.oneof(
    { weight: 6, arbitrary: leaf },
    {
      weight: 2,
      arbitrary: fc.tuple(sub, small(part, 1)).map(([head, path]): A.Expr => ({ kind: "ref", loc, head, path })),
    },
    {
      weight: 2,
      arbitrary: fc.tuple(callNameArb, small(sub)).map(([name, args]): A.Expr => ({
        kind: "call",
        loc,
        // `set()` is the empty set, not a call.
        name: name === "set" && args.length === 0 ? "sets" : name,
        nameLoc: loc,
        args,
      })),
    },
    {
      weight: 4,
      arbitrary: fc
        .tuple(fc.constantFrom(...binaryOps), sub, sub)
        .map(([op, left, right]): A.Expr => ({ kind: "binary", loc, op, left, right })),
    },
    { weight: 1, arbitrary: sub.map((operand): A.Expr => ({ kind: "not", loc, operand })) },
    { weight: 1, arbitrary: sub.map((operand): A.Expr => ({ kind: "neg", loc, operand })) },
    { weight: 1, arbitrary: sub.map((expr): A.Expr => ({ kind: "paren", loc, expr })) },
    { weight: 1, arbitrary: small(sub).map((items): A.Expr => ({ kind: "array", loc, items })) },
    { weight: 1, arbitrary: small(sub).map((items): A.Expr => ({ kind: "set", loc, items })) },
    { weight: 1, arbitrary: small(entry).map((entries): A.Expr => ({ kind: "object", loc, entries })) },
    {
      weight: 1,
      arbitrary: fc.tuple(sub, body).map(([term, b]): A.Expr => ({ kind: "arrayCompr", loc, term, body: b })),
    },
    {
      weight: 1,
      arbitrary: fc.tuple(sub, body).map(([term, b]): A.Expr => ({ kind: "setCompr", loc, term, body: b })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(sub, sub, body)
        .map(([key, value, b]): A.Expr => ({ kind: "objectCompr", loc, key, value, body: b })),
    },
  );
  exprs.set(depth, arb);
  return arb;
}

function literalAt(depth: number): fc.Arbitrary<A.Literal> {
  const known = literals.get(depth);
  if (known) return known;
  const e = exprAt(depth);
  const withArb = fc
    .tuple(withTargetArb, exprAt(Math.max(0, depth - 1)))
    .map(([target, value]): A.With => ({ kind: "with", loc, target, value }));
  const withs = fc.oneof({ weight: 4, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: small(withArb, 1) });
  const arb: fc.Arbitrary<A.Literal> = fc.oneof(
    {
      weight: 5,
      arbitrary: fc.tuple(e, withs).map(([expr, w]): A.Literal => ({ kind: "exprLiteral", loc, expr, with: w })),
    },
    {
      weight: 2,
      arbitrary: fc
        .tuple(varArb, e, withs)
        .map(([target, value, w]): A.Literal => ({ kind: "assign", loc, target, value, with: w })),
    },
    { weight: 1, arbitrary: small(varArb, 1).map((vars): A.Literal => ({ kind: "someDecl", loc, vars })) },
    {
      weight: 1,
      arbitrary: fc
        .tuple(maybe(varArb), varArb, e, withs)
        .map(([key, value, domain, w]): A.Literal => ({ kind: "someIn", loc, key, value, domain, with: w })),
    },
    {
      weight: 1,
      arbitrary: fc
        .tuple(maybe(varArb), varArb, e, depth > 0 ? bodyAt(depth - 1, 0) : fc.constant(emptyBody), withs)
        .map(([key, value, domain, body, w]): A.Literal => ({ kind: "every", loc, key, value, domain, body, with: w })),
    },
  );
  literals.set(depth, arb);
  return arb;
}

const emptyBody: A.Body = { kind: "body", loc, braced: true, literals: [] };

/** A braced body (`{ ... }`, also the body of a comprehension). */
function bodyAt(depth: number, minLength: number): fc.Arbitrary<A.Body> {
  return small(literalAt(depth), minLength).map((lits): A.Body => ({
    kind: "body",
    loc,
    braced: true,
    literals: lits,
  }));
}

/** What follows `if`: braces, or a single literal without them. */
function ifBodyAt(depth: number): fc.Arbitrary<A.Body> {
  return fc.oneof(
    bodyAt(depth, 0),
    literalAt(depth).map((l): A.Body => ({ kind: "body", loc, braced: false, literals: [l] })),
  );
}

// ---- statements and modules ----

const DEPTH = 2;

const nameArb: fc.Arbitrary<A.Name> = identArb.map((value) => ({ kind: "name", loc, value }));

const elseArb: fc.Arbitrary<A.Else> = fc
  .tuple(maybe(exprAt(DEPTH)), maybe(ifBodyAt(DEPTH)))
  .map(([value, body]) => ({ kind: "else", loc, value, body }));

/** `:= v`, `if body` or both, as after a value rule or function head. */
const tailArb = fc.oneof(
  exprAt(DEPTH).map((value) => ({ value, body: null })),
  ifBodyAt(DEPTH).map((body) => ({ value: null, body })),
  fc.tuple(exprAt(DEPTH), ifBodyAt(DEPTH)).map(([value, body]) => ({ value, body })),
);

const elsesArb = fc.oneof({ weight: 3, arbitrary: fc.constant([]) }, { weight: 1, arbitrary: small(elseArb, 1) });

export const statementArb: fc.Arbitrary<A.Statement> = fc.oneof(
  fc.tuple(nameArb, exprAt(DEPTH)).map(([name, value]): A.Statement => ({ kind: "default", loc, name, value })),
  fc.tuple(nameArb, tailArb, elsesArb).map(([name, tail, elses]): A.Statement => ({
    kind: "rule",
    loc,
    name,
    form: "value",
    key: null,
    value: tail.value,
    body: tail.body,
    elses,
  })),
  fc.tuple(nameArb, exprAt(DEPTH), maybe(ifBodyAt(DEPTH))).map(([name, value, body]): A.Statement => ({
    kind: "rule",
    loc,
    name,
    form: "set",
    key: null,
    value,
    body,
    elses: [],
  })),
  fc
    .tuple(nameArb, exprAt(DEPTH - 1), exprAt(DEPTH), maybe(ifBodyAt(DEPTH)))
    .map(([name, key, value, body]): A.Statement => ({
      kind: "rule",
      loc,
      name,
      form: "object",
      key,
      value,
      body,
      elses: [],
    })),
  fc
    .tuple(nameArb, small(varArb), tailArb, elsesArb)
    .map(([name, params, tail, elses]): A.Statement => ({ kind: "function", loc, name, params, ...tail, elses })),
  fc
    .tuple(stringValueArb, bodyAt(DEPTH, 0))
    .map(([name, body]): A.Statement => ({ kind: "test", loc, name, nameLoc: loc, body })),
  fc
    .tuple(fc.constantFrom("input" as const, "data" as const), exprAt(DEPTH))
    .map(([target, schema]): A.Statement => ({ kind: "schema", loc, target, schema })),
);

const importArb: fc.Arbitrary<A.Import> = fc
  .tuple(fc.constantFrom("data" as const, "input" as const), small(anyNameArb), maybe(identArb))
  .map(([root, path, alias]) => ({
    kind: "import",
    loc,
    root,
    path,
    alias: alias ?? [root, ...path][path.length]!,
    explicitAlias: alias !== null,
  }));

const packageArb: fc.Arbitrary<A.Package> = fc
  .tuple(identArb, fc.array(anyNameArb, { maxLength: 2 }))
  .map(([head, rest]) => ({ kind: "package", loc, path: [head, ...rest] }));

export const moduleArb: fc.Arbitrary<A.Module> = fc
  .record({
    package: packageArb,
    imports: small(importArb),
    statements: fc.array(statementArb, { maxLength: 6 }),
  })
  .map((m): A.Module => canonical({ kind: "module", loc, ...m, comments: [] }));

/** Expressions as the parser returns them (depth up to 3). */
export const exprArb: fc.Arbitrary<A.Expr> = exprAt(3).map((e) => fixExpr(e, 0));

/**
 * Expressions as a program might build them: no Paren nodes where precedence needs them, a
 * reference may have a reference as head, `-` may apply to a positive number. Printing must add
 * parentheses so that they read back with the same meaning (compare with `normalizeExpr`).
 */
export const handBuiltExprArb: fc.Arbitrary<A.Expr> = exprAt(3);

// ---- canonical: the parser's view of a raw tree ----

const UNARY = 7;
const PRIMARY = 8;

function prec(e: A.Expr): number {
  if (e.kind === "binary") return A.precedence[e.op];
  if (e.kind === "not") return A.notPrecedence;
  if (e.kind === "neg" || (e.kind === "scalar" && e.raw.startsWith("-"))) return UNARY;
  return PRIMARY;
}

function paren(expr: A.Expr): A.Expr {
  return { kind: "paren", loc, expr };
}

/** Fixes `e`'s children, then wraps `e` in a Paren when it cannot stand where `min` binding is needed. */
function fixExpr(e: A.Expr, min: number): A.Expr {
  const fixed = fixChildren(e);
  return prec(fixed) < min ? paren(fixed) : fixed;
}

function fixChildren(e: A.Expr): A.Expr {
  switch (e.kind) {
    case "scalar":
    case "var":
      return e;
    case "paren":
      return { ...e, expr: fixExpr(e.expr, 0) };
    case "binary": {
      const p = A.precedence[e.op];
      const [l, r] = p === A.precedence["=="] ? [p + 1, p + 1] : [p, p + 1];
      return { ...e, left: fixExpr(e.left, l), right: fixExpr(e.right, r) };
    }
    case "not":
      return { ...e, operand: fixExpr(e.operand, A.notPrecedence) };
    case "neg": {
      // `-1` would read back as the number -1.
      const operand = fixExpr(e.operand, UNARY);
      const unsigned = operand.kind === "scalar" && typeof operand.value === "number" && !operand.raw.startsWith("-");
      return { ...e, operand: unsigned ? paren(operand) : operand };
    }
    case "ref": {
      // The parser flattens `a.b` + `.c` into one reference, so a reference head needs parentheses.
      const head = fixExpr(e.head, PRIMARY);
      return {
        ...e,
        head: head.kind === "ref" ? paren(head) : head,
        path: e.path.map((p) => (p.kind === "index" ? { ...p, index: fixExpr(p.index, 0) } : p)),
      };
    }
    case "call":
      return { ...e, args: e.args.map((a) => fixExpr(a, 0)) };
    case "array":
    case "set":
      return { ...e, items: e.items.map((i) => fixExpr(i, 0)) };
    case "object":
      return {
        ...e,
        entries: e.entries.map((en) => ({ ...en, key: fixExpr(en.key, 0), value: fixExpr(en.value, 0) })),
      };
    case "arrayCompr":
    case "setCompr":
      return { ...e, term: fixExpr(e.term, 0), body: fixBody(e.body) };
    case "objectCompr":
      return { ...e, key: fixExpr(e.key, 0), value: fixExpr(e.value, 0), body: fixBody(e.body) };
  }
}

/** True when the printed expression starts with `{`, which `if` reads as a braced body. */
function leadingBrace(e: A.Expr): boolean {
  switch (e.kind) {
    case "object":
    case "setCompr":
    case "objectCompr":
      return true;
    case "set":
      return e.items.length > 0;
    case "binary":
      return leadingBrace(e.left);
    case "ref":
      return leadingBrace(e.head);
    default:
      return false;
  }
}

function fixBody(b: A.Body): A.Body {
  const lits = b.literals.map(fixLiteral);
  const only = lits[0];
  const braced =
    b.braced || lits.length !== 1 || (only !== undefined && only.kind === "exprLiteral" && leadingBrace(only.expr));
  return { ...b, braced, literals: lits };
}

function fixWith(w: A.With): A.With {
  return { ...w, target: fixExpr(w.target, PRIMARY), value: fixExpr(w.value, 0) };
}

function fixLiteral(l: A.Literal): A.Literal {
  switch (l.kind) {
    case "exprLiteral":
      return { ...l, expr: fixExpr(l.expr, 0), with: l.with.map(fixWith) };
    case "assign":
      return { ...l, value: fixExpr(l.value, 0), with: l.with.map(fixWith) };
    case "someDecl":
      return l;
    case "someIn":
      return { ...l, domain: fixExpr(l.domain, 0), with: l.with.map(fixWith) };
    case "every":
      return { ...l, domain: fixExpr(l.domain, 0), body: fixBody(l.body), with: l.with.map(fixWith) };
  }
}

function fixOpt<T>(x: T | null, f: (x: T) => T): T | null {
  return x === null ? null : f(x);
}

function fixStatement(s: A.Statement): A.Statement {
  const e0 = (e: A.Expr): A.Expr => fixExpr(e, 0);
  switch (s.kind) {
    case "default":
      return { ...s, value: e0(s.value) };
    case "schema":
      return { ...s, schema: e0(s.schema) };
    case "test":
      return { ...s, body: fixBody(s.body) };
    case "rule":
    case "function": {
      const elses = s.elses.map((el) => ({ ...el, value: fixOpt(el.value, e0), body: fixOpt(el.body, fixBody) }));
      if (s.kind === "function") return { ...s, value: fixOpt(s.value, e0), body: fixOpt(s.body, fixBody), elses };
      return { ...s, key: fixOpt(s.key, e0), value: fixOpt(s.value, e0), body: fixOpt(s.body, fixBody), elses };
    }
  }
}

function canonical(m: A.Module): A.Module {
  return { ...m, statements: m.statements.map(fixStatement) };
}

// ---- comparison helpers ----

/** A plain copy of an AST (or any JSON-like value) without `loc` and `nameLoc`. */
export function stripLocs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripLocs);
  if (node !== null && typeof node === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k !== "loc" && k !== "nameLoc") out[k] = stripLocs(v);
    }
    return out;
  }
  return node;
}

/** True when some string scalar is a raw string spanning lines (its layout then depends on the source). */
export function hasMultilineRawString(node: unknown): boolean {
  if (Array.isArray(node)) return node.some(hasMultilineRawString);
  if (node === null || typeof node !== "object") return false;
  const n = node as { kind?: unknown; raw?: unknown };
  if (n.kind === "scalar" && typeof n.raw === "string" && n.raw.startsWith("`") && /[\r\n]/.test(n.raw)) return true;
  return Object.values(node).some(hasMultilineRawString);
}

/**
 * `stripLocs` plus the rewrites that keep meaning: Paren nodes removed, `(a.b).c` flattened into
 * `a.b.c`, and `-(1)` read as the number `-1`.
 */
export function normalizeExpr(node: unknown): unknown {
  const plain = stripLocs(node);
  const walk = (n: unknown): unknown => {
    if (Array.isArray(n)) return n.map(walk);
    if (n === null || typeof n !== "object") return n;
    const o = Object.fromEntries(Object.entries(n).map(([k, v]) => [k, walk(v)])) as Record<string, unknown>;
    if (o["kind"] === "paren") return o["expr"];
    if (o["kind"] === "ref") {
      const head = o["head"] as Record<string, unknown>;
      if (head["kind"] === "ref")
        return { ...o, head: head["head"], path: [...(head["path"] as unknown[]), ...(o["path"] as unknown[])] };
    }
    if (o["kind"] === "neg") {
      const x = o["operand"] as Record<string, unknown>;
      if (x["kind"] === "scalar" && typeof x["value"] === "number" && !String(x["raw"]).startsWith("-")) {
        return { kind: "scalar", value: -x["value"], raw: "-" + String(x["raw"]) };
      }
    }
    return o;
  };
  return walk(plain);
}
