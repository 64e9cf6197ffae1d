// Running the server: load policies and data, start the decision logger and bundle sources,
// build the app, listen; and shut down gracefully (stop accepting, finish in-flight
// requests, flush decision logs, stop bundle sources) on SIGTERM or SIGINT.
import type { FastifyBaseLogger, FastifyInstance, FastifyServerOptions } from "fastify";
import type { AddressInfo } from "node:net";
import type { SourceFile } from "../index.js";
import type { Diagnostic } from "../lang/diagnostics.js";
import { loadFiles, mergeAt, readDocument } from "../node.js";
import { buildServer } from "./app.js";
import { startBundleSources, type BundleSources } from "./bundles/index.js";
import { ConfigurationError, parseAddr, type ServerConfig } from "./config.js";
import { createDecisionLogger, type StatsDecisionLogger } from "./decision-log/index.js";
import { ServerMetrics } from "./metrics.js";
import { PolicyStore } from "./store.js";

/**
 * Start-up failed; `diagnostics` (with `sources`) when the policies do not compile;
 * `invalidConfiguration` when the configuration cannot work (`verdict run` exits 2 for those).
 */
export class StartupError extends Error {
  constructor(
    message: string,
    readonly diagnostics: readonly Diagnostic[] = [],
    readonly sources: readonly SourceFile[] = [],
    readonly invalidConfiguration = false,
  ) {
    super(message);
    this.name = "StartupError";
  }
}

export interface RunningServer {
  readonly app: FastifyInstance;
  readonly store: PolicyStore;
  /** e.g. "http://127.0.0.1:8181" */
  readonly url: string;
  /** Graceful: in-flight requests finish, decision logs are flushed, bundle sources stop. */
  close(): Promise<void>;
  /** Settles only if the server cannot go on (a bundle source that can never become ready). */
  readonly fatal: Promise<Error>;
}

export interface StartOptions {
  readonly logger?: FastifyServerOptions["logger"];
}

