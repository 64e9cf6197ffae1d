// The HTTP sink: events are buffered in memory (bounded) and POSTed in batches as a
// gzip-compressed JSON array, one upload at a time, in order.
//
// - `write` only appends to the buffer (or drops and counts when it is full) and, at most,
//   schedules the uploader on the next turn of the event loop: no network, no promise.
// - A batch goes out when `batch_max_events` or `batch_max_bytes` are waiting, when
//   `flush_interval_ms` has passed since the first waiting event arrived, or on `flush()`.
// - A failed attempt (network error, timeout, 408, 429, 5xx) is retried with the same batch
//   after an exponential, jittered delay; events keep buffering meanwhile (and are dropped once
//   the buffer is full). Other 4xx answers cannot be fixed by retrying: the batch is dropped.
// - `flush()` sends everything buffered now and resolves once it is delivered or an attempt
//   fails (the events then stay buffered and are retried later).
// - `close(deadline)` stops accepting events and keeps delivering, retries included, until the
//   buffer is empty or the deadline passes; then it aborts the upload and drops the rest.
import { setTimeout as sleep } from "node:timers/promises";
import { promisify } from "node:util";
import { gzip } from "node:zlib";
import { EventBuffer, type BufferedEvent } from "./buffer.js";
import type { ResolvedServiceConfig } from "./config.js";
import { backoffDelay } from "./retry.js";
import {
  WarnThrottle,
  type DropReason,
  type EncodedEvent,
  type Sink,
  type SinkReporter,
  type SinkStats,
} from "./sink.js";

const gzipAsync = promisify(gzip);

type Outcome =
  | { readonly kind: "sent" }
  | { readonly kind: "retry"; readonly reason: string }
  | { readonly kind: "rejected"; readonly status: number };

interface Waiter {
  /** Resolved once this many accepted events have been settled. */
  readonly target: number;
  readonly resolve: () => void;
}

export interface HttpSinkOptions {
  /** For tests: the jitter source (default Math.random). */
  readonly random?: () => number;
}

export class HttpSink implements Sink {
  readonly name = "service";
  private readonly buffer: EventBuffer;
  private sent = 0;
  private dropped = 0;
  private failures = 0;
  /** Events ever accepted into the buffer; they are numbered in this order. */
  private accepted = 0;
  /** Accepted events delivered or dropped; always a prefix, since batches go out in order. */
  private settled = 0;
  /** Events numbered below this are due now, whatever the batch limits. */
  private flushTarget = 0;
  private batch: BufferedEvent[] | undefined;
  /** Failed attempts in a row for the current batch. */
  private attempt = 0;
  private active = false;
  private kickPending = false;
  private batchTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;
  private waiters: Waiter[] = [];
  private closing = false;
  private stopped = false;
  private closed: Promise<void> | undefined;
  private readonly abort = new AbortController();
  private readonly throttle = new WarnThrottle();
  private readonly random: () => number;

  constructor(
    private readonly config: ResolvedServiceConfig,
    private readonly report: SinkReporter,
    options: HttpSinkOptions = {},
  ) {
    this.buffer = new EventBuffer(config.buffer_max_events, config.buffer_max_bytes);
    this.random = options.random ?? Math.random;
  }

  write(event: EncodedEvent): void {
    if (this.closing) return this.discard(1, "closed");
    const offered = this.buffer.offer({ line: event.line, bytes: event.bytes });
    if (offered !== "ok") {
      if (offered === "full" && this.throttle.allow("full"))
        this.report.warn("decision log buffer full: dropping new events until uploads succeed", {
          buffer_max_events: this.config.buffer_max_events,
          buffer_max_bytes: this.config.buffer_max_bytes,
          dropped_so_far: this.dropped + 1,
        });
      return this.discard(1, offered === "full" ? "buffer_full" : "too_large");
    }
    this.accepted++;
    if (this.buffer.hasFullBatch(this.config.batch_max_events, this.config.batch_max_bytes)) this.kick();
    else this.armBatchTimer();
  }

  discard(count: number, reason: DropReason): void {
    if (count <= 0) return;
    this.dropped += count;
    this.report.drop(count, reason);
  }

  flush(): Promise<void> {
    if (this.stopped || this.buffer.length === 0) return Promise.resolve();
    const done = this.waitFor(this.accepted);
    this.flushTarget = Math.max(this.flushTarget, this.accepted);
    this.cancelTimers(); // a pending retry is tried now
    this.start();
    return done;
  }

  close(deadline: number): Promise<void> {
    this.closed ??= this.shutdown(deadline);
    return this.closed;
  }

  stats(): SinkStats {
    return { sent: this.sent, dropped: this.dropped, buffered: this.buffer.length, failures: this.failures };
  }

  private async shutdown(deadline: number): Promise<void> {
    this.closing = true;
    this.cancelTimers();
    if (this.buffer.length > 0) {
      const drained = this.waitFor(this.accepted);
      this.flushTarget = this.accepted;
      this.start();
      let timer: NodeJS.Timeout | undefined;
      const expired = new Promise<void>((resolve) => (timer = setTimeout(resolve, Math.max(0, deadline - Date.now()))));
      await Promise.race([drained, expired]);
      clearTimeout(timer);
    }
    this.stop();
  }

  /** Gives up: aborts any upload and drops whatever is still buffered. */
  private stop(): void {
    if (this.stopped) return;
    this.stopped = true;
    this.closing = true;
    this.cancelTimers();
    this.abort.abort();
    this.batch = undefined;
    const lost = this.buffer.clear();
    if (lost > 0) {
      this.settled += lost;
      this.discard(lost, "deadline");
      this.report.warn("decision log closed before everything was delivered", { dropped: lost });
    }
    this.resolveWaiters(true);
  }

