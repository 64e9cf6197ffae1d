// `verdict run --server` as a process: starts, logs JSON, answers, and exits 0 on SIGTERM;
// configuration and policy errors stop it at start with a clear message and exit code.
import { spawn, type ChildProcess } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { users } from "./helpers.js";

const root = fileURLToPath(new URL("../..", import.meta.url));
const dir = mkdtempSync(join(tmpdir(), "verdict-cli-"));
const usersFile = join(dir, "users.json");
writeFileSync(usersFile, JSON.stringify({ users }));

const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children.splice(0)) if (c.exitCode === null) c.kill("SIGKILL");
});

function verdict(args: string[], env: Record<string, string> = {}) {
  const child = spawn(process.execPath, ["--import", "tsx", "src/cli/main.ts", ...args], {
    cwd: root,
    env: { ...process.env, ...env },
  });
  children.push(child);
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  const listening = new Promise<string>((resolve, reject) => {
    child.stdout.on("data", () => {
      const m = /Server listening at (http:\/\/[0-9.:]+)/.exec(stdout);
      if (m) resolve(m[1]!);
    });
    void exited.then(() => reject(new Error(`exited: ${stderr}`)));
  });
  listening.catch(() => {});
  return { child, exited, listening, out: () => stdout, err: () => stderr };
}

// Each test starts its own process; they run concurrently to keep the start-up cost down.
describe.concurrent("verdict run --server", () => {
  it("serves the example policies and shuts down gracefully on SIGTERM", async () => {
    const p = verdict(["run", "--server", "--addr", "127.0.0.1:0", "--data", usersFile, "policies"]);
    const url = await p.listening;
    const res = await fetch(`${url}/v1/data/http/authz/allow`, {
      method: "POST",
      body: JSON.stringify({ input: { request: { method: "POST", path: "/x", user: "alice" } } }),
    });
    expect(await res.json()).toMatchObject({ result: true });
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
    const lines = p
      .out()
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l) as { msg: string });
    expect(lines.some((l) => l.msg.startsWith("shutting down"))).toBe(true);
  });

  it("reads VERDICT_* environment variables", async () => {
    const p = verdict(["run", "--server", "policies"], { VERDICT_ADDR: "127.0.0.1:0", VERDICT_LOG_LEVEL: "info" });
    const url = await p.listening;
    expect((await fetch(`${url}/health`)).status).toBe(200);
    p.child.kill("SIGINT");
    expect(await p.exited).toBe(0);
  });

  it("loads paths given with -b as bundles", async () => {
    const b = join(dir, "bundle");
    mkdirSync(join(b, "acl"), { recursive: true });
    writeFileSync(join(b, ".manifest"), JSON.stringify({ revision: "r9", roots: ["acl"] }));
    writeFileSync(join(b, "acl", "p.verdict"), "package acl\n\nanswer := 42\n");
    const p = verdict(["run", "-s", "-a", "127.0.0.1:0", "-b", b]);
    const url = await p.listening;
    expect(await (await fetch(`${url}/v1/data/acl/answer`)).json()).toMatchObject({ result: 42 });
    expect(await (await fetch(`${url}/health?bundles`)).json()).toMatchObject({ bundles: { [b]: { revision: "r9" } } });
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
  });

  it("stops at start on an invalid configuration (exit 2)", async () => {
    const p = verdict(["run", "--server", "--addr", "nowhere", "policies"]);
    expect(await p.exited).toBe(2);
    expect(p.err()).toMatch(/invalid configuration: command-line flag: \/addr must match pattern/);
  });

  it.each([
    [
      "decision-log retry delays in the wrong order",
      {
        decision_logs: { service: { url: "http://127.0.0.1:9/logs", retry: { min_delay_ms: 500, max_delay_ms: 100 } } },
      },
      /invalid configuration: invalid decision_logs config: service\.retry\.max_delay_ms is below min_delay_ms/,
    ],
    [
      "a missing TLS certificate file",
      { tls: { cert_file: join(dir, "missing-cert.pem"), key_file: join(dir, "missing-key.pem") } },
      /invalid configuration: tls: cannot read the certificate .*missing-cert\.pem/,
    ],
    [
      "bundle polling delays in the wrong order",
      {
        bundles: {
          b: { resource: "http://127.0.0.1:9/b.tar.gz", polling: { min_delay_seconds: 9, max_delay_seconds: 1 } },
        },
      },
      /invalid configuration: bundles\.b: polling\.min_delay_seconds is greater than max_delay_seconds/,
    ],
    [
      "a missing bundle signing key",
      {
        bundles: {
          b: { resource: "http://127.0.0.1:9/b.tar.gz", signing: { algorithm: "RS256", key: join(dir, "nokey.pem") } },
        },
      },
      /invalid configuration: bundles\.b\.signing: .*nokey\.pem/,
    ],
  ])("stops at start with a clear message and exit 2 for %s, without a stack trace", async (name, cfg, message) => {
    const file = join(dir, `${name.replace(/\W+/g, "-")}.json`);
    writeFileSync(file, JSON.stringify({ addr: "127.0.0.1:0", paths: ["policies"], ...cfg }));
    const p = verdict(["run", "--server", "-c", file]);
    expect(await p.exited).toBe(2);
    expect(p.err()).toMatch(message);
    expect(p.err()).not.toMatch(/\n\s+at /);
  });

  // Concurrent tests must use their own `expect` for expect.poll.
  it("warns at start that console decision logs vanish above log level info", async ({ expect }) => {
    const file = join(dir, "quiet.json");
    writeFileSync(file, JSON.stringify({ log_level: "error", decision_logs: { console: true } }));
    const p = verdict(["run", "-s", "-a", "127.0.0.1:0", "-c", file, "policies"]);
    await expect
      .poll(() => p.err(), { timeout: 30_000 })
      .toMatch(/warning: decision_logs\.console is on but log_level is 'error'/);
    p.child.kill("SIGKILL"); // no "listening" line at this level to wait for
    await p.exited;
  });

  it("--watch loads paths as bundles and serves edits without a restart", async ({ expect }) => {
    const w = join(dir, "watched");
    mkdirSync(w, { recursive: true });
    writeFileSync(join(w, "p.verdict"), "package live\n\nanswer := 1\n");
    const p = verdict(["run", "-s", "-a", "127.0.0.1:0", "--watch", w]);
    const url = await p.listening;
    const answer = async () =>
      ((await (await fetch(`${url}/v1/data/live/answer`)).json()) as { result?: number }).result;
    await expect.poll(answer, { timeout: 20_000 }).toBe(1);
    writeFileSync(join(w, "p.verdict"), "package live\n\nanswer := 2\n");
    await expect.poll(answer, { timeout: 20_000, interval: 100 }).toBe(2);
    p.child.kill("SIGTERM");
    expect(await p.exited).toBe(0);
  });

  it("stops at start on policies that do not compile, with every error located (exit 1)", async () => {
    const bad = join(dir, "bad.verdict");
    writeFileSync(bad, "package bad\n\nx := y\n");
    const p = verdict(["run", "--server", "--addr", "127.0.0.1:0", bad]);
    expect(await p.exited).toBe(1);
    expect(p.err()).toContain(`${bad}:3:6: error V202`);
  });

  it("needs --server", async () => {
    const p = verdict(["run", "policies"]);
    expect(await p.exited).toBe(2);
  });
});
