// Rejects recursion: the rule graph must be acyclic so that every evaluation terminates.
import type { Loc, With } from "./ast.js";
import { codes, error, type Diagnostic } from "./diagnostics.js";
import type { RuleGroup, WithRes } from "./program.js";
import type { DataUse } from "./resolve.js";

/** The groups a data path reaches: the rule it names (or lies inside), or every rule below it. */
export function groupsReached(path: readonly string[], groups: ReadonlyMap<string, RuleGroup>): RuleGroup[] {
  for (let i = path.length; i > 0; i--) {
    const g = groups.get(path.slice(0, i).join("."));
    if (g) return [g];
  }
  const prefix = path.length === 0 ? "" : path.join(".") + ".";
  return [...groups.values()].filter((g) => g.key.startsWith(prefix));
}

type Edges = Map<string, { to: string; loc: Loc }[]>;

/** Which rule groups each rule group refers to. */
function dependencies(uses: readonly DataUse[], groups: ReadonlyMap<string, RuleGroup>): Edges {
  const edges: Edges = new Map();
  for (const u of uses) {
    if (u.from === null) continue;
    const list = edges.get(u.from) ?? [];
    for (const g of groupsReached(u.path, groups)) list.push({ to: g.key, loc: u.loc });
    edges.set(u.from, list);
  }
  return edges;
}

/** `with f as g` recurses forever when `g` (directly or not) calls `f`: reject it like recursion. */
export function checkWithRecursion(
  withs: ReadonlyMap<With, WithRes>,
  uses: readonly DataUse[],
  groups: ReadonlyMap<string, RuleGroup>,
  diagnostics: Diagnostic[],
): void {
  const edges = dependencies(uses, groups);
  const reaches = (from: string, to: string): boolean => {
    const seen = new Set<string>();
    const stack = [from];
    while (stack.length) {
      const k = stack.pop()!;
      if (k === to) return true;
      if (seen.has(k)) continue;
      seen.add(k);
      for (const e of edges.get(k) ?? []) stack.push(e.to);
    }
    return false;
  };
  for (const [w, res] of withs) {
    const r = res.kind === "function" ? res.replacement : null;
    if (res.kind !== "function" || r?.kind !== "function" || r.key === res.key) continue;
    if (reaches(r.key, res.key)) {
      diagnostics.push(
        error(
          codes.recursion,
          w.loc,
          `replacing '${res.key}' by '${r.key}' recurses: '${r.key}' calls '${res.key}'`,
          "replace it by a function that does not depend on it",
        ),
      );
    }
  }
}

export function checkRecursion(
  uses: readonly DataUse[],
  groups: ReadonlyMap<string, RuleGroup>,
  diagnostics: Diagnostic[],
): void {
  const edges = dependencies(uses, groups);

  const state = new Map<string, "active" | "done">();
  const stack: string[] = [];
  const reported = new Set<string>();

  const visit = (key: string): void => {
    state.set(key, "active");
    stack.push(key);
    for (const { to, loc } of edges.get(key) ?? []) {
      const s = state.get(to);
      if (s === "active") {
        const cycle = [...stack.slice(stack.indexOf(to)), to];
        const id = [...cycle].sort().join(">");
        if (!reported.has(id)) {
          reported.add(id);
          const message =
            cycle.length === 2 ? `rule '${to}' refers to itself` : `recursion between rules: ${cycle.join(" -> ")}`;
          diagnostics.push(
            error(
              codes.recursion,
              loc,
              message,
              "rules and functions cannot depend on themselves; compute the value another way",
            ),
          );
        }
      } else if (s === undefined) {
        visit(to);
      }
    }
    stack.pop();
    state.set(key, "done");
  };

  for (const key of [...edges.keys()].sort()) if (!state.has(key)) visit(key);
}
