// The language layer's public surface: parse, check, format.
export type * from "./ast.js";
export { parseModule, type ParseResult } from "./parse.js";
export { check, type CheckOptions } from "./check.js";
export { format, formatExpr } from "./format.js";
export { codes, formatDiagnostic, sortDiagnostics, type Diagnostic } from "./diagnostics.js";
export type { Program, RuleGroup, TestCase, CheckResult, BuiltinArities } from "./program.js";
export type { Schemas } from "./schema.js";
