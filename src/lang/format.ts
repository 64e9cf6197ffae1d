// The canonical formatter: `format(module, source)` prints a whole module, `formatExpr(e)` one
// expression on one line (for explanations and test failures).
//
// Canonical style:
// - `package` line, a blank line, the imports in source order (blank lines between imports are
//   kept, at most one), a blank line, then the statements;
// - statements are separated by one blank line. Exception: a rule or function directly following
//   a definition of the same name (a rule, function or `default` of that name) stays adjacent when
//   no blank line separated the two in the source. The choice depends only on the names and on
//   the source, so formatting twice changes nothing;
// - 4-space indentation; braced bodies hold one literal per line; `} else := x if {` chains
//   continue on the closing-brace line; a body written without braces after `if` stays so;
// - inside bodies at most one blank line is kept where the source had any;
// - strings and numbers print as written (`raw`), parentheses only where the source had them;
// - collections, comprehensions and calls: see ./format/print.ts;
// - comments are all kept: own-line comments stay before what follows them at its indentation,
//   trailing comments stay at the end of their line after a single space, comments at the end of
//   a body stay inside it; see ./format/comments.ts;
// - the output ends with exactly one newline.
// With an empty `source` (an AST built in memory) every collection and call prints on one line;
// such a module must have no comments, since placing them needs the source.
import type * as A from "./ast.js";
import { CommentIndex, INDENT, render, SourceText } from "./format/comments.js";
import { Printer } from "./format/print.js";
import { Writer } from "./format/writer.js";

/**
 * The canonical text of `module`. `source` must be the text it was parsed from, without syntax
 * errors (statements the parser skipped are not in the AST, so they would be lost), or "" for
 * an AST built in memory.
 */
export function format(module: A.Module, source: string): string {
  const flat = source === "";
  if (flat && module.comments.length > 0) {
    throw new Error("format: comments can only be placed with the source text the module was parsed from");
  }
  const comments = new CommentIndex(module.comments);
  const src = new SourceText(source);
  const w = new Writer();
  const p = new Printer(w, { flat, hasCommentIn: (start, end) => comments.any(start, end) });

  const pkg = module.package;
  w.line(0, "top");
  w.put(`package ${pkg.path.join(".")}`, pkg.loc.offset, pkg.loc.endOffset);

  module.imports.forEach((imp, i) => {
    w.line(0, "top", { ensureBlank: i === 0 });
    const path = [imp.root, ...imp.path].join(".");
    w.put(`import ${path}${imp.explicitAlias ? ` as ${imp.alias}` : ""}`, imp.loc.offset, imp.loc.endOffset);
  });

  let prev: A.Statement | undefined;
  for (const s of module.statements) {
    w.line(0, "top", { ensureBlank: prev === undefined || !staysAdjacent(prev, s, src) });
    statement(p, w, s, source);
    prev = s;
  }
  return render(w.lines, comments.sorted, src);
}

/** One expression on one line, as written in a policy. */
export function formatExpr(e: A.Expr): string {
  const w = new Writer();
  w.line(0, "item");
  new Printer(w, { flat: true, hasCommentIn: () => false }).expr(e);
  return w.lines.map((l) => INDENT.repeat(l.indent) + l.text).join("\n");
}

function definedName(s: A.Statement): string | null {
  return s.kind === "rule" || s.kind === "function" || s.kind === "default" ? s.name.value : null;
}

/** Another definition of the same rule (or its `default`) with no blank line in between. */
function staysAdjacent(prev: A.Statement, next: A.Statement, src: SourceText): boolean {
  if (next.kind !== "rule" && next.kind !== "function") return false;
  if (definedName(prev) !== next.name.value) return false;
  return !src.blankBetween(prev.loc.endOffset, next.loc.offset);
}

const implicitTrue: A.Expr = {
  kind: "scalar",
  loc: { file: "", line: 1, col: 1, endLine: 1, endCol: 1, offset: -1, endOffset: -1 },
  value: true,
  raw: "true",
};

function statement(p: Printer, w: Writer, s: A.Statement, source: string): void {
  switch (s.kind) {
    case "default":
      w.put("default ", s.loc.offset, s.loc.offset + 7);
      name(w, s.name);
      w.put(" := ");
      return p.expr(s.value);
    case "schema":
      w.put(`schema ${s.target} := `, s.loc.offset, s.loc.offset + 6);
      return p.expr(s.schema);
    case "test":
      w.put("test ", s.loc.offset, s.loc.offset + 4);
      w.put(testName(s, source), s.nameLoc.offset, s.nameLoc.endOffset);
      w.put(" ");
      return p.block(s.body, false);
    case "function":
      name(w, s.name);
      w.put("(");
      s.params.forEach((param, i) => {
        if (i > 0) w.put(", ");
        p.expr(param);
      });
      w.put(")");
      return valueTail(p, w, s);
    case "rule":
      name(w, s.name);
      if (s.form === "set") {
        w.put(" contains ");
        p.expr(s.value ?? implicitTrue);
        if (s.body) p.ifBody(s.body);
        return;
      }
      if (s.form === "object") {
        w.put("[");
        p.expr(s.key ?? implicitTrue);
        w.put("] := ");
        p.expr(s.value ?? implicitTrue);
        if (s.body) p.ifBody(s.body);
        return;
      }
      return valueTail(p, w, s);
  }
}

/** `[:= value] [if body]` and the `else` chain of a value rule or function. */
function valueTail(p: Printer, w: Writer, s: A.Rule | A.Func): void {
  if (s.value !== null || s.body === null) {
    w.put(" := ");
    p.expr(s.value ?? implicitTrue);
  }
  if (s.body) p.ifBody(s.body);
  for (const e of s.elses) {
    w.put(" else", e.loc.offset, e.loc.offset + 4);
    if (e.value) {
      w.put(" := ");
      p.expr(e.value);
    }
    if (e.body) p.ifBody(e.body);
  }
}

function name(w: Writer, n: A.Name): void {
  w.put(n.value, n.loc.offset, n.loc.endOffset);
}

/** The test name as written when the source has it, else as a JSON string. */
function testName(t: A.Test, source: string): string {
  const raw = source.slice(t.nameLoc.offset, t.nameLoc.endOffset);
  try {
    if (raw.startsWith('"') && JSON.parse(raw) === t.name) return raw;
  } catch {
    // fall through to the canonical spelling
  }
  return JSON.stringify(t.name);
}
