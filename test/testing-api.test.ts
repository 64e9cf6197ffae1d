// The policy test runner as a library, used the way docs/testing.md shows.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { formatJUnit, formatText, runPolicyTests, runPolicyTestSources } from "../src/testing/index.js";

const policy = `package t

default allow := false

allow if input.user == "admin"

label := "big" if input.n > 10 else := "small"
`;

const tests = `package t

test "admin allowed" {
    allow with input as {"user": "admin"}
}

test "guest denied" {
    not allow with input as {"user": "guest"}
}

test "wrong on purpose" {
    label == "big" with input as {"n": 3}
}

cases := {"one": {"n": 1, "want": "small"}, "eleven": {"n": 11, "want": "big"}}

test "labels" {
    some name, c in cases
    label == c.want with input.n as c.n
}

test "TODO: later" {
    false
}
`;

describe("verdict/testing", () => {
  const report = runPolicyTestSources(
    [
      { file: "t.verdict", source: policy },
      { file: "t_test.verdict", source: tests },
    ],
    {},
    { coverage: true },
  );

  it("reports each test and each table case", () => {
    expect(report.outcomes.map((o) => `${o.status} ${o.name}`)).toEqual([
      "pass admin allowed",
      "pass guest denied",
      "fail wrong on purpose",
      "pass labels [eleven]",
      "pass labels [one]",
      "skip TODO: later",
    ]);
    expect(report.counts).toEqual({ passed: 4, failed: 1, errored: 0, skipped: 1 });
  });

  it("explains a failure with expected and actual values", () => {
    const failed = report.outcomes.find((o) => o.status === "fail")!;
    expect(failed.failure?.failed?.text).toBe('label == "big"');
    expect(failed.failure?.failed?.operands).toEqual(["small", "big"]);
    expect(failed.failure?.rules.map((r) => r.rule)).toContain("data.t.label");
    const text = formatText(report);
    expect(text).toContain('did not hold: label == "big"');
    expect(text).toContain('left:  "small"');
    expect(text.trimEnd().split("\n").at(-1)).toBe("4 passed, 1 failed, 1 skipped");
  });

  it("reports the operands of the failed comparison itself, evaluated where it ran", () => {
    const r = runPolicyTestSources(
      [
        {
          file: "o.verdict",
          source: `package o

deny contains m if {
    some m in ["a", "b"]
    m != "ok"
}

test "iteration has no single operand" {
    1 == 1
    input.xs[_] == 5 with input as {"xs": [1, 2]}
}

test "values inside rules are not the test's operands" {
    deny[_] == "zzz"
}

test "both sides even when the left is undefined" {
    input.missing == 1
}

test "operands under with" {
    count(deny) == 5 with input as {}
}
`,
        },
      ],
      {},
    );
    const operands = r.outcomes.map((o) => o.failure?.failed?.operands);
    expect(operands).toEqual([undefined, undefined, [undefined, 1], [2, 5]]);
  });

  it("measures line coverage of the policy file", () => {
    const file = report.coverage!.files.find((f) => f.file === "t.verdict")!;
    // Every line of the policy runs in some test: default, both allow lines, label and its else.
    expect(file.notCovered).toEqual([]);
    expect(file.covered).toEqual([3, 5, 7]);
  });

  it("writes JUnit XML with failures", () => {
    const xml = formatJUnit(report);
    expect(xml).toContain('<testsuite name="t" tests="6" failures="1" errors="0" skipped="1"');
    expect(xml).toContain('<failure message="did not hold: label == &quot;big&quot;"');
  });

  it("loads policies and data from disk", () => {
    const dir = mkdtempSync(join(tmpdir(), "verdict-tests-"));
    writeFileSync(join(dir, "t.verdict"), `package t\n\nallow if data.t.admins[input.user]\n`);
    writeFileSync(
      join(dir, "t_test.verdict"),
      `package t\n\ntest "from data" {\n    allow with input.user as "ann"\n}\n`,
    );
    writeFileSync(join(dir, "data.json"), JSON.stringify({ t: { admins: { ann: true } } }));
    const r = runPolicyTests([dir]);
    expect(r.diagnostics).toEqual([]);
    expect(r.outcomes.map((o) => o.status)).toEqual(["pass"]);
  });
});
