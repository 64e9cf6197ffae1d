// Decision logs: the entry point the server uses. See docs/decision-logs.md.
import { ConsoleSink, type ConsoleLogger } from "./console-sink.js";
import { DecisionLogConfigError, resolveDecisionLogConfig, type DecisionLogConfig } from "./config.js";
import { HttpSink } from "./http-sink.js";
import { CombinedDecisionLogger, type StatsDecisionLogger } from "./logger.js";
import { compileMask } from "./mask.js";
import type { DropReason, Sink, SinkName, SinkReporter } from "./sink.js";
import { redactUrl } from "../redact.js";

export {
  DECISION_LOG_DEFAULTS,
  DecisionLogConfigError,
  MASK_POINTER_PATTERN,
  decisionLogConfigSchema,
  resolveDecisionLogConfig,
  type DecisionLogConfig,
  type DecisionLogRetryConfig,
  type DecisionLogServiceConfig,
  type ResolvedDecisionLogConfig,
} from "./config.js";
export { CONSOLE_MESSAGE, CONSOLE_TYPE, type ConsoleLogger } from "./console-sink.js";
export type { DecisionLogStats, StatsDecisionLogger } from "./logger.js";
export { applyMask, compileMask, parsePointer, type Mask, type Masked } from "./mask.js";
export type { DropReason, SinkName, SinkStats } from "./sink.js";

/** Where trouble is reported (pino-compatible: fastify's `app.log` fits). */
export interface DecisionLogWarnings {
  warn(obj: object, msg: string): void;
  error(obj: object, msg: string): void;
}

export interface DecisionLogHooks {
  /**
   * Called synchronously each time events are dropped (wire it to a prom-client counter; the
   * sink and reason make good labels). Exceptions it throws are ignored.
   */
  onDrop?(count: number, sink: SinkName, reason: DropReason): void;
  /**
   * Warnings (service failing or back, buffer full, console stalled) and errors (batch
   * rejected); each kind at most once every 30 s.
   */
  logger?: DecisionLogWarnings;
  /** The console sink's stream (default `process.stdout`). */
  stdout?: NodeJS.WritableStream;
  /** The console sink logs through this instead of writing to `stdout` (e.g. fastify's `app.log`). */
  consoleLogger?: ConsoleLogger;
}

/**
 * Builds the decision logger from the `decision_logs` config section (absent: a logger with no
 * sinks, which accepts and discards everything). Throws `DecisionLogConfigError` for an
 * invalid config; never throws afterwards.
 */
export function createDecisionLogger(
  config: DecisionLogConfig | undefined,
  hooks: DecisionLogHooks = {},
): StatsDecisionLogger {
  const resolved = resolveDecisionLogConfig(config);
  const compiled = compileMask(resolved.mask);
  if (!compiled.ok) throw new DecisionLogConfigError(compiled.errors);

  const sinks: Sink[] = [];
  if (resolved.console)
    sinks.push(new ConsoleSink(reporter("console", hooks), { stream: hooks.stdout, logger: hooks.consoleLogger }));
  if (resolved.service) sinks.push(new HttpSink(resolved.service, reporter("service", hooks)));
  return new CombinedDecisionLogger(sinks, compiled.mask, resolved.close_timeout_ms, reporter("logger", hooks));
}

/** Routes one sink's reports to the hooks; nothing a hook throws gets back to the caller. */
function reporter(sink: SinkName | "logger", hooks: DecisionLogHooks): SinkReporter {
  const say = (level: "warn" | "error", message: string, details?: Record<string, unknown>) => {
    // Failure reasons may quote the service URL, credentials included: never log those.
    const safe = Object.create(null) as Record<string, unknown>;
    for (const [k, v] of Object.entries(details ?? {})) safe[k] = typeof v === "string" ? redactUrl(v) : v;
    try {
      hooks.logger?.[level]({ component: "decision_logs", sink, ...safe }, redactUrl(message));
    } catch {
      // a broken logger must not break decisions
    }
  };
  return {
    drop(count, reason) {
      if (sink === "logger") return;
      try {
        hooks.onDrop?.(count, sink, reason);
      } catch {
        // as above
      }
    },
    warn: (message, details) => say("warn", message, details),
    error: (message, details) => say("error", message, details),
  };
}
