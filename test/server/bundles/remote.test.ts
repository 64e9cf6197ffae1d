// Remote bundles against a real HTTP server on 127.0.0.1: ETag / 304, bad bundles keeping the
// old one serving, signatures, download limits, persistence across restarts, and backoff.
import { readdir } from "node:fs/promises";
import { afterAll, afterEach, describe, expect, it, vi } from "vitest";
import {
  buildBundleBytes,
  startBundleSources,
  type BundleSourceConfig,
  type BundleSources,
} from "../../../src/server/bundles/index.js";
import { backoffDelay, pollDelay } from "../../../src/server/bundles/remote.js";
import type { ResolvedPolling } from "../../../src/server/bundles/config.js";
import { defaultLimits } from "../../../src/server/bundles/common.js";
import { readTarGz, writeTarGz } from "../../../src/server/bundles/tarball.js";
import {
  brokenPolicy,
  bundleFiles,
  captureLogger,
  CompilingSink,
  eventually,
  removeTempDirs,
  startBundleServer,
  tempDir,
  writeKeys,
  writeTree,
  type BundleServer,
} from "./helpers.js";

const cleanups: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanups.splice(0).reverse()) await c();
});
afterAll(removeTempDirs);

/** A bundle tarball; written directly (not built) so that it may hold a policy that does not compile. */
async function tarball(revision: string, policy?: string, signingKey?: string): Promise<Buffer> {
  if (signingKey === undefined)
    return writeTarGz(new Map(Object.entries(bundleFiles(revision, policy)).map(([k, v]) => [k, Buffer.from(v)])));
  const dir = await tempDir();
  await writeTree(dir, bundleFiles(revision, policy));
  return buildBundleBytes(dir, { signingKey, signingAlg: "RS256" });
}

async function server(body: Buffer, etag: string): Promise<BundleServer> {
  const s = await startBundleServer(body, etag);
  cleanups.push(() => s.close());
  return s;
}

/** Fast polling for tests: every 20–40 ms, backoff from 10 ms to 80 ms. */
const fast = {
  min_delay_seconds: 0.02,
  max_delay_seconds: 0.04,
  backoff_min_delay_seconds: 0.01,
  backoff_max_delay_seconds: 0.08,
};

function start(
  cfg: BundleSourceConfig,
  sink: CompilingSink,
  opts: { persistDir?: string; fetch?: typeof fetch; random?: () => number } = {},
): BundleSources & { logger: ReturnType<typeof captureLogger> } {
  const logger = captureLogger();
  const sources = startBundleSources({ main: cfg }, sink, { logger, ...opts });
  cleanups.push(() => sources.stop());
  return Object.assign(sources, { logger });
}

