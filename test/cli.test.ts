// The `verdict` command line, run as a user runs it (the built dist/, as `npm test` builds first).
import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { beforeAll, describe, expect, it } from "vitest";

const cli = join(import.meta.dirname, "..", "dist", "src", "cli", "main.js");

function verdict(args: string[], stdin?: string) {
  const r = spawnSync("node", [cli, ...args], { encoding: "utf8", input: stdin, cwd: join(import.meta.dirname, "..") });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), "verdict-cli-"));
  writeFileSync(
    join(dir, "users.json"),
    JSON.stringify({ users: { alice: { id: "alice", roles: ["admin"], verified: true } } }),
  );
  writeFileSync(join(dir, "admin.json"), JSON.stringify({ request: { method: "POST", path: "/x", user: "alice" } }));
  writeFileSync(join(dir, "anon.json"), JSON.stringify({ request: { method: "POST", path: "/x" } }));
});

describe("verdict eval", () => {
  it("evaluates the language example as documented", () => {
    const base = [
      "eval",
      "-d",
      "policies/http/example.verdict",
      "--data",
      join(dir, "users.json"),
      "-i",
      join(dir, "admin.json"),
    ];
    expect(verdict([...base, "data.http.authz.allow"]).out).toBe("true\n");
    expect(JSON.parse(verdict([...base, "data.http.authz.deny"]).out)).toEqual(["TLS required for /x"]);
    expect(JSON.parse(verdict([...base, "data.http.authz.roles_by_user"]).out)).toEqual({ alice: ["admin"] });
    expect(JSON.parse(verdict([...base, "data.http.authz.reason"]).out)).toBe("admin");
    expect(verdict([...base, "data.http.authz.everyone_verified"]).out).toBe("true\n");
    expect(JSON.parse(verdict([...base, "data.http.authz.admins"]).out)).toEqual(["alice"]);
  });

  it("prints undefined, and why with --explain", () => {
    const r = verdict([
      "eval",
      "-d",
      "policies/http/example.verdict",
      "-i",
      join(dir, "anon.json"),
      "--explain",
      "http.authz.everyone_verified",
    ]);
    expect(r.code).toBe(0);
    // No data.users: the `every` domain is undefined, so the rule is undefined, and --explain says where.
    expect(r.out).toMatch(/^undefined\n\nexplanation:\n  data\.http\.authz\.everyone_verified = undefined\n/);
    expect(r.out).toMatch(/failed at \d+:\d+: every name, u in users \{ \.\.\. \}/);
    const u = verdict([
      "eval",
      "-d",
      "policies/http/example.verdict",
      "--data",
      join(dir, "users.json"),
      "-i",
      join(dir, "anon.json"),
      "--explain",
      "http.authz.reason",
    ]);
    expect(u.out).toContain("data.http.authz.reason");
    expect(u.out).toMatch(/matched through the else at \d+:\d+, value "other"/);
    expect(u.out).toMatch(/earlier branch failed at \d+:\d+: "admin" in users\[req.user\].roles/);
    const none = verdict(["eval", "-d", "policies/http/example.verdict", "--explain", "http.authz.nothing"]);
    expect(none.out).toBe("undefined\n\nexplanation:\n  no rule or data at data.http.authz.nothing\n");
  });

  it("evaluates expressions and reads input from stdin", () => {
    const r = verdict(
      ["eval", "-d", "policies/http/example.verdict", "-i", "-", 'input.request.method == "GET" or input.x'],
      JSON.stringify({ request: { method: "GET" } }),
    );
    expect(r.out).toBe("true\n");
  });

  it("reads the input with input... queries, and rejects bad documents with exit 2", () => {
    const r = verdict(["eval", "-i", join(dir, "admin.json"), "input.request.method"]);
    expect(r.out).toBe('"POST"\n');
    const bad = join(dir, "bad.json");
    writeFileSync(bad, "{not json");
    const e = verdict(["eval", "--data", bad, "data.x"]);
    expect(e.code).toBe(2);
    expect(e.err).toMatch(/^verdict: .*bad.json: not valid JSON/);
  });

  it("reports evaluation errors with a location and exits 1", () => {
    const f = join(dir, "err.verdict");
    writeFileSync(f, "package e\n\nx := input.n / 0\n");
    const r = verdict(["eval", "-d", f, "-i", "-", "e.x"], '{"n": 1}');
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${f}:3:6: evaluation error (division_by_zero): division by zero`);
  });
});

describe("verdict check", () => {
  it("reports every error as file:line:col and exits 1", () => {
    const f = join(dir, "bad.verdict");
    writeFileSync(f, "package b\n\na if { nope }\n\nb if { count(1, 2) }\n");
    const r = verdict(["check", f]);
    expect(r.code).toBe(1);
    expect(r.err).toContain(`${f}:3:8: error V201: unknown name 'nope'`);
    expect(r.err).toContain(`${f}:5:8: error V208: 'count' takes 1 argument but got 2`);
    expect(r.err).toContain("2 errors");
  });

  it("checks against a JSON Schema", () => {
    const schema = join(dir, "schema.json");
    writeFileSync(
      schema,
      JSON.stringify({
        type: "object",
        properties: {
          request: { type: "object", additionalProperties: false, properties: { method: { type: "string" } } },
        },
      }),
    );
    const r = verdict(["check", "--schema", `input=${schema}`, "policies/http/example.verdict"]);
    expect(r.code).toBe(1);
    expect(r.err).toContain("error V402: input.request has no field 'path' in its schema");
  });

  it("passes good policies", () => {
    const r = verdict(["check", "policies/http/example.verdict"]);
    expect(r.code).toBe(0);
    expect(r.out).toBe("ok: 1 file checked\n");
  });
});

describe("verdict fmt and parse", () => {
  it("formats, checks formatting and rewrites files", () => {
    const f = join(dir, "messy.verdict");
    writeFileSync(f, "package m\nallow   if {input.a==1   # why\n}\n");
    expect(verdict(["fmt", "--check", f]).code).toBe(1);
    const printed = verdict(["fmt", f]).out;
    expect(printed).toContain("# why");
    expect(verdict(["fmt", "-w", f]).code).toBe(0);
    expect(readFileSync(f, "utf8")).toBe(printed);
    expect(verdict(["fmt", "--check", f]).code).toBe(0);
  });

  it("prints the AST as JSON", () => {
    const ast = JSON.parse(verdict(["parse", "policies/http/example.verdict"]).out) as {
      kind: string;
      package: { path: string[] };
    };
    expect(ast.kind).toBe("module");
    expect(ast.package.path).toEqual(["http", "authz"]);
  });

  it("exits 2 with a message for a missing file", () => {
    const r = verdict(["parse", join(dir, "missing.verdict")]);
    expect(r.code).toBe(2);
    expect(r.err).toMatch(/^verdict: ENOENT/);
  });
});

describe("verdict test", () => {
  it("prints one line per test and the summary, exit 1 on failure", () => {
    const f = join(dir, "p_test.verdict");
    writeFileSync(
      f,
      'package p\n\nallow if input.ok\n\ntest "ok" {\n    allow with input.ok as true\n}\n\ntest "broken" {\n    allow with input.ok as false\n}\n',
    );
    const r = verdict(["test", f]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^PASS  p: ok \(.*p_test.verdict:5\) [\d.]+ms$/m);
    expect(r.out).toMatch(/^FAIL  p: broken/m);
    expect(r.out.trimEnd().split("\n").at(-1)).toBe("1 passed, 1 failed");
    const only = verdict(["test", f, "--run", "p\\.ok$"]);
    expect(only.code).toBe(0);
    expect(only.out.trimEnd().split("\n").at(-1)).toBe("1 passed, 0 failed");
  });

  it("fails on empty only when asked, and below a coverage threshold", () => {
    const f = join(dir, "empty.verdict");
    writeFileSync(f, "package q\n\nallow if input.ok\n");
    expect(verdict(["test", f]).code).toBe(0);
    expect(verdict(["test", f, "--fail-on-empty"]).code).toBe(1);
    const t = join(dir, "cov");
    writeFileSync(
      t + ".verdict",
      'package c\n\na if input.a\n\nb if input.b\n\ntest "a" {\n    a with input.a as true\n}\n',
    );
    const r = verdict(["test", t + ".verdict", "--threshold", "90"]);
    expect(r.code).toBe(1);
    expect(r.out).toContain("coverage 50.0% is below the threshold of 90%");
  });

  it("shows expected vs actual for a deliberately broken copy of an example policy", () => {
    const copy = join(dir, "broken");
    cpSync("policies", copy, { recursive: true });
    const file = join(copy, "envoy", "authz", "authz.verdict");
    const source = readFileSync(file, "utf8");
    // Break the success status the Envoy policy returns for allowed requests.
    const broken = source.replace('upstream_headers, "http_status": 200', 'upstream_headers, "http_status": 201');
    expect(broken).not.toBe(source);
    writeFileSync(file, broken);
    const r = verdict(["test", copy]);
    expect(r.code).toBe(1);
    expect(r.out).toMatch(/^FAIL  envoy\.authz: /m);
    expect(r.out).toMatch(/did not hold: /);
    expect(r.out).toMatch(/left: +.*201/);
    expect(r.out).toMatch(/right: +.*200/);
  });

  it("re-runs on change in watch mode", async () => {
    const f = join(dir, "w_test.verdict");
    writeFileSync(f, 'package w\n\nok := true\n\ntest "ok" {\n    ok\n}\n');
    const child = spawn("node", [cli, "test", "--watch", f], { stdio: ["ignore", "pipe", "pipe"] });
    let out = "";
    child.stdout.on("data", (b: Buffer) => (out += b.toString()));
    const waitFor = async (re: RegExp) => {
      for (let i = 0; i < 200 && !re.test(out); i++) await new Promise((r) => setTimeout(r, 50));
      expect(out).toMatch(re);
    };
    await waitFor(/1 passed, 0 failed/);
    writeFileSync(f, 'package w\n\nok := false\n\ntest "ok" {\n    ok\n}\n');
    await waitFor(/0 passed, 1 failed/);
    child.kill("SIGINT");
    await new Promise((r) => child.on("exit", r));
  });

  it("reports compile errors in JUnit, and treats all-skipped as empty", () => {
    const bad = join(dir, "bad_test.verdict");
    writeFileSync(bad, 'package bad\n\ntest "t" {\n    nope\n}\n');
    const junit = verdict(["test", bad, "--format", "junit"]);
    expect(junit.code).toBe(1);
    expect(junit.out).toContain('<testsuite name="compile" tests="1" failures="0" errors="1"');
    expect(junit.out).toContain("unknown name &apos;nope&apos;");
    const todo = join(dir, "todo_test.verdict");
    writeFileSync(todo, 'package todo\n\ntest "TODO: later" {\n    false\n}\n');
    expect(verdict(["test", todo]).code).toBe(0);
    expect(verdict(["test", todo, "--fail-on-empty"]).code).toBe(1);
  });

  it("writes JSON and JUnit", () => {
    const f = join(dir, "j_test.verdict");
    writeFileSync(f, 'package j\n\ntest "t" {\n    true\n}\n');
    expect(JSON.parse(verdict(["test", f, "--format", "json"]).out).counts).toEqual({
      passed: 1,
      failed: 0,
      errored: 0,
      skipped: 0,
    });
    expect(verdict(["test", f, "--format", "junit"]).out).toContain('<testcase name="t" classname="j"');
  });
});
