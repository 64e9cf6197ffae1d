// The Verdict AST: one readonly union tagged by `kind`; every node carries a `loc`.
// The parser produces it, the checker and formatter read it, the compiler turns it into closures.

/** A source range. Lines and columns are 1-based; offsets are 0-based, `endOffset` exclusive. */
export interface Loc {
  readonly file: string;
  readonly line: number;
  readonly col: number;
  readonly endLine: number;
  readonly endCol: number;
  readonly offset: number;
  readonly endOffset: number;
}

export interface Comment {
  readonly kind: "comment";
  readonly loc: Loc;
  /** The comment text without the leading `#`. */
  readonly text: string;
}

export interface Module {
  readonly kind: "module";
  readonly loc: Loc;
  readonly package: Package;
  readonly imports: readonly Import[];
  readonly statements: readonly Statement[];
  readonly comments: readonly Comment[];
}

export interface Package {
  readonly kind: "package";
  readonly loc: Loc;
  /** Path below `data`, e.g. ["http", "authz"] for `package http.authz`. */
  readonly path: readonly string[];
}

export interface Import {
  readonly kind: "import";
  readonly loc: Loc;
  /** "data" or "input". */
  readonly root: "data" | "input";
  readonly path: readonly string[];
  /** The local name: the `as` alias, else the last path element (or the root). */
  readonly alias: string;
  readonly explicitAlias: boolean;
}

export type Statement = Rule | Default | Func | Test | SchemaDecl;

/** `default name := value` */
export interface Default {
  readonly kind: "default";
  readonly loc: Loc;
  readonly name: Name;
  readonly value: Expr;
}

/**
 * A rule definition. `form` says what the head builds:
 * - "value": `name := v if {...}` or `name if {...}` (value true)
 * - "set": `name contains v if {...}`
 * - "object": `name[k] := v if {...}`
 */
export interface Rule {
  readonly kind: "rule";
  readonly loc: Loc;
  readonly name: Name;
  readonly form: "value" | "set" | "object";
  /** The key of an object rule; null otherwise. */
  readonly key: Expr | null;
  /** The produced value or set element; null means the implicit `true`. */
  readonly value: Expr | null;
  readonly body: Body | null;
  readonly elses: readonly Else[];
}

/** `name(a, b) := v if {...}`: a function definition. */
export interface Func {
  readonly kind: "function";
  readonly loc: Loc;
  readonly name: Name;
  readonly params: readonly Var[];
  readonly value: Expr | null;
  readonly body: Body | null;
  readonly elses: readonly Else[];
}

/** `else := v if {...}`, `else if {...}` (value true) or a final `else := v`. */
export interface Else {
  readonly kind: "else";
  readonly loc: Loc;
  readonly value: Expr | null;
  readonly body: Body | null;
}

/** `test "name" { ... }`: a policy unit test. */
export interface Test {
  readonly kind: "test";
  readonly loc: Loc;
  readonly name: string;
  readonly nameLoc: Loc;
  readonly body: Body;
}

/** `schema input := {...}`: a JSON Schema for the input (or data) of this package. */
export interface SchemaDecl {
  readonly kind: "schema";
  readonly loc: Loc;
  readonly target: "input" | "data";
  readonly schema: Expr;
}

export interface Name {
  readonly kind: "name";
  readonly loc: Loc;
  readonly value: string;
}

/** A conjunction of literals, in braces or (after `if`) a single literal. */
export interface Body {
  readonly kind: "body";
  readonly loc: Loc;
  readonly braced: boolean;
  readonly literals: readonly Literal[];
}

export type Literal = ExprLiteral | Assign | SomeDecl | SomeIn | Every;

export interface ExprLiteral {
  readonly kind: "exprLiteral";
  readonly loc: Loc;
  readonly expr: Expr;
  readonly with: readonly With[];
}

/** `x := value` binds a new local; `[a, _, c] := value` destructures an array of that length. */
export interface Assign {
  readonly kind: "assign";
  readonly loc: Loc;
  /** A variable, or an array literal whose items are all variables (or `_`). */
  readonly target: Var | ArrayLit;
  readonly value: Expr;
  readonly with: readonly With[];
}

/** `some x, y` declares locals that a later reference binds by iteration. */
export interface SomeDecl {
  readonly kind: "someDecl";
  readonly loc: Loc;
  readonly vars: readonly Var[];
}

/** `some v in c` or `some k, v in c` iterates a collection. */
export interface SomeIn {
  readonly kind: "someIn";
  readonly loc: Loc;
  readonly key: Var | null;
  readonly value: Var;
  readonly domain: Expr;
  readonly with: readonly With[];
}

