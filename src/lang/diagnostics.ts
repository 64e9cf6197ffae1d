// One registry of diagnostic codes. Every error the language layer reports has a stable code,
// a message, a location and (usually) a hint; docs/errors.md lists them all.
import type { Loc } from "./ast.js";

export type Severity = "error" | "warning";

export interface Diagnostic {
  readonly code: string;
  readonly severity: Severity;
  readonly message: string;
  readonly hint?: string;
  readonly loc: Loc;
  /** Other places that take part in the problem (e.g. the first definition of a duplicate). */
  readonly related?: readonly { readonly message: string; readonly loc: Loc }[];
}

/** Codes, grouped: V1xx lexing and parsing, V2xx names and scopes, V3xx rules, V4xx types and schemas. */
export const codes = {
  lexError: "V101",
  syntaxError: "V102",
  unknownName: "V201",
  unsafeVar: "V202",
  reassigned: "V203",
  shadowsImport: "V204",
  unusedDecl: "V205",
  badImport: "V206",
  unknownFunction: "V207",
  arity: "V208",
  notAFunction: "V209",
  badWithTarget: "V210",
  recursion: "V301",
  kindConflict: "V302",
  duplicateDefault: "V303",
  badDefault: "V304",
  packageConflict: "V305",
  dataHidden: "V306",
  schemaInvalid: "V401",
  schemaUnknownField: "V402",
  schemaTypeMismatch: "V403",
} as const;

export type Code = (typeof codes)[keyof typeof codes];

export function warning(code: Code, loc: Loc, message: string, hint?: string): Diagnostic {
  return { ...error(code, loc, message, hint), severity: "warning" };
}

export function error(code: Code, loc: Loc, message: string, hint?: string): Diagnostic {
  return hint === undefined
    ? { code, severity: "error", message, loc }
    : { code, severity: "error", message, hint, loc };
}

/** `file:line:col: error V201: message` plus the hint on its own line, as the CLI prints it. */
export function formatDiagnostic(d: Diagnostic, source?: string): string {
  const head = `${d.loc.file}:${d.loc.line}:${d.loc.col}: ${d.severity} ${d.code}: ${d.message}`;
  const lines = [head];
  if (source !== undefined) lines.push(...underline(source, d.loc));
  if (d.hint) lines.push(`  hint: ${d.hint}`);
  for (const r of d.related ?? []) lines.push(`  ${r.loc.file}:${r.loc.line}:${r.loc.col}: ${r.message}`);
  return lines.join("\n");
}

/** The source line of `loc` with carets under the reported range (first line only). */
function underline(source: string, loc: Loc): string[] {
  const text = source.split(/\r?\n/)[loc.line - 1];
  if (text === undefined) return [];
  const width = loc.endLine === loc.line ? Math.max(1, loc.endCol - loc.col) : Math.max(1, text.length - loc.col + 1);
  return [`  | ${text}`, `  | ${" ".repeat(loc.col - 1)}${"^".repeat(width)}`];
}

/** Sorts diagnostics by file, then position, for stable output. */
export function sortDiagnostics(ds: readonly Diagnostic[]): Diagnostic[] {
  return [...ds].sort(
    (a, b) => a.loc.file.localeCompare(b.loc.file) || a.loc.offset - b.loc.offset || a.code.localeCompare(b.code),
  );
}
