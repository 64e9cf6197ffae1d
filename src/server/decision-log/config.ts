// The `decision_logs` section of the server configuration: its JSON Schema (embedded by the
// server's config schema), its TypeScript type, and the defaults filled in before the logger
// starts. The schema and `resolveDecisionLogConfig` check the same things, so a config that
// passes the server's validation never fails here, and a caller that skips it still gets a
// clear error instead of a logger that misbehaves.
import { parsePointer } from "./mask.js";

export interface DecisionLogRetryConfig {
  /** Wait before the first retry (before jitter). */
  readonly min_delay_ms?: number;
  /** Longest wait between two attempts (before jitter). */
  readonly max_delay_ms?: number;
}

export interface DecisionLogServiceConfig {
  /** Where batches are POSTed (the full URL, e.g. `https://logs.example.com/logs`). */
  readonly url: string;
  /** Extra request headers, e.g. `{"authorization": "Bearer ..."}`. */
  readonly headers?: Readonly<Record<string, string>>;
  /** One upload attempt is aborted after this long. */
  readonly timeout_ms?: number;
  /** A batch is sent as soon as this many events are waiting... */
  readonly batch_max_events?: number;
  /** ...or this many bytes of (uncompressed) JSON; a batch never exceeds either, except one event alone. */
  readonly batch_max_bytes?: number;
  /** ...or when the oldest waiting event has waited this long. */
  readonly flush_interval_ms?: number;
  /** Events held in memory (waiting or being sent); beyond this, new events are dropped and counted. */
  readonly buffer_max_events?: number;
  /** Bytes of JSON held in memory; beyond this, new events are dropped and counted. */
  readonly buffer_max_bytes?: number;
  readonly retry?: DecisionLogRetryConfig;
}

export interface DecisionLogConfig {
  /** Write each decision as one JSON line to standard output (or the logger the server passes). */
  readonly console?: boolean;
  /** Upload decisions in gzip-compressed batches to an HTTP endpoint. */
  readonly service?: DecisionLogServiceConfig;
  /** JSON Pointers under `/input` or `/result` erased from every event before it leaves the process. */
  readonly mask?: readonly string[];
  /** How long `close()` keeps trying to deliver what is buffered before dropping it. */
  readonly close_timeout_ms?: number;
}

export const DECISION_LOG_DEFAULTS = {
  console: false,
  close_timeout_ms: 5_000,
  service: {
    timeout_ms: 10_000,
    batch_max_events: 500,
    batch_max_bytes: 1024 * 1024,
    flush_interval_ms: 1_000,
    buffer_max_events: 10_000,
    buffer_max_bytes: 32 * 1024 * 1024,
    retry: { min_delay_ms: 250, max_delay_ms: 30_000 },
  },
} as const;

export interface ResolvedServiceConfig {
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly timeout_ms: number;
  readonly batch_max_events: number;
  readonly batch_max_bytes: number;
  readonly flush_interval_ms: number;
  readonly buffer_max_events: number;
  readonly buffer_max_bytes: number;
  readonly retry: { readonly min_delay_ms: number; readonly max_delay_ms: number };
}

export interface ResolvedDecisionLogConfig {
  readonly console: boolean;
  readonly service: ResolvedServiceConfig | undefined;
  readonly mask: readonly string[];
  readonly close_timeout_ms: number;
}

/**
 * A mask pointer: `/input` or `/result`, then any number of `/token`s in which `~` appears only
 * as `~0` or `~1`. Tokens exclude `/`, so the pattern cannot backtrack badly.
 */
export const MASK_POINTER_PATTERN = "^/(input|result)(/([^~/]|~[01])*)*$";

const D = DECISION_LOG_DEFAULTS;
const int = (minimum: number, dflt: number, description: string) =>
  ({ type: "integer", minimum, default: dflt, description }) as const;