  private waitFor(target: number): Promise<void> {
    return new Promise((resolve) => this.waiters.push({ target, resolve }));
  }

  private resolveWaiters(all: boolean): void {
    const pending: Waiter[] = [];
    for (const w of this.waiters) {
      if (all || this.settled >= w.target) w.resolve();
      else pending.push(w);
    }
    this.waiters = pending;
  }

  private cancelTimers(): void {
    clearTimeout(this.batchTimer);
    clearTimeout(this.retryTimer);
    this.batchTimer = this.retryTimer = undefined;
  }

  /** Starts the uploader on the next turn of the event loop (never inside `write`'s caller). */
  private kick(): void {
    if (this.kickPending || this.active || this.retryTimer || this.stopped) return;
    this.kickPending = true;
    setImmediate(() => {
      this.kickPending = false;
      if (!this.retryTimer) this.start();
    });
  }

  /** After `flush_interval_ms`, everything waiting at that moment is due. */
  private armBatchTimer(): void {
    if (this.batchTimer || this.retryTimer || this.active || this.stopped) return;
    this.batchTimer = setTimeout(() => {
      this.batchTimer = undefined;
      this.flushTarget = Math.max(this.flushTarget, this.accepted);
      this.start();
    }, this.config.flush_interval_ms);
    this.batchTimer.unref();
  }

  /** True when the waiting events should go out now. */
  private due(): boolean {
    if (this.buffer.queued === 0) return false;
    const full = this.buffer.hasFullBatch(this.config.batch_max_events, this.config.batch_max_bytes);
    return full || this.settled < this.flushTarget;
  }

  private start(): void {
    if (this.active || this.stopped) return;
    this.active = true;
    this.run().catch((err: unknown) => this.report.error("decision log uploader failed", { error: String(err) }));
  }

  /** The uploader: one batch at a time until nothing is due, an attempt fails, or the sink stops. */
  private async run(): Promise<void> {
    let retryIn: number | undefined;
    try {
      for (;;) {
        if (this.stopped) return;
        if (!this.batch) {
          if (!this.due()) return;
          this.batch = this.buffer.take(this.config.batch_max_events, this.config.batch_max_bytes);
          this.attempt = 0;
        }
        const batch = this.batch;
        const outcome = await this.post(batch);
        if (this.stopped) return;
        if (outcome.kind === "retry") {
          this.failures++;
          this.attempt++;
          const delay = backoffDelay(this.attempt, this.config.retry, this.random);
          if (this.attempt === 1 && this.throttle.allow("failed"))
            this.report.warn("decision log upload failed; retrying with backoff", {
              reason: outcome.reason,
              events: batch.length,
            });
          if (this.closing) {
            await sleep(delay, undefined, { signal: this.abort.signal }).catch(() => undefined);
            continue;
          }
          retryIn = delay;
          return;
        }
        if (outcome.kind === "sent") {
          this.sent += batch.length;
          if (this.attempt > 0 && this.throttle.allow("recovered"))
            this.report.warn("decision log upload succeeded again", { failed_attempts: this.attempt });
        } else {
          this.failures++;
          if (this.throttle.allow("rejected"))
            this.report.error("decision log service rejected a batch; dropping it", {
              status: outcome.status,
              events: batch.length,
            });
          this.discard(batch.length, "rejected");
        }
        this.buffer.settle(batch);
        this.settled += batch.length;
        this.batch = undefined;
        this.attempt = 0;
        this.resolveWaiters(false);
      }
    } finally {
      this.active = false;
      if (!this.stopped) this.afterRun(retryIn);
    }
  }

  private afterRun(retryIn: number | undefined): void {
    if (retryIn !== undefined) {
      this.retryTimer = setTimeout(() => {
        this.retryTimer = undefined;
        this.start();
      }, retryIn);
      this.retryTimer.unref();
      // A failed attempt ends flush(): the events stay buffered for the retry.
      if (!this.closing) this.resolveWaiters(true);
      return;
    }
    this.resolveWaiters(false);
    if (this.due()) this.start();
    else if (this.buffer.queued > 0) this.armBatchTimer();
  }

  private async post(batch: readonly BufferedEvent[]): Promise<Outcome> {
    // One controller per attempt, aborted by its timeout or by stop(); both links are undone
    // afterwards, so nothing accumulates on the long-lived stop signal.
    const attempt = new AbortController();
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      attempt.abort();
    }, this.config.timeout_ms);
    const onStop = () => attempt.abort();
    this.abort.signal.addEventListener("abort", onStop);
    try {
      const body = await gzipAsync(Buffer.from(`[${batch.map((e) => e.line).join(",")}]`, "utf8"));
      const headers = new Headers(this.config.headers);
      headers.set("content-type", "application/json");
      headers.set("content-encoding", "gzip");
      const response = await fetch(this.config.url, { method: "POST", headers, body, signal: attempt.signal });
      await response.arrayBuffer().catch(() => undefined); // read to the end to release the connection
      if (response.ok) return { kind: "sent" };
      const status = response.status;
      if (status === 408 || status === 429 || status >= 500) return { kind: "retry", reason: `HTTP ${status}` };
      return { kind: "rejected", status };
    } catch (err) {
      return { kind: "retry", reason: timedOut ? `timed out after ${this.config.timeout_ms} ms` : describe(err) };
    } finally {
      clearTimeout(timer);
      this.abort.signal.removeEventListener("abort", onStop);
    }
  }
}

function describe(err: unknown): string {
  if (!(err instanceof Error)) return String(err);
  const cause = err.cause instanceof Error ? `: ${err.cause.message}` : "";
  return `${err.message}${cause}`;
}
