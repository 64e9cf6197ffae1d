// What the logger needs from each destination, and what destinations report back.

export type SinkName = "console" | "service";

/**
 * Why events were dropped:
 * - `buffer_full`: the upload buffer was at its event or byte limit (the sink is down or slow);
 * - `too_large`: one event is larger than the whole upload buffer;
 * - `rejected`: the service answered with a status that retrying cannot fix (4xx other than 408/429);
 * - `deadline`: `close()` ran out of time with events still buffered;
 * - `closed`: logged after `close()`;
 * - `unserializable`: the event could not be turned into JSON (e.g. a BigInt or a cycle);
 * - `backpressure`: the console stream has too much unwritten output;
 * - `write_error`: the console stream or logger threw.
 */
export type DropReason =
  "buffer_full" | "too_large" | "rejected" | "deadline" | "closed" | "unserializable" | "backpressure" | "write_error";

/** Counters of one sink. Per sink: with two sinks, one decision counts once in each. */
export interface SinkStats {
  /** Events delivered (HTTP 2xx; handed to the stream or logger). */
  readonly sent: number;
  /** Events given up on, whatever the reason. */
  readonly dropped: number;
  /** Events in memory, waiting or being sent. */
  readonly buffered: number;
  /** Failed upload attempts (network errors, timeouts, non-2xx answers), retried or not. */
  readonly failures: number;
}

/** One event as the sinks receive it: masked, then serialized once. */
export interface EncodedEvent {
  /** The masked event object (for loggers that serialize objects themselves). */
  readonly record: object;
  /** `JSON.stringify(record)`. */
  readonly line: string;
  /** UTF-8 length of `line`. */
  readonly bytes: number;
}

export interface Sink {
  readonly name: SinkName;
  /** Takes one event. Synchronous, O(1) in everything but the event's size; never throws. */
  write(event: EncodedEvent): void;
  /** Counts events lost before they reached the sink. */
  discard(count: number, reason: DropReason): void;
  flush(): Promise<void>;
  /** Stops accepting events and delivers what it can until `deadline` (a `Date.now()` time). */
  close(deadline: number): Promise<void>;
  stats(): SinkStats;
}

/** How a sink tells the outside world about drops and trouble; never throws. */
export interface SinkReporter {
  drop(count: number, reason: DropReason): void;
  warn(message: string, details?: Record<string, unknown>): void;
  error(message: string, details?: Record<string, unknown>): void;
}

/** Lets a repeated warning through at most once per interval per key, so an outage logs a few lines, not thousands. */
export class WarnThrottle {
  private readonly last = new Map<string, number>();

  constructor(private readonly intervalMs = 30_000) {}

  allow(key: string): boolean {
    const now = Date.now();
    const previous = this.last.get(key);
    if (previous !== undefined && now - previous < this.intervalMs) return false;
    this.last.set(key, now);
    return true;
  }
}
