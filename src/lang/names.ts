// Names written as dotted paths: `f`, `glob.match`, `data.lib.f`.
import type * as A from "./ast.js";

/** `a.b.c` for a variable or a reference made only of `.field` parts; null for anything else. */
export function dottedName(e: A.Expr): string | null {
  if (e.kind === "var") return e.name;
  if (e.kind !== "ref" || e.head.kind !== "var") return null;
  const parts = [e.head.name];
  for (const p of e.path) {
    if (p.kind !== "field") return null;
    parts.push(p.name);
  }
  return parts.join(".");
}