describe("remote bundles", () => {
  it("activate once, then poll with If-None-Match and treat 304 as unchanged", async () => {
    const srv = await server(await tarball("1"), '"v1"');
    const sink = new CompilingSink();
    const sources = start({ resource: srv.url, polling: fast }, sink);
    await sources.ready;
    expect(sink.active?.revision).toBe("1");
    expect(sink.decide("allow", { user: "alice" })).toBe(true);
    await eventually(() => srv.requests.length >= 5);
    expect(srv.requests[0]).toEqual({ ifNoneMatch: "", status: 200 });
    for (const r of srv.requests.slice(1)) expect(r).toEqual({ ifNoneMatch: '"v1"', status: 304 });
    expect(sink.activations).toBe(1);

    srv.body = await tarball("2");
    srv.etag = '"v2"';
    await eventually(() => sink.active?.revision === "2");
    expect(sink.decide("version")).toBe("2");
    expect(sink.activations).toBe(2);
    expect(sink.failures).toEqual([]);
    expect(sources.logger.lines).toContain("info: bundle main: activated revision 2");
  });

  it("reject a bundle that does not compile and keep the old one serving", async () => {
    const srv = await server(await tarball("1"), '"v1"');
    const sink = new CompilingSink();
    const sources = start({ resource: srv.url, polling: fast }, sink);
    await sources.ready;

    srv.body = await tarball("2", brokenPolicy);
    srv.etag = '"v2"';
    await eventually(() => sink.failures.length > 0);
    expect(sink.failures[0]).toMatchObject({ name: "main" });
    expect(sink.failures[0]!.message).toMatch(/downloaded bundle rejected: .*V207/);
    expect(sources.logger.lines.some((l) => l.startsWith("error: bundle main:") && l.includes("V207"))).toBe(true);
    expect(sink.active?.revision).toBe("1");
    expect(sink.decide("allow", { user: "alice" })).toBe(true);
    // The server keeps offering the bad bundle: it is refused each time, never half-applied.
    await eventually(() => sink.failures.length >= 2);
    expect(srv.requests.at(-1)!.ifNoneMatch).toBe('"v1"');

    srv.body = await tarball("3");
    srv.etag = '"v3"';
    await eventually(() => sink.active?.revision === "3");
  });

  it("reject a tampered signed bundle until a correctly signed one arrives", async () => {
    const keys = await writeKeys(await tempDir());
    const good = await tarball("1", undefined, keys.rsaPriv);
    // Signed with the right key, then one data file altered after signing.
    const files = await readTarGz(good, defaultLimits);
    files.set("app/data.json", Buffer.from('{"admins": ["mallory"]}'));
    const tampered = await writeTarGz(files);

    const srv = await server(tampered, '"t"');
    const sink = new CompilingSink();
    const sources = start(
      { resource: srv.url, polling: fast, signing: { algorithm: "RS256", key: keys.rsaPub } },
      sink,
    );
    await eventually(() => sink.failures.length > 0);
    expect(sink.failures[0]!.message).toMatch(/refused: file 'app\/data\.json' does not match its signed hash/);
    expect(sink.active).toBeNull();

    srv.body = good;
    srv.etag = '"g"';
    await sources.ready;
    expect(sink.decide("allow", { user: "alice" })).toBe(true);
    expect(sink.decide("allow", { user: "mallory" })).toBe(false);
  });

  it("refuse downloads over the size limit, and HTTP errors, as failures", async () => {
    const srv = await server(await tarball("1"), '"v1"');
    const sink = new CompilingSink();
    start({ resource: srv.url, polling: fast, size_limit_bytes: 100 }, sink);
    await eventually(() => sink.failures.length > 0);
    expect(sink.failures[0]!.message).toMatch(/over the limit of 100/);

    const srv2 = await server(await tarball("1"), "");
    srv2.failWith = 503;
    const sink2 = new CompilingSink();
    const sources2 = start({ resource: srv2.url, polling: fast }, sink2);
    await eventually(() => sink2.failures.length > 0);
    expect(sink2.failures[0]!.message).toMatch(/failed: HTTP 503/);
    srv2.failWith = null;
    await sources2.ready; // recovers once the server does
    expect(sink2.active?.revision).toBe("1");
  });

  it("activate the same bytes only once when the server sends no ETag", async () => {
    const srv = await server(await tarball("1"), "");
    const sink = new CompilingSink();
    await start({ resource: srv.url, polling: fast }, sink).ready;
    await eventually(() => srv.requests.length >= 4);
    expect(srv.requests.every((r) => r.ifNoneMatch === "" && r.status === 200)).toBe(true);
    expect(sink.activations).toBe(1);
  });

  it("keep URL credentials out of failure messages and logs", async () => {
    const srv = await server(await tarball("1"), '"v1"');
    const sink = new CompilingSink();
    // fetch refuses URLs with credentials, quoting the URL in its error.
    const withCredentials = srv.url.replace("http://", "http://deploy:s3cret-pw@");
    const sources = start({ resource: withCredentials, polling: fast }, sink);
    await eventually(() => sink.failures.length > 0);
    expect(sink.failures[0]!.message).toMatch(/^download from http:\/\/127\.0\.0\.1:\d+\/\S* failed/);
    for (const text of [...sink.failures.map((f) => f.message), ...sources.logger.lines])
      expect(text).not.toMatch(/s3cret-pw|deploy:/);
  });
});

describe("persistence", () => {
  it("restarts from the persisted bundle while the remote is down, then resumes with its ETag", async () => {
    const persistDir = await tempDir();
    const srv = await server(await tarball("1"), '"v1"');
    const url = srv.url;
    const sink = new CompilingSink();
    const first = start({ resource: url, polling: fast, persist: true }, sink, { persistDir });
    await first.ready;
    await eventually(() => srv.requests.length >= 2); // persisted after the first activation
    await first.stop();
    expect(await readdir(persistDir)).toEqual(["main"]);
    await srv.close();

    // The server is gone: the persisted bundle serves.
    const sink2 = new CompilingSink();
    const second = start({ resource: url, polling: fast, persist: true }, sink2, { persistDir });
    await second.ready;
    expect(sink2.active?.revision).toBe("1");
    expect(sink2.decide("allow", { user: "alice" })).toBe(true);
    expect(sink2.failures[0]!.message).toMatch(/download from .* failed/);
    expect(second.logger.lines).toContain("warn: bundle main: starting from the persisted bundle");
    await second.stop();

    // The server is back with the same bundle: one conditional request, 304, nothing downloaded.
    const srv2 = await server(await tarball("1"), '"v1"');
    const sink3 = new CompilingSink();
    const third = start(
      { resource: srv2.url, polling: { ...fast, min_delay_seconds: 60, max_delay_seconds: 60 }, persist: true },
      sink3,
      {
        persistDir,
      },
    );
    await third.ready;
    expect(srv2.requests).toEqual([{ ifNoneMatch: '"v1"', status: 304 }]);
    expect(sink3.active?.revision).toBe("1");
  });

  it("does not persist a bundle that was refused", async () => {
    const persistDir = await tempDir();
    const srv = await server(await tarball("1", brokenPolicy), '"bad"');
    const sink = new CompilingSink();
    start({ resource: srv.url, polling: fast, persist: true }, sink, { persistDir });
    await eventually(() => sink.failures.length >= 2);
    expect(await readdir(persistDir)).toEqual([]);
  });
});

