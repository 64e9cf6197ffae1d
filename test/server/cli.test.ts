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
