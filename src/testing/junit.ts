// JUnit XML, the format CI systems (GitLab, Jenkins, GitHub reporters) read.
import type { TestReport } from "./run.js";

const escape = (s: string): string =>
  s
    .replace(/[<>&"']/g, (c) => ({ "<": "&lt;", ">": "&gt;", "&": "&amp;", '"': "&quot;", "'": "&apos;" })[c]!)
    .replace(/[\u0000-\u0008\u000B\u000C\u000E-\u001F]/g, "");

export function formatJUnit(r: TestReport): string {
  const byPackage = new Map<string, TestReport["outcomes"][number][]>();
  for (const o of r.outcomes) byPackage.set(o.package, [...(byPackage.get(o.package) ?? []), o]);
  const suites = [...byPackage].map(([pkg, os]) => {
    const failures = os.filter((o) => o.status === "fail").length;
    const errors = os.filter((o) => o.status === "error").length;
    const skipped = os.filter((o) => o.status === "skip").length;
    const time = os.reduce((t, o) => t + o.durationMs, 0) / 1000;
    const cases = os.map((o) => {
      const attrs = `name="${escape(o.name)}" classname="${escape(pkg)}" file="${escape(o.loc.file)}" line="${o.loc.line}" time="${(o.durationMs / 1000).toFixed(6)}"`;
      if (o.status === "pass") return `    <testcase ${attrs}/>`;
      if (o.status === "skip") return `    <testcase ${attrs}><skipped/></testcase>`;
      if (o.status === "error")
        return `    <testcase ${attrs}><error message="${escape(o.error?.message ?? "error")}" type="${escape(o.error?.code ?? "error")}"/></testcase>`;
      const f = o.failure?.failed;
      const detail = f
        ? `${f.loc.file}:${f.loc.line}:${f.loc.col}: ${f.text}${f.operands ? `\nleft:  ${JSON.stringify(f.operands[0])}\nright: ${JSON.stringify(f.operands[1])}` : ""}`
        : "the test body did not hold";
      return `    <testcase ${attrs}><failure message="${escape(f ? `did not hold: ${f.text}` : "failed")}">${escape(detail)}</failure></testcase>`;
    });
    return `  <testsuite name="${escape(pkg)}" tests="${os.length}" failures="${failures}" errors="${errors}" skipped="${skipped}" time="${time.toFixed(6)}">\n${cases.join("\n")}\n  </testsuite>`;
  });
  const { passed, failed, errored, skipped } = r.counts;
  return `<?xml version="1.0" encoding="UTF-8"?>\n<testsuites name="verdict" tests="${passed + failed + errored + skipped}" failures="${failed}" errors="${errored}" skipped="${skipped}">\n${suites.join("\n")}\n</testsuites>\n`;
}
