// Rejects recursion: the rule graph must be acyclic so that every evaluation terminates.
import type { Loc } from "./ast.js";
import { codes, error, type Diagnostic } from "./diagnostics.js";
import type { RuleGroup } from "./program.js";
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

export function checkRecursion(
  uses: readonly DataUse[],
  groups: ReadonlyMap<string, RuleGroup>,
  diagnostics: Diagnostic[],
): void {
  const edges = new Map<string, { to: string; loc: Loc }[]>();
  for (const u of uses) {
    if (u.from === null) continue;
    const list = edges.get(u.from) ?? [];
    for (const g of groupsReached(u.path, groups)) list.push({ to: g.key, loc: u.loc });
    edges.set(u.from, list);
  }

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
