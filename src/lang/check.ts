// The checker: groups rules, resolves names, rejects recursion and (given JSON Schemas)
// references that the input or data can never have. Reports every error it finds.
import type * as A from "./ast.js";
import { codes, error, sortDiagnostics, type Diagnostic } from "./diagnostics.js";
import { groupRules, isConstant } from "./groups.js";
import type { BuiltinArities, CheckResult, Program, TestCase } from "./program.js";
import { checkRecursion, checkWithRecursion } from "./recursion.js";
import { resolve } from "./resolve.js";
import { checkSchemas, type Schemas } from "./schema.js";
import { constantValue } from "./constant.js";

export interface CheckOptions {
  readonly builtins: BuiltinArities;
  /** JSON Schemas for `input` and `data`, e.g. from `verdict check --schema input=req.json`. */
  readonly schemas?: Schemas;
}

export function check(modules: readonly A.Module[], options: CheckOptions): CheckResult {
  const diagnostics: Diagnostic[] = [];
  const groups = groupRules(modules, diagnostics);
  const resolved = resolve(modules, groups, options.builtins, diagnostics);
  checkRecursion(resolved.uses, groups, diagnostics);
  checkWithRecursion(resolved.withs, resolved.uses, groups, diagnostics);
  const inputSchemas = declaredSchemas(modules, diagnostics);
  if (!diagnostics.length)
    checkSchemas(modules, resolved.vars, groups, inputSchemas, options.schemas ?? {}, diagnostics);

  const tests: TestCase[] = [];
  for (const m of modules) {
    for (const s of m.statements) if (s.kind === "test") tests.push({ test: s, packagePath: m.package.path });
  }
  const errors = diagnostics.filter((d) => d.severity === "error");
  const program: Program | null = errors.length
    ? null
    : {
        modules,
        groups,
        tests,
        resolution: {
          vars: resolved.vars,
          calls: resolved.calls,
          withs: resolved.withs,
          frameSizes: resolved.frameSizes,
        },
        inputSchemas,
      };
  return { program, diagnostics: sortDiagnostics(diagnostics) };
}

/** `schema input := {...}` declarations, by package key; at most one per package. */
function declaredSchemas(modules: readonly A.Module[], diagnostics: Diagnostic[]): Map<string, unknown> {
  const out = new Map<string, unknown>();
  for (const m of modules) {
    const key = m.package.path.join(".");
    for (const s of m.statements) {
      if (s.kind !== "schema") continue;
      if (s.target !== "input") {
        diagnostics.push(
          error(
            codes.schemaInvalid,
            s.loc,
            "only `schema input := {...}` can be declared in a package",
            "give data schemas to `verdict check --schema data=...`",
          ),
        );
      } else if (!isConstant(s.schema)) {
        diagnostics.push(error(codes.schemaInvalid, s.schema.loc, "a schema must be a constant JSON value"));
      } else if (out.has(key)) {
        diagnostics.push(error(codes.schemaInvalid, s.loc, `package '${key}' declares its input schema twice`));
      } else {
        out.set(key, constantValue(s.schema));
      }
    }
  }
  return out;
}
