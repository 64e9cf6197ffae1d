#!/usr/bin/env node
// The project's one test command (`npm test`): build, lint, the vitest suites and the policy
// checks, ending with the plain `N passed, N failed` line CI reads. Arguments, if any, go to
// vitest alone (e.g. `npm test -- test/parser.test.ts`).
import { spawnSync } from "node:child_process";
import { mkdirSync, readFileSync, rmSync } from "node:fs";

const args = process.argv.slice(2);
const ci = process.env.CI === "true";
mkdirSync(".ci-out", { recursive: true });
const report = ".ci-out/vitest.json";
rmSync(report, { force: true });

const checks = [
  ["build", "npx", ["tsc", "-p", "tsconfig.build.json"]],
  ["typecheck (tests included)", "npx", ["tsc", "-p", "tsconfig.json", "--noEmit"]],
  ["eslint", "npx", ["eslint", ".", "--max-warnings", "0"]],
  ["prettier", "npx", ["prettier", "--check", "."]],
  ["vitest", "npx", ["vitest", "run", "--reporter=default", "--reporter=json", `--outputFile.json=${report}`, ...args]],
  ["verdict fmt --check policies", "node", ["dist/src/cli/main.js", "fmt", "--check", "policies"]],
  [
    "verdict test policies --coverage --threshold 90",
    "node",
    ["dist/src/cli/main.js", "test", "policies", "--coverage", "--threshold", "90", "--fail-on-empty"],
  ],
];

let passed = 0;
let failed = 0;
const failures = [];
for (const [name, cmd, cmdArgs] of args.length ? checks.filter(([n]) => n === "build" || n === "vitest") : checks) {
  process.stdout.write(`\n==> ${name}\n`);
  const r = spawnSync(cmd, cmdArgs, { stdio: "inherit", env: process.env });
  if (name === "vitest") {
    const counts = vitestCounts();
    passed += counts.passed;
    failed += counts.failed;
    if (counts.skipped && ci) {
      failures.push(`vitest: ${counts.skipped} skipped tests (nothing may skip under CI)`);
      failed += counts.skipped;
    }
    if (r.status !== 0 && counts.failed === 0) {
      failures.push("vitest exited with an error");
      failed += 1;
    }
    continue;
  }
  if (r.status === 0) passed += 1;
  else {
    failed += 1;
    failures.push(name);
  }
}

function vitestCounts() {
  try {
    const j = JSON.parse(readFileSync(report, "utf8"));
    return { passed: j.numPassedTests, failed: j.numFailedTests, skipped: j.numPendingTests + j.numTodoTests };
  } catch {
    return { passed: 0, failed: 0, skipped: 0 };
  }
}

if (failures.length) process.stdout.write(`\nfailed: ${failures.join("; ")}\n`);
process.stdout.write(`\n${passed} passed, ${failed} failed\n`);
process.exit(failed ? 1 : 0);
