// A bundle read from a local folder or .tar.gz, optionally reloaded when its files change
// (chokidar, debounced), so authors see their edits without restarting the server.
import { relative, sep } from "node:path";
import { watch, type FSWatcher } from "chokidar";
import { activateBundle, reportFailure } from "./activate.js";
import { errorMessage, type BundleLimits, type BundleLogger } from "./common.js";
import type { BundleSink } from "../contracts.js";
import { redactUrl } from "../redact.js";
import { bundleFromFiles, readBundlePath } from "./read.js";
import type { VerificationKey } from "./signing.js";

export interface LocalSourceSettings {
  readonly name: string;
  readonly path: string;
  readonly watch: boolean;
  readonly limits: BundleLimits;
  readonly verify?: VerificationKey;
  /** Quiet period after the last change before reloading. */
  readonly debounceMs: number;
}

export class LocalSource {
  readonly ready: Promise<void>;
  private resolveReady!: () => void;
  private rejectReady!: (err: Error) => void;
  private activated = false;
  private watcher: FSWatcher | undefined;
  private debounce: NodeJS.Timeout | undefined;
  private loading: Promise<void> | undefined;
  private dirty = false;
  private stopped = false;
  private started: Promise<void> = Promise.resolve();

  constructor(
    private readonly s: LocalSourceSettings,
    private readonly deps: { readonly sink: BundleSink; readonly logger: BundleLogger },
  ) {
    this.ready = new Promise((resolve, reject) => {
      this.resolveReady = resolve;
      this.rejectReady = reject;
    });
  }

  start(): void {
    this.started = this.begin().catch((err: unknown) => {
      this.deps.logger.error(redactUrl(`bundle ${this.s.name}: ${errorMessage(err)}`));
      this.rejectReady(err instanceof Error ? err : new Error(String(err)));
    });
  }

  async stop(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.debounce);
    await this.started;
    await this.watcher?.close();
    await this.loading;
    if (!this.activated) this.rejectReady(new Error(`bundle ${this.s.name}: stopped before its first activation`));
  }

  private async begin(): Promise<void> {
    if (this.s.watch) {
      // Start watching before the first read, so no edit made meanwhile is missed.
      const watcher = watch(this.s.path, { ignoreInitial: true, ignored: (p) => this.ignored(p) });
      this.watcher = watcher;
      await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
      watcher.on("all", () => this.schedule());
      watcher.on("error", (err) => this.deps.logger.warn(`bundle ${this.s.name}: watcher: ${errorMessage(err)}`));
      if (this.stopped) return;
      this.deps.logger.info(`bundle ${this.s.name}: watching ${this.s.path} for changes`);
    }
    await this.reload();
    if (!this.activated && !this.s.watch)
      throw new Error(`bundle ${this.s.name}: could not be loaded from ${this.s.path}`);
  }

  /** Skips what the folder reader skips (dot-entries other than the top-level ones, node_modules). */
  private ignored(path: string): boolean {
    const rel = relative(this.s.path, path);
    if (rel === "" || rel.startsWith("..")) return false;
    const parts = rel.split(sep);
    if (parts.length === 1 && (parts[0] === ".manifest" || parts[0] === ".signatures.json")) return false;
    return parts.some((p) => p.startsWith(".") || p === "node_modules");
  }

  private schedule(): void {
    if (this.stopped) return;
    clearTimeout(this.debounce);
    this.debounce = setTimeout(() => void this.reload(), this.s.debounceMs);
  }

  /** Loads now, or once more after the load in progress when one is running. */
  private reload(): Promise<void> {
    if (this.loading) {
      this.dirty = true;
      return this.loading;
    }
    this.loading = this.load().finally(() => {
      this.loading = undefined;
      if (this.dirty && !this.stopped) {
        this.dirty = false;
        void this.reload();
      }
    });
    return this.loading;
  }

  private async load(): Promise<void> {
    if (this.stopped) return;
    let bundle;
    try {
      const files = await readBundlePath(this.s.path, this.s.limits);
      bundle = await bundleFromFiles(this.s.name, files, this.s.verify);
    } catch (err) {
      reportFailure(this.deps.sink, this.deps.logger, this.s.name, `${this.s.path}: ${errorMessage(err)}`);
      return;
    }
    if (this.stopped) return;
    const problem = activateBundle(this.deps.sink, this.deps.logger, bundle);
    if (problem !== null) {
      reportFailure(this.deps.sink, this.deps.logger, this.s.name, problem);
      return;
    }
    this.activated = true;
    this.resolveReady();
  }
}
