// The decision logger: masks each event once, serializes it once, and hands it to every sink.
import type { DecisionEvent, DecisionLogger } from "../contracts.js";
import { applyMask, type Mask } from "./mask.js";
import {
  WarnThrottle,
  type EncodedEvent,
  type Sink,
  type SinkName,
  type SinkReporter,
  type SinkStats,
} from "./sink.js";

/**
 * The fields copied from a `DecisionEvent`, in the order they are written. Listing every key
 * of the contract type here (checked by `satisfies`) means a field added to `DecisionEvent`
 * breaks the build until it is added here too, instead of being silently left out of the logs.
 */
const EVENT_FIELDS = {
  decision_id: true,
  path: true,
  input: true,
  result: true,
  error: true,
  requested_by: true,
  timestamp: true,
  metrics: true,
  bundles: true,
} as const satisfies Record<keyof DecisionEvent, true>;
const FIELD_NAMES = Object.keys(EVENT_FIELDS) as (keyof DecisionEvent)[];

/**
 * The event as written: the contract's fields (absent ones omitted), masked, plus `erased`
 * listing the mask pointers that matched (only when some did). Throws when the event cannot be
 * serialized (a BigInt, a cycle, a throwing getter or toJSON).
 */
export function encodeEvent(event: DecisionEvent, mask: Mask): EncodedEvent {
  const record: Record<string, unknown> = {};
  for (const name of FIELD_NAMES) if (event[name] !== undefined) record[name] = event[name];
  const masked = applyMask(record, mask);
  const out = masked.value as Record<string, unknown>;
  if (masked.erased.length > 0) out.erased = masked.erased; // `out` is a copy when anything was erased
  const line = JSON.stringify(out);
  return { record: out, line, bytes: Buffer.byteLength(line, "utf8") };
}

export interface DecisionLogStats extends SinkStats {
  /** The same counters for each configured sink (the totals above are their sums). */
  readonly sinks: Readonly<Partial<Record<SinkName, SinkStats>>>;
}

export interface StatsDecisionLogger extends DecisionLogger {
  stats(): DecisionLogStats;
}

export class CombinedDecisionLogger implements StatsDecisionLogger {
  private closing: Promise<void> | undefined;
  private readonly throttle = new WarnThrottle();

  constructor(
    private readonly sinks: readonly Sink[],
    private readonly mask: Mask,
    private readonly closeTimeoutMs: number,
    private readonly report: Pick<SinkReporter, "warn">,
  ) {}

  log(event: DecisionEvent): void {
    if (this.sinks.length === 0) return;
    let encoded: EncodedEvent;
    try {
      encoded = encodeEvent(event, this.mask);
    } catch (err) {
      if (this.throttle.allow("unserializable"))
        this.report.warn("a decision could not be serialized and was dropped", {
          decision_id: safeId(event),
          error: err instanceof Error ? err.message : String(err),
        });
      for (const sink of this.sinks) sink.discard(1, "unserializable");
      return;
    }
    for (const sink of this.sinks) sink.write(encoded);
  }

  async flush(): Promise<void> {
    await Promise.all(this.sinks.map((s) => s.flush()));
  }

  close(): Promise<void> {
    if (!this.closing) {
      const deadline = Date.now() + this.closeTimeoutMs;
      this.closing = Promise.all(this.sinks.map((s) => s.close(deadline))).then(() => undefined);
    }
    return this.closing;
  }

  stats(): DecisionLogStats {
    const sinks: Partial<Record<SinkName, SinkStats>> = {};
    let sent = 0;
    let dropped = 0;
    let buffered = 0;
    let failures = 0;
    for (const sink of this.sinks) {
      const s = sink.stats();
      sinks[sink.name] = s;
      sent += s.sent;
      dropped += s.dropped;
      buffered += s.buffered;
      failures += s.failures;
    }
    return { sent, dropped, buffered, failures, sinks };
  }
}

function safeId(event: DecisionEvent): string | undefined {
  try {
    return typeof event.decision_id === "string" ? event.decision_id : undefined;
  } catch {
    return undefined;
  }
}
