// Expressions, literals and bodies onto a Writer. Layout rules:
// - operators get single spaces, `, ` separates items, nothing pads the inside of brackets;
// - parentheses come from Paren nodes; the printer adds its own only when a hand-built AST would
//   otherwise read back differently (never for an AST the parser produced);
// - a collection or comprehension whose source spanned several lines prints one item (or body
//   literal) per line, items with a trailing comma, the closing bracket on its own line; a call
//   does so (without trailing comma, which the grammar forbids) when its first argument started
//   on a later line than the function name; everything else stays on one line;
// - braced bodies print one literal per line, except inside a one-line comprehension, where
//   `{ a; b }` keeps the comprehension on one line; one-line comprehension bodies use `; `.
import * as A from "../ast.js";
import type { Writer } from "./writer.js";

export interface Layout {
  /** Print every collection, comprehension and call on one line (no source to consult). */
  readonly flat: boolean;
  /** True when a comment starts inside [start, end) of the source. */
  hasCommentIn(start: number, end: number): boolean;
}

const UNARY = 7;
const PRIMARY = 8;
const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** How tightly an expression binds, on the scale of `precedence` in ast.ts. */
export function exprPrecedence(e: A.Expr): number {
  switch (e.kind) {
    case "binary":
      return A.precedence[e.op];
    case "not":
      return A.notPrecedence;
    case "neg":
      return UNARY;
    case "scalar":
      return scalarText(e).startsWith("-") ? UNARY : PRIMARY;
    default:
      return PRIMARY;
  }
}

/** Minimum precedence of the left and right operands: comparisons do not chain, others are left-associative. */
function operandPrecedence(op: A.BinaryOp): [number, number] {
  const p = A.precedence[op];
  return p === A.precedence["=="] ? [p + 1, p + 1] : [p, p + 1];
}

/** `-1` is a number literal, so a negation of a positive number needs parentheses to stay a negation. */
function isUnsignedNumber(e: A.Expr): boolean {
  return e.kind === "scalar" && typeof e.value === "number" && !scalarText(e).startsWith("-");
}

export function scalarText(e: A.Scalar): string {
  if (e.raw !== "") return e.raw;
  return typeof e.value === "string" ? JSON.stringify(e.value) : String(e.value);
}

/** The last source line of a literal before its `with` clauses. */
function withsStart(l: A.Literal): number {
  switch (l.kind) {
    case "exprLiteral":
      return l.expr.loc.endLine;
    case "assign":
      return l.value.loc.endLine;
    case "someIn":
      return l.domain.loc.endLine;
    case "every":
      return l.body.loc.endLine;
    case "someDecl":
      return l.loc.endLine;
  }
}

/** True when the printed expression begins with `{` (which `if` would read as a body). */
export function startsWithBrace(e: A.Expr): boolean {
  switch (e.kind) {
    case "object":
    case "setCompr":
    case "objectCompr":
      return true;
    case "set":
      return e.items.length > 0;
    case "binary":
      return exprPrecedence(e.left) >= operandPrecedence(e.op)[0] && startsWithBrace(e.left);
    case "ref":
      return exprPrecedence(e.head) >= PRIMARY && startsWithBrace(e.head);
    default:
      return false;
  }
}

function literalStartsWithBrace(l: A.Literal): boolean {
  return l.kind === "exprLiteral" && startsWithBrace(l.expr);
}

export class Printer {
  constructor(
    private readonly w: Writer,
    private readonly layout: Layout,
  ) {}

