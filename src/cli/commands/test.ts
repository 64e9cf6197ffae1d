// `verdict test`: run policy tests, with coverage, JSON/JUnit output and a watch mode.
import { watch } from "chokidar";
import { formatJUnit, formatText, reportFailed, runPolicyTests, type TestReport } from "../../testing/index.js";
import { exitCodes, fail } from "../output.js";

export interface TestOptions {
  readonly verbose?: boolean;
  readonly run?: string;
  readonly format: string;
  readonly watch?: boolean;
  readonly coverage?: boolean;
  readonly threshold?: string;
  readonly failOnEmpty?: boolean;
}

export function testOnce(paths: string[], opts: TestOptions): number {
  if (!["text", "json", "junit"].includes(opts.format))
    fail(`--format must be text, json or junit, not '${opts.format}'`);
  const threshold = opts.threshold === undefined ? undefined : Number(opts.threshold);
  if (threshold !== undefined && !(threshold >= 0 && threshold <= 100))
    fail("--threshold takes a percentage from 0 to 100");
  if (opts.run !== undefined) {
    try {
      new RegExp(opts.run);
    } catch {
      fail(`--run: '${opts.run}' is not a valid regular expression`);
    }
  }
  const report = runPolicyTests(paths, {
    coverage: !!opts.coverage || threshold !== undefined,
    ...(opts.run === undefined ? {} : { run: opts.run }),
  });
  process.stdout.write(render(report, opts, threshold));
  return failed(report, opts, threshold) ? exitCodes.failed : exitCodes.ok;
}

function render(report: TestReport, opts: TestOptions, threshold: number | undefined): string {
  if (opts.format === "junit") return formatJUnit(report);
  if (opts.format === "json") {
    const { outcomes, counts, coverage, diagnostics } = report;
    return JSON.stringify({ counts, outcomes, coverage, diagnostics }, null, 2) + "\n";
  }
  return formatText(report, { verbose: !!opts.verbose, ...(threshold === undefined ? {} : { threshold }) });
}

function failed(report: TestReport, opts: TestOptions, threshold: number | undefined): boolean {
  if (reportFailed(report)) return true;
  const ran = report.counts.passed + report.counts.failed + report.counts.errored;
  if (opts.failOnEmpty && ran === 0) {
    process.stderr.write("no tests found\n");
    return true;
  }
  return threshold !== undefined && (report.coverage?.percent ?? 0) < threshold;
}

/** Runs once the watcher is ready (so no edit is missed), then after every change (debounced); resolves on SIGINT. */
export async function watchTests(paths: string[], opts: TestOptions): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const rerun = () => {
    process.stdout.write(`\n--- ${new Date().toLocaleTimeString()} ---\n`);
    try {
      testOnce(paths, opts);
    } catch (err) {
      process.stderr.write(`${(err as Error).message}\n`);
    }
  };
  const watcher = watch(paths, { ignoreInitial: true, ignored: (p) => /node_modules|\/\./.test(p) });
  watcher.on("all", (_event, file) => {
    if (!/\.(verdict|json|ya?ml)$/.test(file)) return;
    clearTimeout(timer);
    timer = setTimeout(rerun, 100);
  });
  await new Promise<void>((resolve) => watcher.once("ready", () => resolve()));
  rerun();
  return new Promise((resolve) => {
    process.once("SIGINT", () => {
      void watcher.close().then(() => resolve(exitCodes.ok));
    });
  });
}
