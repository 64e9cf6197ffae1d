// The console sink: one JSON line per decision, to a writable stream (standard output by
// default) or through a pino-compatible logger (e.g. the fastify app's `log`).
//
// The line is the event plus `"msg":"Decision Log"` and
// `"type":"openpolicyagent.org/decision_logs"`, the two fields OPA's console decision logger
// emits, so log pipelines written for OPA can pick the decisions out of the rest of the output.
//
// Streams buffer what the consumer has not read yet; so that a stuck consumer cannot grow that
// buffer without bound, events are dropped (and counted) while more than `maxPendingBytes` are
// unwritten.
import {
  WarnThrottle,
  type DropReason,
  type EncodedEvent,
  type Sink,
  type SinkReporter,
  type SinkStats,
} from "./sink.js";

export const CONSOLE_MESSAGE = "Decision Log";
export const CONSOLE_TYPE = "openpolicyagent.org/decision_logs";
const LINE_PREFIX = `{"msg":${JSON.stringify(CONSOLE_MESSAGE)},"type":${JSON.stringify(CONSOLE_TYPE)}`;

/** The part of a pino logger the console sink uses: `info(mergingObject, message)`. */
export interface ConsoleLogger {
  info(obj: object, msg: string): void;
}

export interface ConsoleSinkOptions {
  /** Where lines go when no `logger` is given (default `process.stdout`). */
  readonly stream?: NodeJS.WritableStream;
  /** Log through this instead of writing lines to a stream. */
  readonly logger?: ConsoleLogger;
  /** Unwritten bytes a stream may hold before events are dropped (default 16 MiB). */
  readonly maxPendingBytes?: number;
}

/** The stream state Node's writable streams expose (absent from the minimal stream type). */
interface StreamState {
  readonly writableLength?: number;
  readonly writableNeedDrain?: boolean;
  readonly destroyed?: boolean;
  readonly writableEnded?: boolean;
}

export class ConsoleSink implements Sink {
  readonly name = "console";
  private sent = 0;
  private dropped = 0;
  private closed = false;
  private readonly throttle = new WarnThrottle();
  private readonly stream: NodeJS.WritableStream;
  private readonly logger: ConsoleLogger | undefined;
  private readonly maxPendingBytes: number;

  constructor(
    private readonly report: SinkReporter,
    options: ConsoleSinkOptions = {},
  ) {
    this.stream = options.stream ?? process.stdout;
    this.logger = options.logger;
    this.maxPendingBytes = options.maxPendingBytes ?? 16 * 1024 * 1024;
  }

  write(event: EncodedEvent): void {
    if (this.closed) return this.discard(1, "closed");
    if (this.logger) return this.writeToLogger(event);
    const state = this.stream as StreamState;
    if (state.destroyed || state.writableEnded) return this.discard(1, "write_error");
    if ((state.writableLength ?? 0) > this.maxPendingBytes) {
      if (this.throttle.allow("stalled"))
        this.report.warn("decision log console output is not being read; dropping events", {
          pending_bytes: state.writableLength,
        });
      return this.discard(1, "backpressure");
    }
    const rest = event.line.length > 2 ? `,${event.line.slice(1)}` : "}";
    try {
      this.stream.write(`${LINE_PREFIX}${rest}\n`);
      this.sent++;
    } catch {
      this.discard(1, "write_error");
    }
  }

  discard(count: number, reason: DropReason): void {
    if (count <= 0) return;
    this.dropped += count;
    this.report.drop(count, reason);
  }

  /** Resolves once the stream has taken everything written (at once for a logger). */
  flush(): Promise<void> {
    return this.drained(undefined);
  }

  async close(deadline: number): Promise<void> {
    this.closed = true;
    await this.drained(deadline);
  }

  stats(): SinkStats {
    return { sent: this.sent, dropped: this.dropped, buffered: 0, failures: 0 };
  }

  private writeToLogger(event: EncodedEvent): void {
    try {
      this.logger?.info({ type: CONSOLE_TYPE, ...event.record }, CONSOLE_MESSAGE);
      this.sent++;
    } catch {
      this.discard(1, "write_error");
    }
  }

  /** Waits for 'drain' if the stream asked for it, at most until `deadline`. */
  private drained(deadline: number | undefined): Promise<void> {
    const state = this.stream as StreamState;
    if (this.logger || !state.writableNeedDrain || state.destroyed) return Promise.resolve();
    return new Promise((resolve) => {
      let timer: NodeJS.Timeout | undefined;
      const done = () => {
        clearTimeout(timer);
        this.stream.removeListener("drain", done);
        this.stream.removeListener("close", done);
        resolve();
      };
      this.stream.once("drain", done);
      this.stream.once("close", done);
      if (deadline !== undefined) timer = setTimeout(done, Math.max(0, deadline - Date.now()));
    });
  }
}
