// A bundle polled from an HTTP server: conditional GETs with If-None-Match (304 = unchanged),
// a random interval between polls, exponential backoff with jitter after failures, a bounded
// download, and the last good tarball persisted for restarts while the server is down.
import type { BundleSink } from "../contracts.js";
import { redactUrl } from "../redact.js";
import { activateBundle, reportFailure } from "./activate.js";
import { BundleError, errorMessage, type BundleLimits, type BundleLogger } from "./common.js";
import type { ResolvedPolling } from "./config.js";
import { loadPersisted, savePersisted, type PersistedBundle } from "./persist.js";
import { bundleFromArchive } from "./read.js";
import { sha256Hex, type VerificationKey } from "./signing.js";

export interface RemoteSourceSettings {
  readonly name: string;
  readonly url: string;
  readonly polling: ResolvedPolling;
  readonly headers: Readonly<Record<string, string>>;
  readonly limits: BundleLimits;
  readonly verify?: VerificationKey;
  /** Where to persist the last good tarball; undefined = no persistence. */
  readonly persistDir?: string;
}

export interface SourceDeps {
  readonly sink: BundleSink;
  readonly logger: BundleLogger;
  readonly fetch: typeof fetch;
  /** In [0, 1), like Math.random: jitter for poll intervals and backoff. */
  readonly random: () => number;
}

/** The delay before the next poll after a success: uniformly random in [min, max]. */
export function pollDelay(p: ResolvedPolling, random: () => number): number {
  return p.minDelayMs + (p.maxDelayMs - p.minDelayMs) * random();
}

/** The delay after the `failures`-th consecutive failure (1, 2, …): min × 2^(n-1), ±20%, within [min, max]. */
export function backoffDelay(failures: number, p: ResolvedPolling, random: () => number): number {
  const exponential = p.backoffMinMs * 2 ** Math.min(Math.max(failures - 1, 0), 40);
  const jittered = exponential * (0.8 + 0.4 * random());
  return Math.min(p.backoffMaxMs, Math.max(p.backoffMinMs, jittered));
}

type Download =
  { readonly status: "not-modified" } | { readonly status: "ok"; readonly bytes: Buffer; readonly etag: string };

export class RemoteSource {
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (err: Error) => void;
  private activated = false;
  /** ETag of the bundle serving now (or of the persisted one, before the first activation). */
  private etag = "";
  private activeHash = "";
  private persisted: PersistedBundle | null = null;
  private failures = 0;
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<void> = Promise.resolve();
  private stopped = false;
  private readonly stopSignal = new AbortController();

  constructor(
    private readonly s: RemoteSourceSettings,
    private readonly deps: SourceDeps,
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
  }

  start(): void {
    this.running = this.cycle(true);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    this.stopSignal.abort(new Error("bundle source stopped"));
    await this.running;
    if (!this.activated) this.rejectReady(new Error(`bundle ${this.s.name}: stopped before its first activation`));
  }

  private async cycle(first: boolean): Promise<void> {
    if (first) await this.loadPersisted();
    if (this.stopped) return;
    let ok: boolean;
    try {
      ok = await this.poll();
    } catch (err) {
      // poll() reports its own failures; this guards against bugs so polling never dies silently.
      reportFailure(this.deps.sink, this.deps.logger, this.s.name, `unexpected error: ${errorMessage(err)}`);
      ok = false;
    }
    if (this.stopped) return;
    this.failures = ok ? 0 : this.failures + 1;
    const delay = ok
      ? pollDelay(this.s.polling, this.deps.random)
      : backoffDelay(this.failures, this.s.polling, this.deps.random);
    this.timer = setTimeout(() => {
      this.timer = undefined;
      this.running = this.cycle(false);
    }, delay);
  }

  private async loadPersisted(): Promise<void> {
    if (this.s.persistDir === undefined) return;
    try {
      this.persisted = await loadPersisted(this.s.persistDir, this.s.name);
      // Asking with the persisted ETag lets an unchanged server answer 304: no download at all.
      if (this.persisted) this.etag = this.persisted.etag;
    } catch (err) {
      this.deps.logger.warn(`bundle ${this.s.name}: cannot read the persisted bundle: ${errorMessage(err)}`);
    }
  }