/** JSON Schema (draft 7 / 2019-09 compatible) of the server config's `decision_logs` section. */
export const decisionLogConfigSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    console: { type: "boolean", default: D.console, description: "write decisions as JSON lines to stdout" },
    close_timeout_ms: int(0, D.close_timeout_ms, "how long close() keeps delivering before dropping the rest"),
    mask: {
      type: "array",
      description: "JSON Pointers (RFC 6901) under /input or /result erased from every event",
      items: { type: "string", pattern: MASK_POINTER_PATTERN },
    },
    service: {
      type: "object",
      additionalProperties: false,
      required: ["url"],
      properties: {
        url: { type: "string", pattern: "^https?://", description: "where gzip-compressed batches are POSTed" },
        headers: { type: "object", additionalProperties: { type: "string" }, description: "extra request headers" },
        timeout_ms: int(1, D.service.timeout_ms, "one upload attempt is aborted after this long"),
        batch_max_events: int(1, D.service.batch_max_events, "send when this many events wait"),
        batch_max_bytes: int(1, D.service.batch_max_bytes, "send when this many bytes of JSON wait"),
        flush_interval_ms: int(1, D.service.flush_interval_ms, "send at least this often while events wait"),
        buffer_max_events: int(1, D.service.buffer_max_events, "events held in memory before dropping"),
        buffer_max_bytes: int(1, D.service.buffer_max_bytes, "bytes held in memory before dropping"),
        retry: {
          type: "object",
          additionalProperties: false,
          properties: {
            min_delay_ms: int(1, D.service.retry.min_delay_ms, "first retry delay (exponential, jittered)"),
            max_delay_ms: int(1, D.service.retry.max_delay_ms, "longest retry delay"),
          },
        },
      },
    },
  },
} as const;

/** Thrown by `resolveDecisionLogConfig` (and so `createDecisionLogger`) for an unusable config. */
export class DecisionLogConfigError extends Error {
  constructor(readonly problems: readonly string[]) {
    super(`invalid decision_logs config: ${problems.join("; ")}`);
    this.name = "DecisionLogConfigError";
  }
}

/** Fills in defaults and checks what the schema checks; throws `DecisionLogConfigError`. */
export function resolveDecisionLogConfig(config: DecisionLogConfig = {}): ResolvedDecisionLogConfig {
  const problems: string[] = [];
  const integer = (value: number | undefined, dflt: number, minimum: number, name: string): number => {
    if (value === undefined) return dflt;
    if (!Number.isSafeInteger(value) || value < minimum) problems.push(`${name} must be an integer >= ${minimum}`);
    return value;
  };

  const mask = config.mask ?? [];
  mask.forEach((pointer, i) => {
    const parsed = parsePointer(pointer);
    if (!parsed.ok) problems.push(`mask[${i}] ${JSON.stringify(pointer)}: ${parsed.message}`);
    else if (parsed.tokens[0] !== "input" && parsed.tokens[0] !== "result")
      problems.push(`mask[${i}] ${JSON.stringify(pointer)}: only /input and /result (and below) can be masked`);
  });

  let service: ResolvedServiceConfig | undefined;
  const s = config.service;
  if (s !== undefined) {
    const p = "service.";
    let url = "";
    try {
      const parsed = new URL(s.url);
      if (parsed.protocol !== "http:" && parsed.protocol !== "https:") problems.push(`${p}url must be http or https`);
      url = parsed.href;
    } catch {
      problems.push(`${p}url is not a valid URL`);
    }
    const headers = s.headers ?? {};
    for (const [name, value] of Object.entries(headers))
      if (typeof value !== "string") problems.push(`${p}headers.${name} must be a string`);
    const sd = D.service;
    const retry = {
      min_delay_ms: integer(s.retry?.min_delay_ms, sd.retry.min_delay_ms, 1, `${p}retry.min_delay_ms`),
      max_delay_ms: integer(s.retry?.max_delay_ms, sd.retry.max_delay_ms, 1, `${p}retry.max_delay_ms`),
    };
    if (retry.max_delay_ms < retry.min_delay_ms) problems.push(`${p}retry.max_delay_ms is below min_delay_ms`);
    service = {
      url,
      headers,
      timeout_ms: integer(s.timeout_ms, sd.timeout_ms, 1, `${p}timeout_ms`),
      batch_max_events: integer(s.batch_max_events, sd.batch_max_events, 1, `${p}batch_max_events`),
      batch_max_bytes: integer(s.batch_max_bytes, sd.batch_max_bytes, 1, `${p}batch_max_bytes`),
      flush_interval_ms: integer(s.flush_interval_ms, sd.flush_interval_ms, 1, `${p}flush_interval_ms`),
      buffer_max_events: integer(s.buffer_max_events, sd.buffer_max_events, 1, `${p}buffer_max_events`),
      buffer_max_bytes: integer(s.buffer_max_bytes, sd.buffer_max_bytes, 1, `${p}buffer_max_bytes`),
      retry,
    };
  }

  const resolved: ResolvedDecisionLogConfig = {
    console: config.console ?? D.console,
    service,
    mask,
    close_timeout_ms: integer(config.close_timeout_ms, D.close_timeout_ms, 0, "close_timeout_ms"),
  };
  if (problems.length > 0) throw new DecisionLogConfigError(problems);
  return resolved;
}