describe("backoff", () => {
  const polling: ResolvedPolling = {
    minDelayMs: 60_000,
    maxDelayMs: 120_000,
    backoffMinMs: 1000,
    backoffMaxMs: 8000,
    timeoutMs: 30_000,
  };

  it("doubles from the minimum up to the maximum, with ±20% jitter", () => {
    const mid = () => 0.5;
    expect([1, 2, 3, 4, 5, 50].map((n) => backoffDelay(n, polling, mid))).toEqual([1000, 2000, 4000, 8000, 8000, 8000]);
    expect(backoffDelay(3, polling, () => 0)).toBe(3200);
    expect(backoffDelay(3, polling, () => 0.999999)).toBeCloseTo(4800, 0);
    expect(backoffDelay(1, polling, () => 0)).toBe(1000); // never below the minimum
    expect(backoffDelay(4, polling, () => 0.999999)).toBe(8000); // never above the maximum
    expect(pollDelay(polling, () => 0)).toBe(60_000);
    expect(pollDelay(polling, () => 0.5)).toBe(90_000);
  });

  it("waits exactly the backoff delays between failed polls (fake timers)", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "Date"] });
    cleanups.push(async () => void vi.useRealTimers());
    const calls: number[] = [];
    const fakeFetch = (async () => {
      calls.push(Date.now());
      throw new Error("connection refused");
    }) as unknown as typeof fetch;
    const sink = new CompilingSink();
    const sources = start(
      {
        resource: "http://bundles.invalid/b.tar.gz",
        polling: { backoff_min_delay_seconds: 1, backoff_max_delay_seconds: 8 },
      },
      sink,
      { fetch: fakeFetch, random: () => 0.5 },
    );
    await vi.advanceTimersByTimeAsync(0);
    expect(calls).toHaveLength(1);
    let n = 1;
    for (const delay of [1000, 2000, 4000, 8000, 8000]) {
      await vi.advanceTimersByTimeAsync(delay - 1);
      expect(calls).toHaveLength(n); // not yet
      await vi.advanceTimersByTimeAsync(1);
      expect(calls).toHaveLength(++n);
    }
    expect(calls.slice(1).map((t, i) => t - calls[i]!)).toEqual([1000, 2000, 4000, 8000, 8000]);
    expect(sink.failures.every((f) => /connection refused/.test(f.message))).toBe(true);
    await sources.stop();
    await expect(sources.ready).rejects.toThrow(/stopped before its first activation/);
  });

  it("retries a failing server with growing gaps, then activates", async () => {
    const srv = await server(await tarball("1"), '"v1"');
    srv.failWith = 500;
    const sink = new CompilingSink();
    const sources = start(
      { resource: srv.url, polling: { ...fast, backoff_min_delay_seconds: 0.02, backoff_max_delay_seconds: 0.5 } },
      sink,
    );
    const times: number[] = [];
    await eventually(() => {
      if (srv.requests.length > times.length) times.push(Date.now());
      return srv.requests.length >= 5;
    });
    srv.failWith = null;
    await sources.ready;
    // Gaps of at least 20, 40, 80 and 160 ms (minus jitter and timer slack): generous lower bounds only.
    const gaps = times.slice(1).map((t, i) => t - times[i]!);
    expect(gaps.slice(0, 4).reduce((a, b) => a + b, 0)).toBeGreaterThanOrEqual((20 + 40 + 80 + 160) * 0.8 - 20);
    expect(sink.failures.length).toBeGreaterThanOrEqual(5);
  });
});

describe("configuration", () => {
  it("throws for configurations that cannot work, before starting anything", () => {
    const sink = new CompilingSink();
    const logger = captureLogger();
    const go = (cfg: BundleSourceConfig) => startBundleSources({ b: cfg }, sink, { logger });
    expect(() => go({ resource: "http://x/b", polling: { min_delay_seconds: 5, max_delay_seconds: 1 } })).toThrow(
      /bundles\.b: polling\.min_delay_seconds is greater/,
    );
    expect(() => go({ resource: "ftp://x/b" })).toThrow(/unsupported resource scheme/);
    expect(() => go({ resource: "ftp://u:pw@x/b" })).toThrow(/'ftp:\/\/x\/b'/);
    expect(() => go({ resource: "./dir", persist: true })).toThrow(/'persist' applies to remote/);
    expect(() => go({ resource: "http://x/b", watch: true })).toThrow(/'watch' applies to local/);
    expect(() => go({ resource: "http://x/b", signing: { algorithm: "RS256" } })).toThrow(/bundles\.b\.signing: /);
  });
});
