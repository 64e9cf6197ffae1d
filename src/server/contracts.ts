// Contracts between the server's parts (HTTP API, policy store, bundles, decision logs), so
// each can be built and tested on its own.
import type { Diagnostic } from "../lang/diagnostics.js";

/** A bundle, read and verified, not yet compiled. */
export interface Bundle {
  /** A name for logs and /health, e.g. the configured bundle name or its path. */
  readonly name: string;
  /** From `.manifest`; "" when absent. */
  readonly revision: string;
  /** Data paths the bundle owns (from `.manifest` `roots`; [""] = everything). Writes under them are refused. */
  readonly roots: readonly string[];
  /** Policy files, by their path inside the bundle (always relative, `/`-separated). */
  readonly policies: readonly { readonly path: string; readonly source: string }[];
  /** Data documents merged at their folder path (e.g. `users/data.json` → data.users). */
  readonly data: Readonly<Record<string, unknown>>;
}

export type ActivationResult =
  | { readonly ok: true; readonly revision: string }
  | { readonly ok: false; readonly errors: readonly Diagnostic[] | readonly { readonly message: string }[] };

/** What bundle sources need from the policy store. */
export interface BundleSink {
  /**
   * Compiles the bundle together with everything else the store holds and, only if that
   * succeeds completely, swaps it in atomically. On failure the previous state keeps serving.
   */
  activateBundle(bundle: Bundle): ActivationResult;
  /** Records a failed download or verification (shown by /health and /metrics). */
  bundleFailed(name: string, message: string): void;
}

/** One logged decision. */
export interface DecisionEvent {
  readonly decision_id: string;
  readonly path: string;
  readonly input?: unknown;
  readonly result?: unknown;
  readonly error?: { readonly code: string; readonly message: string };
  /** RFC 3339 time the decision was made. */
  readonly timestamp: string;
  readonly metrics: { readonly timer_eval_ns: number; readonly timer_server_handler_ns?: number };
  readonly bundles: Readonly<Record<string, { readonly revision: string }>>;
  readonly requested_by: string;
}

export interface DecisionLogger {
  /** Never blocks and never throws: a full buffer drops the event and counts it. */
  log(event: DecisionEvent): void;
  /** Sends everything buffered (best effort within the sink's retry policy). */
  flush(): Promise<void>;
  /** Flushes what is buffered (within the logger's own deadline), then stops; used at shutdown. */
  close(): Promise<void>;
}
