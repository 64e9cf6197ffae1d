// What the checker hands to the compiler: rules grouped by their data path, and every name
// resolved (locals to frame slots, globals to input/data paths, calls to builtins or functions).
import type * as A from "./ast.js";
import type { Diagnostic } from "./diagnostics.js";

/** All definitions of one rule or function, found at `data.<path>`. */
export interface RuleGroup {
  /** Path below `data`, e.g. ["http", "authz", "allow"]. */
  readonly path: readonly string[];
  readonly key: string;
  readonly form: "value" | "set" | "object" | "function";
  readonly defs: readonly (A.Rule | A.Func)[];
  readonly default: A.Default | null;
  /** Number of parameters (functions only). */
  readonly arity: number;
}

export type VarRes =
  /** A local in the enclosing frame; `binds` marks the occurrence that assigns it. */
  | { readonly kind: "local"; readonly slot: number; readonly binds: boolean }
  /** `_`: a fresh local bound by iteration. */
  | { readonly kind: "wildcard"; readonly slot: number }
  /** `input`, or an import of part of it. */
  | { readonly kind: "input"; readonly path: readonly string[] }
  /** `data`, an import of part of it, or a rule of the current package. */
  | { readonly kind: "data"; readonly path: readonly string[] };

export type CallRes =
  { readonly kind: "builtin"; readonly name: string } | { readonly kind: "function"; readonly key: string };

/** What a `with` clause replaces. */
export type WithRes =
  | { readonly kind: "input"; readonly path: readonly string[] }
  | { readonly kind: "data"; readonly path: readonly string[] }
  | { readonly kind: "builtin"; readonly name: string; readonly replacement: CallRes | null }
  | { readonly kind: "function"; readonly key: string; readonly replacement: CallRes | null };

/** Statements that own a frame of local slots. */
export type FrameOwner = A.Rule | A.Func | A.Test;

export interface Resolution {
  readonly vars: ReadonlyMap<A.Var, VarRes>;
  readonly calls: ReadonlyMap<A.Call, CallRes>;
  readonly withs: ReadonlyMap<A.With, WithRes>;
  readonly frameSizes: ReadonlyMap<FrameOwner, number>;
}

export interface TestCase {
  readonly test: A.Test;
  /** The package the test lives in, e.g. ["http", "authz"]. */
  readonly packagePath: readonly string[];
}

export interface Program {
  readonly modules: readonly A.Module[];
  readonly groups: ReadonlyMap<string, RuleGroup>;
  readonly tests: readonly TestCase[];
  readonly resolution: Resolution;
  /** JSON Schemas declared with `schema input := ...`, by package key. */
  readonly inputSchemas: ReadonlyMap<string, unknown>;
}

export interface CheckResult {
  /** Null when there are errors: a program with errors is never compiled. */
  readonly program: Program | null;
  readonly diagnostics: readonly Diagnostic[];
}

/** Arity of each builtin; supplied by the evaluator so the language layer stays independent of it. */
export type BuiltinArities = ReadonlyMap<string, number>;
