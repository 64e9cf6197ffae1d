// The contract every builtin function implements.
import type { Value } from "../value.js";

/** Platform services the pure engine cannot provide itself (Node fills them in; see src/node.ts). */
export interface Platform {
  /**
   * Verifies an asymmetric JWS signature (RS*, PS*, ES*, EdDSA) synchronously; null if unsupported here.
   * Throws BuiltinError for unusable key material, so a misconfigured key is reported rather than denied silently.
   */
  readonly verifySignature:
    ((alg: string, key: string | Record<string, unknown>, data: Uint8Array, signature: Uint8Array) => boolean) | null;
}

/** Per-evaluation state a builtin may read. */
export interface BuiltinContext {
  /** Wall-clock time in ns since the epoch, fixed for one evaluation. */
  readonly nowNs: number;
  readonly platform: Platform;
  /** A bounded cache shared across evaluations (compiled regexes, globs, parsed keys). */
  readonly cache: Map<string, unknown>;
  /** Receives `print` output; absent when nobody listens (decisions), present in tests and explain. */
  readonly print?: (text: string) => void;
}

export interface Builtin {
  /** Dotted name as written in policies, e.g. "glob.match". */
  readonly name: string;
  /** Exact number of arguments. */
  readonly arity: number;
  /** One line for docs and error hints, e.g. "glob.match(pattern, delimiters, s) -> boolean". */
  readonly signature: string;
  /**
   * Returns the result, or `undefined` when the result is undefined (e.g. a failed lookup).
   * Throws BuiltinError for invalid arguments.
   */
  readonly impl: (args: readonly Value[], ctx: BuiltinContext) => Value | undefined;
  /** Set for builtins whose result depends on more than their arguments (time.now_ns). */
  readonly impure?: boolean;
}
