// `verdict/testing`: run policy tests from your own test suite (vitest, jest, node:test).
export { runPolicyTests, runPolicyTestSources, reportFailed, type TestReport, type PolicyTestOptions } from "./run.js";
export { formatText, summaryLine, type TextOptions } from "./text.js";
export { formatJUnit } from "./junit.js";
export type { TestOutcome, TestStatus } from "../eval/testing.js";
export type { CoverageReport, FileCoverage } from "../eval/coverage.js";
