// Running policy tests from files: load, compile, run every test, measure coverage.
import type { Diagnostic } from "../lang/diagnostics.js";
import { compile, type SourceFile } from "../index.js";
import { coverage, type CoverageReport } from "../eval/coverage.js";
import { runTests, type TestOutcome } from "../eval/testing.js";
import { loadFiles, nodePlatform } from "../node.js";

export interface TestReport {
  readonly outcomes: readonly TestOutcome[];
  readonly counts: {
    readonly passed: number;
    readonly failed: number;
    readonly errored: number;
    readonly skipped: number;
  };
  /** Compile errors: when present, no test ran. */
  readonly diagnostics: readonly Diagnostic[];
  readonly sources: readonly SourceFile[];
  readonly coverage: CoverageReport | null;
}

export interface PolicyTestOptions {
  /** Only run tests whose `package.name` matches this pattern. */
  readonly run?: string | RegExp;
  readonly coverage?: boolean;
  /** Fixes `time.now_ns()` for every test. */
  readonly nowNs?: number;
}

/** Loads the policies, data files and tests under `paths` and runs every test. */
export function runPolicyTests(paths: readonly string[], options: PolicyTestOptions = {}): TestReport {
  const { sources, data } = loadFiles(paths);
  return runPolicyTestSources(sources, data, options);
}

export function runPolicyTestSources(
  sources: readonly SourceFile[],
  data: unknown,
  options: PolicyTestOptions = {},
): TestReport {
  const compiled = compile(sources, { data, platform: nodePlatform });
  const empty = { passed: 0, failed: 0, errored: 0, skipped: 0 };
  if (!compiled.policy)
    return { outcomes: [], counts: empty, diagnostics: compiled.diagnostics, sources, coverage: null };
  const filter = typeof options.run === "string" ? new RegExp(options.run) : options.run;
  const run = runTests(compiled.policy, {
    ...(filter ? { filter } : {}),
    ...(options.nowNs === undefined ? {} : { nowNs: options.nowNs }),
  });
  const counts = { ...empty };
  for (const o of run.outcomes) {
    if (o.status === "pass") counts.passed++;
    else if (o.status === "fail") counts.failed++;
    else if (o.status === "error") counts.errored++;
    else counts.skipped++;
  }
  return {
    outcomes: run.outcomes,
    counts,
    diagnostics: compiled.diagnostics,
    sources,
    coverage: options.coverage ? coverage(compiled.modules, run.hits) : null,
  };
}

/** True when the report should fail a build: compile errors, failures or errors. */
export function reportFailed(r: TestReport): boolean {
  return r.diagnostics.some((d) => d.severity === "error") || r.counts.failed > 0 || r.counts.errored > 0;
}