  /** One poll. True when the bundle serving now is current (activated, or unchanged). */
  private async poll(): Promise<boolean> {
    let download: Download;
    try {
      download = await this.download();
    } catch (err) {
      if (this.stopped) return false;
      return this.failed(`download from ${this.s.url} failed: ${errorMessage(err)}`);
    }
    if (this.stopped) return false;
    if (download.status === "not-modified") {
      if (this.activated) return true;
      // Not activated yet, so the ETag came from the persisted bundle, which is still current.
      const persisted = this.persisted;
      this.persisted = null;
      this.etag = "";
      if (!persisted) return this.failed("the server answered 304 Not Modified, but no bundle is loaded");
      const problem = await this.activateBytes(persisted.bytes, persisted.etag, "persisted bundle");
      if (problem === null) return true;
      reportFailure(this.deps.sink, this.deps.logger, this.s.name, problem);
      return false;
    }
    const problem = await this.activateBytes(download.bytes, download.etag, "downloaded bundle");
    if (problem === null) {
      await this.persist(download.bytes, download.etag);
      return true;
    }
    return this.failed(problem);
  }

  /**
   * Reports a failure (without URL credentials: the message reaches the logs and /health);
   * before the first activation, falls back to the persisted bundle once.
   */
  private async failed(message: string): Promise<false> {
    reportFailure(this.deps.sink, this.deps.logger, this.s.name, redactUrl(message));
    const persisted = this.persisted;
    if (this.activated || !persisted || this.stopped) return false;
    this.persisted = null;
    this.deps.logger.warn(`bundle ${this.s.name}: starting from the persisted bundle`);
    const problem = await this.activateBytes(persisted.bytes, persisted.etag, "persisted bundle");
    if (problem !== null) {
      this.etag = "";
      reportFailure(this.deps.sink, this.deps.logger, this.s.name, problem);
    }
    return false;
  }

  /** Reads, verifies and activates a tarball. Returns null on success, else what went wrong. */
  private async activateBytes(bytes: Buffer, etag: string, what: string): Promise<string | null> {
    const hash = sha256Hex(bytes);
    if (this.activated && hash === this.activeHash) {
      this.etag = etag; // same bytes as the bundle serving now (a server without ETags)
      return null;
    }
    let bundle;
    try {
      bundle = await bundleFromArchive(this.s.name, bytes, this.s.limits, this.s.verify);
    } catch (err) {
      return `${what} refused: ${errorMessage(err)}`;
    }
    if (this.stopped) return `${what}: the source was stopped`;
    const problem = activateBundle(this.deps.sink, this.deps.logger, bundle);
    if (problem !== null) return `${what} ${problem}`;
    this.etag = etag;
    this.activeHash = hash;
    this.activated = true;
    this.resolveReady();
    return null;
  }

  private async persist(bytes: Buffer, etag: string): Promise<void> {
    if (this.s.persistDir === undefined) return;
    try {
      await savePersisted(this.s.persistDir, this.s.name, { bytes, etag });
    } catch (err) {
      this.deps.logger.warn(`bundle ${this.s.name}: cannot persist the bundle: ${errorMessage(err)}`);
    }
  }

  private async download(): Promise<Download> {
    const abort = new AbortController();
    const onStop = () => abort.abort(this.stopSignal.signal.reason);
    this.stopSignal.signal.addEventListener("abort", onStop);
    const timeout = setTimeout(
      () => abort.abort(new Error(`timed out after ${this.s.polling.timeoutMs} ms`)),
      this.s.polling.timeoutMs,
    );
    try {
      const headers = new Headers(this.s.headers);
      if (!headers.has("accept-encoding")) headers.set("accept-encoding", "identity");
      if (this.etag !== "") headers.set("if-none-match", this.etag);
      const res = await this.deps.fetch(this.s.url, { headers, signal: abort.signal, redirect: "follow" });
      if (res.status === 304) {
        await res.body?.cancel();
        return { status: "not-modified" };
      }
      if (res.status !== 200) {
        await res.body?.cancel();
        throw new Error(`HTTP ${res.status}${res.statusText ? ` ${res.statusText}` : ""}`);
      }
      const max = this.s.limits.maxArchiveBytes;
      const declared = Number(res.headers.get("content-length") ?? NaN);
      if (declared > max) {
        await res.body?.cancel();
        throw new BundleError(`the bundle is ${declared} bytes, over the limit of ${max}`);
      }
      return { status: "ok", bytes: await readBounded(res.body, max), etag: res.headers.get("etag") ?? "" };
    } finally {
      clearTimeout(timeout);
      this.stopSignal.signal.removeEventListener("abort", onStop);
    }
  }
}

/** Reads a response body, giving up as soon as it passes `max` bytes. */
async function readBounded(body: ReadableStream<Uint8Array> | null, max: number): Promise<Buffer> {
  if (body === null) return Buffer.alloc(0);
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > max) {
      await reader.cancel();
      throw new BundleError(`the bundle is larger than the limit of ${max} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks, total);
}