  expr(e: A.Expr): void {
    const w = this.w;
    switch (e.kind) {
      case "scalar":
        return w.put(scalarText(e), e.loc.offset, e.loc.endOffset);
      case "var":
        return w.put(e.name, e.loc.offset, e.loc.endOffset);
      case "paren":
        w.put("(", e.loc.offset, e.loc.offset + 1);
        this.expr(e.expr);
        return w.put(")", e.loc.endOffset - 1, e.loc.endOffset);
      case "binary": {
        const [left, right] = operandPrecedence(e.op);
        this.operand(e.left, left);
        w.put(` ${e.op} `);
        return this.operand(e.right, right);
      }
      case "not":
        w.put("not ", e.loc.offset, e.loc.offset + 3);
        return this.operand(e.operand, A.notPrecedence);
      case "neg":
        w.put("-", e.loc.offset, e.loc.offset + 1);
        return this.operand(e.operand, UNARY, isUnsignedNumber(e.operand));
      case "ref":
        this.operand(e.head, PRIMARY);
        for (const part of e.path) this.refPart(part);
        return;
      case "call":
        return this.call(e);
      case "array":
        return this.items(e, "[", "]", e.items, (x) => this.expr(x));
      case "set":
        if (e.items.length === 0) return w.put("set()", e.loc.offset, e.loc.endOffset);
        return this.items(e, "{", "}", e.items, (x) => this.expr(x));
      case "object":
        return this.items(e, "{", "}", e.entries, (entry) => {
          this.expr(entry.key);
          w.put(": ");
          this.expr(entry.value);
        });
      case "arrayCompr":
        return this.comprehension(e, "[", "]", () => this.expr(e.term), e.body);
      case "setCompr":
        return this.comprehension(e, "{", "}", () => this.expr(e.term), e.body);
      case "objectCompr":
        return this.comprehension(
          e,
          "{",
          "}",
          () => {
            this.expr(e.key);
            w.put(": ");
            this.expr(e.value);
          },
          e.body,
        );
    }
  }

  /** A literal; `inline` prints nested `every` bodies as `{ a; b }`. */
  literal(l: A.Literal, inline: boolean): void {
    const w = this.w;
    switch (l.kind) {
      case "exprLiteral":
        this.expr(l.expr);
        break;
      case "assign":
        this.expr(l.target);
        w.put(" := ");
        this.expr(l.value);
        break;
      case "someDecl":
        w.put("some ", l.loc.offset, l.loc.offset + 4);
        return this.vars(l.vars);
      case "someIn":
        w.put("some ", l.loc.offset, l.loc.offset + 4);
        this.vars(l.key ? [l.key, l.value] : [l.value]);
        w.put(" in ");
        this.expr(l.domain);
        break;
      case "every":
        w.put("every ", l.loc.offset, l.loc.offset + 5);
        this.vars(l.key ? [l.key, l.value] : [l.value]);
        w.put(" in ");
        this.expr(l.domain);
        w.put(" ");
        this.block(l.body, inline);
        break;
    }
    // A `with` that started its own line in the source stays on a continuation line.
    let previousEnd = withsStart(l);
    for (const clause of l.with) {
      if (!inline && clause.loc.line > previousEnd) {
        w.line(w.indent + 1, "item");
        w.put("with", clause.loc.offset, clause.loc.offset + 4);
      } else {
        w.put(" with", clause.loc.offset, clause.loc.offset + 4);
      }
      previousEnd = clause.loc.endLine;
      w.put(" ");
      this.operand(clause.target, PRIMARY);
      w.put(" as ");
      this.expr(clause.value);
    }
  }

  /** ` if <literal>` or ` if { ... }` after a rule head. */
  ifBody(b: A.Body): void {
    this.w.put(" if ");
    const only = b.literals[0];
    if (!b.braced && b.literals.length === 1 && only !== undefined && !literalStartsWithBrace(only)) {
      this.literal(only, false);
    } else {
      this.block(b, false);
    }
  }

  /** A braced body: `{}`, `{ a; b }` when inline, else one literal per line. */
  block(b: A.Body, inline: boolean): void {
    const w = this.w;
    const start = b.braced ? b.loc.offset : -1;
    const end = b.braced ? b.loc.endOffset : -1;
    if (inline) {
      w.put("{", start, start + 1);
      b.literals.forEach((l, i) => {
        w.put(i === 0 ? " " : "; ");
        this.literal(l, true);
      });
      return w.put(b.literals.length > 0 ? " }" : "}", end - 1, end);
    }
    if (b.literals.length === 0 && !this.layout.hasCommentIn(start + 1, end - 1)) return w.put("{}", start, end);
    w.put("{", start, start + 1);
    this.lines(b.literals, (l) => this.literal(l, false), "", "}", end);
  }