/** `every v in c { ... }` or `every k, v in c { ... }`. */
export interface Every {
  readonly kind: "every";
  readonly loc: Loc;
  readonly key: Var | null;
  readonly value: Var;
  readonly domain: Expr;
  readonly body: Body;
  readonly with: readonly With[];
}

/** `with input.x as v`: replaces a document or function while a literal runs (tests). */
export interface With {
  readonly kind: "with";
  readonly loc: Loc;
  readonly target: Expr;
  readonly value: Expr;
}

export type Expr =
  | Scalar
  | Var
  | Ref
  | Call
  | Binary
  | Not
  | Neg
  | Paren
  | ArrayLit
  | ObjectLit
  | SetLit
  | ArrayCompr
  | SetCompr
  | ObjectCompr;

export interface Scalar {
  readonly kind: "scalar";
  readonly loc: Loc;
  readonly value: null | boolean | number | string;
  /** The source spelling (numbers and strings), kept so the formatter does not rewrite it. */
  readonly raw: string;
}

export interface Var {
  readonly kind: "var";
  readonly loc: Loc;
  readonly name: string;
}

export type RefPart = FieldPart | IndexPart;

/** `.name` */
export interface FieldPart {
  readonly kind: "field";
  readonly loc: Loc;
  readonly name: string;
}

/** `[expr]` */
export interface IndexPart {
  readonly kind: "index";
  readonly loc: Loc;
  readonly index: Expr;
}

/** `head.a[b].c`: a path into a document. */
export interface Ref {
  readonly kind: "ref";
  readonly loc: Loc;
  readonly head: Expr;
  readonly path: readonly RefPart[];
}

/** `f(x)`, `glob.match(p, d, s)`, `data.lib.f(x)`. */
export interface Call {
  readonly kind: "call";
  readonly loc: Loc;
  /** The dotted name as written, e.g. "glob.match". */
  readonly name: string;
  readonly nameLoc: Loc;
  readonly args: readonly Expr[];
}

export type BinaryOp = "or" | "and" | "==" | "!=" | "<" | "<=" | ">" | ">=" | "in" | "+" | "-" | "*" | "/" | "%";

export interface Binary {
  readonly kind: "binary";
  readonly loc: Loc;
  readonly op: BinaryOp;
  readonly left: Expr;
  readonly right: Expr;
}

/** `not e`: true when `e` is undefined or false. */
export interface Not {
  readonly kind: "not";
  readonly loc: Loc;
  readonly operand: Expr;
}

/** `-e` */
export interface Neg {
  readonly kind: "neg";
  readonly loc: Loc;
  readonly operand: Expr;
}

/** `(e)`: kept so the formatter preserves the author's grouping. */
export interface Paren {
  readonly kind: "paren";
  readonly loc: Loc;
  readonly expr: Expr;
}

export interface ArrayLit {
  readonly kind: "array";
  readonly loc: Loc;
  readonly items: readonly Expr[];
}

export interface ObjectEntry {
  readonly kind: "entry";
  readonly loc: Loc;
  readonly key: Expr;
  readonly value: Expr;
}

export interface ObjectLit {
  readonly kind: "object";
  readonly loc: Loc;
  readonly entries: readonly ObjectEntry[];
}

/** `{a, b}`; the empty set is written `set()`. */
export interface SetLit {
  readonly kind: "set";
  readonly loc: Loc;
  readonly items: readonly Expr[];
}

export interface ArrayCompr {
  readonly kind: "arrayCompr";
  readonly loc: Loc;
  readonly term: Expr;
  readonly body: Body;
}

export interface SetCompr {
  readonly kind: "setCompr";
  readonly loc: Loc;
  readonly term: Expr;
  readonly body: Body;
}

export interface ObjectCompr {
  readonly kind: "objectCompr";
  readonly loc: Loc;
  readonly key: Expr;
  readonly value: Expr;
  readonly body: Body;
}

export type Node =
  Module | Package | Import | Statement | Name | Else | Body | Literal | With | Expr | RefPart | ObjectEntry | Comment;

/** Operator precedence, loosest first; used by the parser's grammar order and the formatter. */
export const precedence: Readonly<Record<BinaryOp, number>> = {
  or: 1,
  and: 2,
  "==": 4,
  "!=": 4,
  "<": 4,
  "<=": 4,
  ">": 4,
  ">=": 4,
  in: 4,
  "+": 5,
  "-": 5,
  "*": 6,
  "/": 6,
  "%": 6,
};
/** `not` binds tighter than `and` and looser than comparisons: `not a == b` is `not (a == b)`. */
export const notPrecedence = 3;
