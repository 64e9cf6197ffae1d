// `verdict run --server [paths or bundles...]`: the OPA-compatible decision server.
// Configuration: defaults < --config-file < VERDICT_* environment variables < flags.
// The server modules (fastify, prom-client, ...) load only when the command runs.
import { Option, type Command } from "commander";
import type { BundlesConfig } from "../../server/bundles/index.js";
import { collect, exitCodes, printDiagnostics } from "../output.js";

export interface RunOptions {
  readonly server?: boolean;
  readonly addr?: string;
  readonly configFile?: string;
  readonly data: string[];
  readonly bundle?: boolean;
  readonly watch?: boolean;
  readonly logLevel?: string;
  readonly defaultDecision?: string;
  readonly inputValidation?: string;
  readonly tlsCertFile?: string;
  readonly tlsPrivateKeyFile?: string;
  readonly tlsCaCertFile?: string;
  readonly tokenFile?: string;
  readonly managementTokenFile?: string;
}

const isArchive = (p: string): boolean => p.endsWith(".tar.gz") || p.endsWith(".tgz");

export function registerRun(program: Command): void {
  program
    .command("run")
    .description("run the decision server (OPA-compatible HTTP API)")
    .argument(
      "[paths...]",
      "policy and data files or directories; .tar.gz files (and all paths with -b or -w) are bundles",
    )
    .option("-s, --server", "start the decision server")
    .option("-a, --addr <host:port>", "listen address (default 127.0.0.1:8181; ':8181' = every interface)")
    .option("-c, --config-file <file>", "YAML or JSON configuration file (or VERDICT_CONFIG)")
    .option("--data <file>", "extra data document merged at data (repeatable)", collect, [])
    .option("-b, --bundle", "load every path as a bundle (manifest roots apply)")
    .option("-w, --watch", "load every path as a bundle (implies -b) and reload it when its files change")
    .addOption(
      new Option("--log-level <level>", "log level").choices([
        "fatal",
        "error",
        "warn",
        "info",
        "debug",
        "trace",
        "silent",
      ]),
    )
    .option("--default-decision <path>", "the decision POST / answers (default system/main)")
    .addOption(new Option("--input-validation <mode>", "declared input schemas").choices(["enforce", "warn", "off"]))
    .option("--tls-cert-file <file>", "serve HTTPS with this certificate (PEM)")
    .option("--tls-private-key-file <file>", "the certificate's private key (PEM)")
    .option("--tls-ca-cert-file <file>", "require client certificates signed by this CA (mTLS)")
    .option("--token-file <file>", "require this bearer token on every API but /health")
    .option("--management-token-file <file>", "require this bearer token on the management APIs")
    .action(async (paths: string[], opts: RunOptions) => {
      process.exitCode = await runCommand(paths, opts);
    });
}

function overrides(
  paths: readonly string[],
  opts: RunOptions,
  localBundleConfigs: (paths: readonly string[], watch: boolean) => BundlesConfig,
): Record<string, unknown> {
  // Only bundles are reloaded, so --watch loads every path as one (a plain path would never reload).
  const bundlePaths = paths.filter((p) => opts.bundle || opts.watch || isArchive(p));
  const filePaths = paths.filter((p) => !bundlePaths.includes(p));
  const tls =
    opts.tlsCertFile || opts.tlsPrivateKeyFile || opts.tlsCaCertFile
      ? { cert_file: opts.tlsCertFile, key_file: opts.tlsPrivateKeyFile, client_ca_file: opts.tlsCaCertFile }
      : undefined;
  return {
    addr: opts.addr,
    paths: filePaths.length ? filePaths : undefined,
    data_files: opts.data.length ? opts.data : undefined,
    bundles: bundlePaths.length ? localBundleConfigs(bundlePaths, !!opts.watch) : undefined,
    log_level: opts.logLevel,
    default_decision: opts.defaultDecision,
    input_validation: opts.inputValidation,
    tls,
    auth:
      opts.tokenFile || opts.managementTokenFile
        ? { token_file: opts.tokenFile, management_token_file: opts.managementTokenFile }
        : undefined,
  };
}

export async function runCommand(paths: readonly string[], opts: RunOptions): Promise<number> {
  if (!opts.server) {
    process.stderr.write("verdict run: only the server mode exists; pass --server (-s)\n");
    return exitCodes.usage;
  }
  const [{ loadConfig }, { localBundleConfigs }, { closeOnSignals, startServer, startupWarnings, StartupError }] =
    await Promise.all([
      import("../../server/config.js"),
      import("../../server/bundles/index.js"),
      import("../../server/run.js"),
    ]);
  const file = opts.configFile ?? process.env.VERDICT_CONFIG;
  const flags = overrides(paths, opts, localBundleConfigs);
  const loaded = loadConfig({ ...(file ? { file } : {}), env: process.env, overrides: flags });
  if (!loaded.ok) {
    for (const e of loaded.errors) process.stderr.write(`verdict: invalid configuration: ${e}\n`);
    return exitCodes.usage;
  }
  // On stderr: at the log levels these warn about, a log line would not appear either.
  for (const w of startupWarnings(loaded.config)) process.stderr.write(`verdict: warning: ${w}\n`);
  try {
    const server = await startServer(loaded.config);
    return await Promise.race([
      closeOnSignals(server, loaded.config.shutdown_timeout_ms).then(() => exitCodes.ok),
      server.fatal.then(async (err) => {
        server.app.log.error({ err }, "stopping: a bundle can never be activated");
        await server.close();
        return exitCodes.failed;
      }),
    ]);
  } catch (err) {
    if (!(err instanceof StartupError)) throw err;
    if (err.invalidConfiguration) {
      process.stderr.write(`verdict: invalid configuration: ${err.message}\n`);
      return exitCodes.usage;
    }
    if (err.diagnostics.length) printDiagnostics(err.diagnostics, err.sources);
    process.stderr.write(`verdict: the server did not start: ${err.message}\n`);
    return exitCodes.failed;
  }
}
