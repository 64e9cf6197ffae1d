// JUnit XML, the format CI systems (GitLab, Jenkins, GitHub reporters) read.
import type { TestOutcome } from "../eval/testing.js";
import type { TestReport } from "./run.js";

const escape = (s: string): string =>
  s
    .replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!)
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "");

const at = (loc: { file: string; line: number; col: number }): string => `${loc.file}:${loc.line}:${loc.col}`;

function testcase(o: TestOutcome): string {
  const seconds = (o.durationMs / 1000).toFixed(6);
  const attrs = `name="${escape(o.name)}" classname="${escape(o.package)}" file="${escape(o.loc.file)}" line="${o.loc.line}" time="${seconds}"`;
  switch (o.status) {
    case "pass":
      return `    <testcase ${attrs}/>`;
    case "skip":
      return `    <testcase ${attrs}><skipped/></testcase>`;
    case "error": {
      const e = o.error;
      const detail = `${e?.loc ? at(e.loc) + ": " : ""}${e?.message ?? ""}`;
      return `    <testcase ${attrs}><error message="${escape(e?.message ?? "error")}" type="${escape(e?.code ?? "error")}">${escape(detail)}</error></testcase>`;
    }
    case "fail": {
      const f = o.failure?.failed;
      const operands = f?.operands
        ? `\nleft:  ${JSON.stringify(f.operands[0])}\nright: ${JSON.stringify(f.operands[1])}`
        : "";
      const detail = f ? `${at(f.loc)}: ${f.text}${operands}` : "the test body did not hold";
      const message = f ? `did not hold: ${f.text}` : "failed";
      return `    <testcase ${attrs}><failure message="${escape(message)}">${escape(detail)}</failure></testcase>`;
    }
  }
}

function testsuite(
  name: string,
  cases: readonly string[],
  counts: { failures: number; errors: number; skipped: number },
  seconds: number,
): string {
  const head = `  <testsuite name="${escape(name)}" tests="${cases.length}" failures="${counts.failures}" errors="${counts.errors}" skipped="${counts.skipped}" time="${seconds.toFixed(6)}">`;
  return `${head}\n${cases.join("\n")}\n  </testsuite>`;
}

export function formatJUnit(r: TestReport): string {
  const suites: string[] = [];
  // Policies that do not compile run no test: each error is an erroring case, so CI shows it.
  const compileErrors = r.diagnostics.filter((d) => d.severity === "error");
  if (compileErrors.length) {
    const cases = compileErrors.map(
      (d) =>
        `    <testcase name="${escape(`${d.code} ${at(d.loc)}`)}" classname="compile" file="${escape(d.loc.file)}" line="${d.loc.line}" time="0"><error message="${escape(d.message)}" type="${d.code}">${escape(`${at(d.loc)}: ${d.message}${d.hint ? `\nhint: ${d.hint}` : ""}`)}</error></testcase>`,
    );
    suites.push(testsuite("compile", cases, { failures: 0, errors: cases.length, skipped: 0 }, 0));
  }
  const byPackage = new Map<string, TestOutcome[]>();
  for (const o of r.outcomes) byPackage.set(o.package, [...(byPackage.get(o.package) ?? []), o]);
  for (const [pkg, os] of byPackage) {
    const count = (s: TestOutcome["status"]) => os.filter((o) => o.status === s).length;
    const seconds = os.reduce((t, o) => t + o.durationMs, 0) / 1000;
    suites.push(
      testsuite(
        pkg,
        os.map(testcase),
        { failures: count("fail"), errors: count("error"), skipped: count("skip") },
        seconds,
      ),
    );
  }
  const { passed, failed, skipped } = r.counts;
  const errored = r.counts.errored + compileErrors.length;
  const total = passed + failed + errored + skipped;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="verdict" tests="${total}" failures="${failed}" errors="${errored}" skipped="${skipped}">\n${suites.join("\n")}\n</testsuites>\n`;
}
