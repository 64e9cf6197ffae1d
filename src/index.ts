// Verdict as a library. Browser-safe: no Node APIs here (see ./node.ts for files and crypto).
import type { Module } from "./lang/ast.js";
import { check } from "./lang/check.js";
import { codes, error, sortDiagnostics, warning, type Diagnostic } from "./lang/diagnostics.js";
import type { Program } from "./lang/program.js";
import { parseModule } from "./lang/parse.js";
import type { Schemas } from "./lang/schema.js";
import { builtins } from "./eval/builtins/index.js";
import { Policy, type PolicyOptions } from "./eval/policy.js";

export * from "./lang/index.js";
export { Policy, type Decision, type EvaluateOptions, type PolicyOptions } from "./eval/policy.js";
export type { EvaluationError } from "./eval/errors.js";
export type { RuleTrace, DefinitionTrace, FailedLiteral } from "./eval/trace.js";
export type { Limits } from "./eval/context.js";
export { builtins } from "./eval/builtins/index.js";

export interface SourceFile {
  readonly file: string;
  readonly source: string;
}

export interface CompileOptions extends PolicyOptions {
  /** JSON Schemas to check `input` and `data` references against. */
  readonly schemas?: Schemas;
}

export interface CompileResult {
  /** Null when any file has an error. */
  readonly policy: Policy | null;
  readonly modules: readonly Module[];
  /** Every problem in every file, sorted by location. */
  readonly diagnostics: readonly Diagnostic[];
}

/** The arity table the checker needs, derived from the builtins the evaluator has. */
export function builtinArities(table = builtins): ReadonlyMap<string, number> {
  return new Map([...table].map(([name, b]) => [name, b.arity]));
}

/** Parses, checks and compiles policy sources. Never throws for bad policies: see `diagnostics`. */
export function compile(sources: string | readonly SourceFile[], options: CompileOptions = {}): CompileResult {
  const files = typeof sources === "string" ? [{ file: "policy.verdict", source: sources }] : sources;
  const diagnostics: Diagnostic[] = [];
  const modules: Module[] = [];
  for (const f of files) {
    const parsed = parseModule(f.source, f.file);
    diagnostics.push(...parsed.diagnostics);
    if (parsed.module) modules.push(parsed.module);
  }
  // Name and safety errors in a file that does not parse would be noise; fix syntax first.
  if (diagnostics.some((d) => d.severity === "error"))
    return { policy: null, modules, diagnostics: sortDiagnostics(diagnostics) };
  try {
    const table = options.builtins ? new Map([...builtins, ...options.builtins]) : builtins;
    const checked = check(modules, {
      builtins: builtinArities(table),
      ...(options.schemas ? { schemas: options.schemas } : {}),
    });
    diagnostics.push(...checked.diagnostics);
    if (checked.program && options.data !== undefined) diagnostics.push(...hiddenData(checked.program, options.data));
    const ok = !diagnostics.some((d) => d.severity === "error") && checked.program;
    return {
      policy: ok ? Policy.compile(checked.program!, options) : null,
      modules,
      diagnostics: sortDiagnostics(diagnostics),
    };
  } catch (err) {
    // Checking and compiling recurse over the AST: a pathologically long expression (thousands of
    // chained operators) is reported like any other problem instead of escaping as an exception.
    if (!(err instanceof RangeError) || modules.length === 0) throw err;
    const loc = { ...modules[0]!.loc, endLine: 1, endCol: 2, endOffset: 1 };
    diagnostics.push(
      error(
        codes.syntaxError,
        loc,
        "an expression is nested or chained too deeply to compile",
        "split it into smaller rules",
      ),
    );
    return { policy: null, modules, diagnostics: sortDiagnostics(diagnostics) };
  }
}

/** Warns about base data that a rule of the same path hides: a likely layout mistake. */
function hiddenData(program: Program, data: unknown): Diagnostic[] {
  const out: Diagnostic[] = [];
  for (const g of program.groups.values()) {
    let doc = data;
    for (const seg of g.path) {
      doc =
        typeof doc === "object" && doc !== null && Object.prototype.hasOwnProperty.call(doc, seg)
          ? (doc as Record<string, unknown>)[seg]
          : undefined;
    }
    const first = g.defs[0] ?? g.default;
    if (doc !== undefined && first) {
      out.push(
        warning(
          codes.dataHidden,
          first.name.loc,
          `data.${g.key} in the base data is hidden by rule '${g.key}'`,
          "rename the rule or move the data",
        ),
      );
    }
  }
  return out;
}
