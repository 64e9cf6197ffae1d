// Bundles: reading, verifying, building, and the sources (local folders and files, watched or
// not; remote HTTP servers, polled) that feed a BundleSink. docs/bundles.md describes the format.
import { join } from "node:path";
import type { BundleSink } from "../contracts.js";
import type { BundleLogger } from "./common.js";
import { resolveSource, type BundlesConfig } from "./config.js";
import { RemoteSource } from "./remote.js";
import { loadVerificationKey } from "./signing.js";
import { LocalSource } from "./watch.js";

export { BundleError, defaultLimits, type BundleLimits, type BundleLogger } from "./common.js";
export {
  bundleConfigProperties,
  bundleConfigSchema,
  localBundleConfigs,
  type BundlePollingConfig,
  type BundleSourceConfig,
  type BundlesConfig,
} from "./config.js";
export { readBundle, type ReadBundleOptions } from "./read.js";
export { buildBundle, buildBundleBytes, BundleBuildError, type BuildBundleOptions } from "./build.js";
export { KeyError, signingAlgorithms, type BundleSigningConfig, type SigningAlgorithm } from "./signing.js";

export interface StartBundleSourcesOptions {
  /** Where `persist: true` sources keep their last good bundle (the config's `persistence_dir`). */
  readonly persistDir?: string;
  readonly logger: BundleLogger;
  /** Quiet period after a change before a watched source reloads. Default 200 ms. */
  readonly watchDebounceMs?: number;
  /** The HTTP client (tests, proxies). Default: the global fetch. */
  readonly fetch?: typeof fetch;
  /** Jitter source in [0, 1). Default Math.random. */
  readonly random?: () => number;
}

export interface BundleSources {
  /**
   * Resolves once every bundle has been activated (or started from its persisted copy).
   * Rejects if a source never can be: an unwatched local bundle that failed, or `stop()` first.
   */
  readonly ready: Promise<void>;
  /** Stops polling and watching, and waits for work in progress. */
  stop(): Promise<void>;
}

/**
 * Starts every configured bundle source. Configuration errors (bad delays, unreadable
 * verification keys) throw here, before anything starts.
 */
export function startBundleSources(
  configs: BundlesConfig,
  sink: BundleSink,
  opts: StartBundleSourcesOptions,
): BundleSources {
  const resolved = Object.entries(configs).map(([name, cfg]) => {
    const src = resolveSource(name, cfg);
    let verify;
    try {
      verify = cfg.signing ? loadVerificationKey(cfg.signing) : undefined;
    } catch (err) {
      throw new Error(`bundles.${name}.signing: ${(err as Error).message}`);
    }
    return { src, verify };
  });
  let persistDir = opts.persistDir;
  if (persistDir === undefined && resolved.some(({ src }) => src.kind === "remote" && src.persist)) {
    persistDir = join(process.cwd(), ".verdict", "bundles");
    opts.logger.warn(`bundles: no persistence_dir configured; persisting bundles in ${persistDir}`);
  }
  const deps = { sink, logger: opts.logger, fetch: opts.fetch ?? globalThis.fetch, random: opts.random ?? Math.random };
  const sources = resolved.map(({ src, verify }) =>
    src.kind === "remote"
      ? new RemoteSource(
          {
            name: src.name,
            url: src.url,
            polling: src.polling,
            headers: src.headers,
            limits: src.limits,
            ...(verify ? { verify } : {}),
            ...(src.persist && persistDir !== undefined ? { persistDir } : {}),
          },
          deps,
        )
      : new LocalSource(
          {
            name: src.name,
            path: src.path,
            watch: src.watch,
            limits: src.limits,
            ...(verify ? { verify } : {}),
            debounceMs: opts.watchDebounceMs ?? 200,
          },
          deps,
        ),
  );
  const ready = Promise.all(sources.map((s) => s.ready)).then(() => undefined);
  ready.catch(() => {}); // callers that never await `ready` must not crash the process
  for (const s of sources) s.start();
  let stopping: Promise<void> | undefined;
  return {
    ready,
    stop: () => (stopping ??= Promise.all(sources.map((s) => s.stop())).then(() => undefined)),
  };
}
