// Groups rule definitions by their data path and reports definitions that cannot coexist.
import type * as A from "./ast.js";
import { codes, error, type Diagnostic } from "./diagnostics.js";
import type { RuleGroup } from "./program.js";

interface MutableGroup {
  path: string[];
  key: string;
  form: RuleGroup["form"];
  defs: (A.Rule | A.Func)[];
  default: A.Default | null;
  arity: number;
}

export function groupRules(modules: readonly A.Module[], diagnostics: Diagnostic[]): Map<string, RuleGroup> {
  const groups = new Map<string, MutableGroup>();
  const defaults: { def: A.Default; key: string }[] = [];

  for (const m of modules) {
    for (const s of m.statements) {
      if (s.kind === "default") {
        defaults.push({ def: s, key: [...m.package.path, s.name.value].join(".") });
        continue;
      }
      if (s.kind !== "rule" && s.kind !== "function") continue;
      if (s.name.value === "input" || s.name.value === "data") {
        diagnostics.push(
          error(codes.reassigned, s.name.loc, `a rule cannot be named '${s.name.value}'`, "choose another name"),
        );
        continue;
      }
      const path = [...m.package.path, s.name.value];
      const key = path.join(".");
      const form = s.kind === "function" ? "function" : s.form;
      const arity = s.kind === "function" ? s.params.length : 0;
      const g = groups.get(key);
      if (!g) {
        groups.set(key, { path, key, form, defs: [s], default: null, arity });
      } else if (g.form !== form) {
        diagnostics.push(
          conflict(
            s.name.loc,
            `'${s.name.value}' is defined as ${describeForm(g.form)} and as ${describeForm(form)}`,
            g.defs[0]!,
          ),
        );
      } else if (form === "function" && g.arity !== arity) {
        diagnostics.push(
          conflict(
            s.name.loc,
            `function '${s.name.value}' is defined with ${g.arity} and with ${arity} parameters`,
            g.defs[0]!,
          ),
        );
      } else {
        g.defs.push(s);
      }
    }
  }

  for (const { def, key } of defaults) attachDefault(groups, def, key, diagnostics);
  checkPackagePrefixes(modules, groups, diagnostics);
  return groups;
}

function attachDefault(
  groups: Map<string, MutableGroup>,
  def: A.Default,
  key: string,
  diagnostics: Diagnostic[],
): void {
  const g = groups.get(key);
  if (!g) {
    // A default alone is still a rule: it always has its default value.
    groups.set(key, { path: key.split("."), key, form: "value", defs: [], default: def, arity: 0 });
  } else if (g.form !== "value") {
    diagnostics.push(
      error(
        codes.badDefault,
        def.loc,
        `'${def.name.value}' is ${describeForm(g.form)}; only single-value rules have defaults`,
      ),
    );
  } else if (g.default) {
    diagnostics.push({
      ...error(
        codes.duplicateDefault,
        def.loc,
        `'${def.name.value}' has more than one default`,
        "keep one `default` line",
      ),
      related: [{ message: "first default here", loc: g.default.loc }],
    });
  } else {
    g.default = def;
  }
  if (!isConstant(def.value)) {
    diagnostics.push(
      error(
        codes.badDefault,
        def.value.loc,
        "a default value must be a constant",
        "use literals only, e.g. `default allow := false`",
      ),
    );
  }
}

/** A rule at `a.b` and a package `a.b.c` would both claim `data.a.b`. */
function checkPackagePrefixes(
  modules: readonly A.Module[],
  groups: Map<string, MutableGroup>,
  diagnostics: Diagnostic[],
): void {
  for (const m of modules) {
    const pkg = m.package.path;
    for (let i = 1; i < pkg.length; i++) {
      const g = groups.get(pkg.slice(0, i).join("."));
      if (g) {
        diagnostics.push({
          ...error(
            codes.packageConflict,
            m.package.loc,
            `package '${pkg.join(".")}' lies inside rule '${g.key}'`,
            "rename the package or the rule",
          ),
          related: [{ message: "the rule is defined here", loc: (g.defs[0] ?? g.default ?? m.package).loc }],
        });
      }
    }
  }
}

export function isConstant(e: A.Expr): boolean {
  switch (e.kind) {
    case "scalar":
      return true;
    case "paren":
      return isConstant(e.expr);
    case "neg":
      return isConstant(e.operand);
    case "array":
    case "set":
      return e.items.every(isConstant);
    case "object":
      return e.entries.every((en) => isConstant(en.key) && isConstant(en.value));
    default:
      return false;
  }
}

function describeForm(form: RuleGroup["form"]): string {
  switch (form) {
    case "value":
      return "a single-value rule";
    case "set":
      return "a set rule (`contains`)";
    case "object":
      return "an object rule (`name[key] := value`)";
    case "function":
      return "a function";
  }
}

function conflict(loc: A.Loc, message: string, first: { loc: A.Loc }): Diagnostic {
  return {
    ...error(codes.kindConflict, loc, message, "give the definitions different names"),
    related: [{ message: "first defined here", loc: first.loc }],
  };
}
