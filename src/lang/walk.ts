// A generic walk over a module's bodies and expressions, for passes that only need to look
// (schema checks, coverage). Exhaustive over node kinds, so a new kind breaks the build here.
import type * as A from "./ast.js";

export interface Visitor {
  /** Every expression, outermost first. */
  readonly expr?: (e: A.Expr) => void;
  /** Every literal, with the statement it belongs to. */
  readonly literal?: (l: A.Literal, owner: A.Statement) => void;
}

export function walkModule(m: A.Module, v: Visitor): void {
  for (const s of m.statements) walkStatement(s, v);
}

export function walkStatement(s: A.Statement, v: Visitor): void {
  const expr = (e: A.Expr): void => walkExpr(e, v, s);
  const body = (b: A.Body | null): void => b?.literals.forEach((l) => walkLiteral(l, v, s));
  switch (s.kind) {
    case "rule":
      body(s.body);
      if (s.key) expr(s.key);
      if (s.value) expr(s.value);
      break;
    case "function":
      body(s.body);
      if (s.value) expr(s.value);
      break;
    case "test":
      return body(s.body);
    case "default":
      return expr(s.value);
    case "schema":
      return;
  }
  for (const e of s.elses) {
    body(e.body);
    if (e.value) expr(e.value);
  }
}

function walkLiteral(l: A.Literal, v: Visitor, owner: A.Statement): void {
  v.literal?.(l, owner);
  const expr = (e: A.Expr): void => walkExpr(e, v, owner);
  switch (l.kind) {
    case "exprLiteral":
      expr(l.expr);
      break;
    case "assign":
      expr(l.value);
      break;
    case "someDecl":
      return;
    case "someIn":
      expr(l.domain);
      break;
    case "every":
      expr(l.domain);
      l.body.literals.forEach((x) => walkLiteral(x, v, owner));
      break;
  }
  for (const w of l.with) expr(w.value);
}

function walkExpr(e: A.Expr, v: Visitor, owner: A.Statement): void {
  v.expr?.(e);
  const expr = (x: A.Expr): void => walkExpr(x, v, owner);
  const body = (b: A.Body): void => b.literals.forEach((l) => walkLiteral(l, v, owner));
  switch (e.kind) {
    case "scalar":
    case "var":
      return;
    case "ref":
      if (e.head.kind !== "var") expr(e.head);
      for (const p of e.path) if (p.kind === "index") expr(p.index);
      return;
    case "call":
      return e.args.forEach(expr);
    case "binary":
      expr(e.left);
      return expr(e.right);
    case "not":
    case "neg":
      return expr(e.operand);
    case "paren":
      return expr(e.expr);
    case "array":
    case "set":
      return e.items.forEach(expr);
    case "object":
      for (const en of e.entries) {
        expr(en.key);
        expr(en.value);
      }
      return;
    case "arrayCompr":
    case "setCompr":
      body(e.body);
      return expr(e.term);
    case "objectCompr":
      body(e.body);
      expr(e.key);
      return expr(e.value);
  }
}
