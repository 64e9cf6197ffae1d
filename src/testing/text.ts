// The human-readable test report: one line per test, details for failures, then a summary.
import { formatDiagnostic } from "../lang/diagnostics.js";
import type { TestOutcome } from "../eval/testing.js";
import type { RuleTrace } from "../eval/trace.js";
import type { TestReport } from "./run.js";

export interface TextOptions {
  /** Also show the rules and `print` output of passing tests. */
  readonly verbose?: boolean;
  /** Coverage percentage below which the run fails (printed with the coverage table). */
  readonly threshold?: number;
}

export function formatText(r: TestReport, options: TextOptions = {}): string {
  const out: string[] = [];
  if (r.diagnostics.length) {
    const byFile = new Map(r.sources.map((s) => [s.file, s.source]));
    for (const d of r.diagnostics) out.push(formatDiagnostic(d, byFile.get(d.loc.file)));
  }
  for (const o of r.outcomes) {
    const where = `${o.loc.file}:${o.loc.line}`;
    out.push(`${o.status.toUpperCase().padEnd(5)} ${o.package}: ${o.name} (${where}) ${o.durationMs.toFixed(2)}ms`);
    if (o.status === "fail") out.push(...failureDetails(o));
    if (o.status === "error" && o.error) {
      const at = o.error.loc ? `${o.error.loc.file}:${o.error.loc.line}:${o.error.loc.col}: ` : "";
      out.push(`      ${at}${o.error.code}: ${o.error.message}`);
      for (const r of o.error.related ?? []) out.push(`        ${r.loc.file}:${r.loc.line}:${r.loc.col}: ${r.message}`);
    }
    if (o.status !== "pass" || options.verbose) {
      for (const p of o.printed) out.push(`      print: ${p}`);
      if (options.verbose && o.status === "pass") out.push(...rulesTrail(o.rules));
    }
  }
  if (r.coverage) {
    out.push("", "coverage:");
    for (const f of r.coverage.files) {
      const missing = f.notCovered.length ? `  not covered: lines ${f.notCovered.join(", ")}` : "";
      out.push(`  ${f.percent.toFixed(1).padStart(5)}%  ${f.file}${missing}`);
    }
    out.push(
      `  ${r.coverage.percent.toFixed(1).padStart(5)}%  total (${r.coverage.covered}/${r.coverage.total} lines)`,
    );
    if (options.threshold !== undefined && r.coverage.percent < options.threshold) {
      out.push(`coverage ${r.coverage.percent.toFixed(1)}% is below the threshold of ${options.threshold}%`);
    }
  }
  out.push("", summaryLine(r));
  return out.join("\n") + "\n";
}

/** `N passed, N failed` with `, N errored, N skipped` when non-zero. */
export function summaryLine(r: TestReport): string {
  const { passed, failed, errored, skipped } = r.counts;
  let line = `${passed} passed, ${failed} failed`;
  if (errored) line += `, ${errored} errored`;
  if (skipped) line += `, ${skipped} skipped`;
  return line;
}

function failureDetails(o: TestOutcome): string[] {
  const lines: string[] = [];
  const f = o.failure?.failed;
  if (f) {
    lines.push(`      ${f.loc.file}:${f.loc.line}:${f.loc.col}: did not hold: ${f.text}`);
    if (f.operands) {
      lines.push(`        left:  ${json(f.operands[0])}`);
      lines.push(`        right: ${json(f.operands[1])}`);
    }
  }
  lines.push(...rulesTrail(o.failure?.rules ?? []));
  return lines;
}

function rulesTrail(rules: readonly RuleTrace[]): string[] {
  const lines: string[] = [];
  for (const r of rules) {
    lines.push(
      `      ${r.rule} = ${r.result === "undefined" ? "undefined" : json(r.value)}${r.result === "default" ? " (default)" : ""}`,
    );
    for (const d of r.definitions) {
      const at = `${d.loc.file}:${d.loc.line}`;
      if (d.outcome === "matched")
        lines.push(`        ${at}: matched${d.else ? ` through the else at line ${d.else.line}` : ""}`);
      else if (d.failed) lines.push(`        ${at}: failed at line ${d.failed.loc.line}: ${d.failed.text}`);
      else lines.push(`        ${at}: no match`);
    }
  }
  return lines;
}

const json = (v: unknown): string => (v === undefined ? "undefined" : JSON.stringify(v));
