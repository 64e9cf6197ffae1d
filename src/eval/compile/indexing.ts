// Rule indexing. A rule with many definitions that each start by comparing the same input
// field with a constant (`input.method == "GET"`, route tables, role tables) is indexed on
// that field: one map lookup picks the definitions that can match, the rest are skipped.
import type * as A from "../../lang/ast.js";
import type { Resolution } from "../../lang/program.js";
import type { Ctx } from "../context.js";
import { keyOf, type Value } from "../value.js";
import type { Compiler } from "./compiler.js";

/** Fewer definitions than this are cheaper to just try. */
const MIN_DEFINITIONS = 4;

export interface DefinitionIndex<D> {
  /** The definitions worth trying for this evaluation, in source order. */
  readonly select: (ctx: Ctx) => readonly D[];
}

/** Builds an index over `defs` (parallel to `asts`), or returns null when no field is shared enough. */
export function indexDefinitions<D>(
  c: Compiler,
  asts: readonly (A.Rule | A.Func)[],
  defs: readonly D[],
): DefinitionIndex<D> | null {
  if (c.instrument || asts.length < MIN_DEFINITIONS) return null;
  const guards = asts.map((a) => guardOf(a, c.res));
  const counts = new Map<string, number>();
  for (const g of guards) if (g) counts.set(g.path.join("."), (counts.get(g.path.join(".")) ?? 0) + 1);
  const best = [...counts].sort((a, b) => b[1] - a[1])[0];
  if (!best || best[1] < MIN_DEFINITIONS - 1) return null;
  const field = best[0];

  const unindexed: number[] = [];
  const byKey = new Map<string, number[]>();
  guards.forEach((g, i) => {
    if (!g || g.path.join(".") !== field) return void unindexed.push(i);
    const k = keyOf(g.value);
    byKey.set(k, [...(byKey.get(k) ?? []), i]);
  });
  const pick = (indices: number[]): D[] => indices.sort((a, b) => a - b).map((i) => defs[i]!);
  const fallback = pick([...unindexed]);
  const table = new Map([...byKey].map(([k, is]) => [k, pick([...is, ...unindexed])]));
  const read = c.documents.input(guards.find((g) => g && g.path.join(".") === field)!.path).scalar!;
  return {
    select: (ctx) => {
      const v = read({ ctx, s: [] });
      return v === undefined ? fallback : (table.get(keyOf(v)) ?? fallback);
    },
  };
}

/** `input.a.b == <constant>` (either way round) as the first literal of a definition's body. */
function guardOf(def: A.Rule | A.Func, res: Resolution): { path: string[]; value: Value } | null {
  if (def.elses.length > 0) return null;
  const first = def.body?.literals[0];
  if (first?.kind !== "exprLiteral" || first.with.length > 0) return null;
  const e = first.expr;
  if (e.kind !== "binary" || e.op !== "==") return null;
  for (const [ref, constant] of [
    [e.left, e.right],
    [e.right, e.left],
  ] as const) {
    if (constant.kind !== "scalar") continue;
    const path = inputPath(ref, res);
    if (path) return { path, value: constant.value };
  }
  return null;
}

function inputPath(e: A.Expr, res: Resolution): string[] | null {
  const head = e.kind === "ref" ? e.head : e;
  if (head.kind !== "var") return null;
  const r = res.vars.get(head);
  if (r?.kind !== "input") return null;
  const path = [...r.path];
  if (e.kind === "ref") {
    for (const p of e.path) {
      if (p.kind !== "field") return null;
      path.push(p.name);
    }
  }
  return path;
}