  private refPart(part: A.RefPart): void {
    const w = this.w;
    if (part.kind === "field") {
      if (identifier.test(part.name)) {
        w.put(".");
        return w.put(part.name, part.loc.offset, part.loc.endOffset);
      }
      // Not spellable after a dot (hand-built AST): index with the string instead.
      return w.put(`[${JSON.stringify(part.name)}]`, part.loc.offset, part.loc.endOffset);
    }
    w.put("[", part.loc.offset, part.loc.offset + 1);
    this.expr(part.index);
    w.put("]", part.loc.endOffset - 1, part.loc.endOffset);
  }

  private call(e: A.Call): void {
    const w = this.w;
    w.put(e.name, e.nameLoc.offset, e.nameLoc.endOffset);
    w.put("(");
    const first = e.args[0];
    if (this.layout.flat || first === undefined || first.loc.line <= e.nameLoc.endLine) {
      e.args.forEach((arg, i) => {
        if (i > 0) w.put(", ");
        this.expr(arg);
      });
      return w.put(")", e.loc.endOffset - 1, e.loc.endOffset);
    }
    const lastArg = e.args.length - 1;
    this.lines(
      e.args,
      (arg) => this.expr(arg),
      (i) => (i < lastArg ? "," : ""),
      ")",
      e.loc.endOffset,
    );
  }

  private items<T>(node: A.Expr, open: string, close: string, items: readonly T[], each: (item: T) => void): void {
    const w = this.w;
    const { offset: start, endOffset: end } = node.loc;
    w.put(open, start, start + 1);
    const multi = this.spansLines(node) && (items.length > 0 || this.layout.hasCommentIn(start + 1, end - 1));
    if (!multi) {
      items.forEach((item, i) => {
        if (i > 0) w.put(", ");
        each(item);
      });
      return w.put(close, end - 1, end);
    }
    this.lines(items, each, ",", close, end);
  }

  private comprehension(node: A.Expr, open: string, close: string, head: () => void, body: A.Body): void {
    const w = this.w;
    const { offset: start, endOffset: end } = node.loc;
    w.put(open, start, start + 1);
    head();
    w.put(" |");
    const headEnd = this.w.lastEnd();
    const multi = this.spansLines(node) && (body.literals.length > 0 || this.layout.hasCommentIn(headEnd, end - 1));
    if (!multi) {
      body.literals.forEach((l, i) => {
        w.put(i === 0 ? " " : "; ");
        this.literal(l, true);
      });
      return w.put(close, end - 1, end);
    }
    this.lines(body.literals, (l) => this.literal(l, false), "", close, end);
  }

  /**
   * Ends the current line as a block opener, prints each element on its own line one level
   * deeper (followed by `suffix`), then the closing bracket at the current level.
   */
  private lines<T>(
    elements: readonly T[],
    each: (element: T) => void,
    suffix: string | ((index: number) => string),
    close: string,
    end: number,
  ): void {
    const w = this.w;
    w.open();
    const base = w.indent;
    elements.forEach((element, i) => {
      w.line(base + 1, "item");
      each(element);
      w.put(typeof suffix === "string" ? suffix : suffix(i));
    });
    w.line(base, "cont", { commentIndent: base + 1 });
    w.put(close, end - 1, end);
  }

  private operand(e: A.Expr, min: number, force = false): void {
    if (!force && exprPrecedence(e) >= min) return this.expr(e);
    this.w.put("(");
    this.expr(e);
    this.w.put(")");
  }

  private vars(vars: readonly A.Var[]): void {
    vars.forEach((v, i) => {
      if (i > 0) this.w.put(", ");
      this.expr(v);
    });
  }

  private spansLines(node: A.Expr): boolean {
    return !this.layout.flat && node.loc.endLine > node.loc.line;
  }
}