export async function startServer(config: ServerConfig, options: StartOptions = {}): Promise<RunningServer> {
  const store = openStore(config);
  const metrics = new ServerMetrics();
  const bound: { log?: FastifyBaseLogger } = {}; // the app's logger, once the app exists
  let decisionLogger: StatsDecisionLogger | undefined;
  try {
    decisionLogger = config.decision_logs
      ? createDecisionLogger(config.decision_logs, {
          onDrop: (count, sink, reason) => metrics.decisionLogsDropped(count, sink, reason),
          logger: { warn: (o, m) => bound.log?.warn(o, m), error: (o, m) => bound.log?.error(o, m) },
          consoleLogger: { info: (o, m) => bound.log?.info(o, m) },
        })
      : undefined;
  } catch (err) {
    throw invalidConfiguration(err);
  }
  let app: FastifyInstance;
  try {
    app = await buildServer({
      store,
      config,
      metrics,
      ...(decisionLogger ? { decisionLogger } : {}),
      ...(options.logger !== undefined ? { logger: options.logger } : {}),
    });
  } catch (err) {
    await decisionLogger?.close();
    throw err instanceof ConfigurationError ? invalidConfiguration(err) : err;
  }
  bound.log = app.log;
  let bundles: BundleSources | undefined;
  try {
    const sources = Object.values(config.bundles ?? {});
    if (sources.length) {
      try {
        // Throws for what the schema cannot check: delays in the wrong order, unreadable keys.
        bundles = startBundleSources(config.bundles!, store, {
          ...(config.persistence_dir ? { persistDir: config.persistence_dir } : {}),
          logger: { info: (m) => app.log.info(m), warn: (m) => app.log.warn(m), error: (m) => app.log.error(m) },
        });
      } catch (err) {
        throw invalidConfiguration(err);
      }
      // Unwatched local bundles load at once: serve only once they are active (a bad one stops
      // start-up). Remote or watched ones may take long: serve now; /health?bundles tells.
      if (sources.every((s) => !/^https?:\/\//i.test(s.resource) && !s.watch)) await bundles.ready;
    }
    const { host, port } = parseAddr(config.addr);
    await app.listen({ host, port });
  } catch (err) {
    await bundles?.stop();
    await app.close();
    throw err instanceof StartupError ? err : new StartupError((err as Error).message);
  }
  const address = app.server.address() as AddressInfo;
  const host = address.family === "IPv6" ? `[${address.address}]` : address.address;
  let closing: Promise<void> | undefined;
  const close = () => (closing ??= Promise.all([app.close(), bundles?.stop()]).then(() => undefined));
  return {
    app,
    store,
    url: `${config.tls ? "https" : "http"}://${host}:${address.port}`,
    close,
    // A source that can never become ready (e.g. an unwatched local bundle that failed) is fatal.
    fatal: new Promise<Error>((resolve) => {
      bundles?.ready.catch((err: unknown) => {
        if (closing === undefined) resolve(err instanceof Error ? err : new Error(String(err)));
      });
    }),
  };
}

function invalidConfiguration(err: unknown): StartupError {
  return new StartupError(err instanceof Error ? err.message : String(err), [], [], true);
}

/**
 * Start-up warnings about settings that work but probably not as intended: decisions logged to
 * the console go through the server log at `info`, so a higher `log_level` would drop them all.
 */
export function startupWarnings(config: ServerConfig): string[] {
  const warnings: string[] = [];
  if (config.decision_logs?.console && ["warn", "error", "fatal", "silent"].includes(config.log_level))
    warnings.push(
      `decision_logs.console is on but log_level is '${config.log_level}': console decision logs are ` +
        "written at 'info', so none will appear; set log_level to info (or lower) to see them",
    );
  return warnings;
}

/** Policies and data from the configured paths and data files, compiled; every error reported. */
function openStore(config: ServerConfig): PolicyStore {
  let sources: SourceFile[] = [];
  let data: Record<string, unknown> = {};
  try {
    // Test files (and the fixtures in them) are for `verdict test`, not for serving decisions.
    const loaded = loadFiles(config.paths, { tests: false });
    sources = loaded.sources;
    data = loaded.data;
    for (const file of config.data_files) mergeAt(data, [], readDocument(file));
  } catch (err) {
    throw new StartupError((err as Error).message);
  }
  const opened = PolicyStore.open({
    sources,
    data,
    limits: { maxSteps: config.limits.eval_max_steps, timeoutMs: config.limits.eval_timeout_ms },
    expectedBundles: Object.keys(config.bundles ?? {}),
  });
  if (!opened.ok) throw new StartupError(opened.message, opened.diagnostics, sources);
  return opened.store;
}

/**
 * Closes the server on the first SIGTERM or SIGINT (a second one, or the timeout, exits at
 * once). Resolves when the server has closed.
 */
export function closeOnSignals(server: RunningServer, timeoutMs: number): Promise<void> {
  return new Promise((resolve) => {
    let stopping = false;
    const stop = (signal: NodeJS.Signals) => {
      if (stopping) {
        server.app.log.warn({ signal }, "second signal: exiting now");
        process.exit(1);
      }
      stopping = true;
      server.app.log.info({ signal }, "shutting down: finishing in-flight requests and flushing decision logs");
      const timer = setTimeout(() => {
        server.app.log.error({ timeoutMs }, "graceful shutdown timed out");
        process.exit(1);
      }, timeoutMs);
      timer.unref();
      server.close().then(
        () => {
          clearTimeout(timer);
          process.off("SIGTERM", stop);
          process.off("SIGINT", stop);
          resolve();
        },
        (err: unknown) => {
          server.app.log.error({ err }, "shutdown failed");
          process.exit(1);
        },
      );
    };
    process.on("SIGTERM", stop);
    process.on("SIGINT", stop);
  });
}
