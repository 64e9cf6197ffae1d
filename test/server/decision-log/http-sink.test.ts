import { afterEach, describe, expect, it } from "vitest";
import {
  createDecisionLogger,
  type DecisionLogServiceConfig,
  type DropReason,
  type StatsDecisionLogger,
} from "../../../src/server/decision-log/index.js";
import { closedPort, makeEvent, startCollector, waitUntil, type Behaviour, type Collector } from "./helpers.js";

const cleanup: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const c of cleanup.splice(0).reverse()) await c();
});

async function collector(behave?: (n: number) => Behaviour, port?: number): Promise<Collector> {
  const c = await startCollector(behave, port);
  cleanup.push(() => c.close());
  return c;
}

interface Setup {
  log: StatsDecisionLogger;
  drops: Map<DropReason, number>;
  warnings: string[];
  errors: string[];
}

/** A logger with only the HTTP sink; long default interval so that only the test triggers sends. */
function logger(service: DecisionLogServiceConfig, extra: { mask?: string[]; close_timeout_ms?: number } = {}): Setup {
  const drops = new Map<DropReason, number>();
  const warnings: string[] = [];
  const errors: string[] = [];
  const log = createDecisionLogger(
    { service: { flush_interval_ms: 60_000, retry: { min_delay_ms: 10, max_delay_ms: 40 }, ...service }, ...extra },
    {
      onDrop: (n, _sink, reason) => drops.set(reason, (drops.get(reason) ?? 0) + n),
      logger: { warn: (_o, m) => warnings.push(m), error: (_o, m) => errors.push(m) },
    },
  );
  cleanup.push(() => log.close());
  return { log, drops, warnings, errors };
}

const ids = (events: Record<string, unknown>[]) => events.map((e) => e.decision_id);
const range = (from: number, to: number) => Array.from({ length: to - from }, (_, i) => `id-${from + i}`);

describe("HTTP sink: delivery", () => {
  it("POSTs gzip-compressed JSON arrays with the configured headers, masked, in order, batched by count", async () => {
    const c = await collector();
    const { log } = logger(
      { url: c.url, batch_max_events: 10, headers: { Authorization: "Bearer t0ken", "Content-Type": "text/plain" } },
      { mask: ["/input/password"] },
    );
    for (let i = 0; i < 25; i++) log.log(makeEvent(i));
    await log.flush();
    expect(c.requests.map((r) => r.events.length)).toEqual([10, 10, 5]);
    expect(ids(c.delivered())).toEqual(range(0, 25));
    const first = c.requests[0]!;
    expect(first.headers["content-encoding"]).toBe("gzip");
    expect(first.headers["content-type"]).toBe("application/json");
    expect(first.headers.authorization).toBe("Bearer t0ken");
    expect(first.events[0]).toMatchObject({ input: { user: "u0" }, erased: ["/input/password"] });
    expect(first.raw).not.toContain("hunter2");
    expect(log.stats()).toMatchObject({ sent: 25, dropped: 0, buffered: 0, failures: 0 });
  });

  it("sends a full batch without being asked", async () => {
    const c = await collector();
    const { log } = logger({ url: c.url, batch_max_events: 5 });
    for (let i = 0; i < 5; i++) log.log(makeEvent(i));
    await waitUntil(() => log.stats().sent === 5, 10_000, "a full batch");
    expect(c.requests).toHaveLength(1);
  });

  it("keeps batches within batch_max_bytes of uncompressed JSON", async () => {
    const c = await collector();
    const limit = 1000;
    const { log } = logger({ url: c.url, batch_max_bytes: limit });
    for (let i = 0; i < 40; i++) log.log(makeEvent(i));
    await log.flush();
    expect(c.requests.length).toBeGreaterThan(5);
    for (const r of c.requests) expect(Buffer.byteLength(r.raw)).toBeLessThanOrEqual(limit);
    expect(ids(c.delivered())).toEqual(range(0, 40));
  });

  it("sends what waits after flush_interval_ms, with no flush() call", async () => {
    const c = await collector();
    const { log } = logger({ url: c.url, flush_interval_ms: 20 });
    for (let i = 0; i < 3; i++) log.log(makeEvent(i));
    await waitUntil(() => log.stats().sent === 3, 10_000, "the timed flush");
    expect(c.requests.map((r) => r.events.length)).toEqual([3]);
  });

  it("close() delivers what is buffered when the service is up", async () => {
    const c = await collector();
    const { log } = logger({ url: c.url });
    for (let i = 0; i < 7; i++) log.log(makeEvent(i));
    await log.close();
    expect(ids(c.delivered())).toEqual(range(0, 7));
    expect(log.stats()).toMatchObject({ sent: 7, dropped: 0, buffered: 0 });
  });
});

describe("HTTP sink: a slow service never blocks log()", () => {
  it("10,000 log() calls return synchronously while memory stays bounded", async () => {
    const c = await collector(() => ({ status: 200, delayMs: 50 }));
    const { log, drops } = logger({ url: c.url, batch_max_events: 250, buffer_max_events: 1000 });
    for (let i = 0; i < 10_000; i++) {
      const returned: unknown = log.log(makeEvent(i));
      expect(returned).toBeUndefined(); // not a promise: nothing to await
    }
    // No await has happened yet, so the uploader has not even started: all of this is log() alone.
    expect(log.stats()).toMatchObject({ buffered: 1000, dropped: 9000, sent: 0 });
    expect(drops.get("buffer_full")).toBe(9000);
    await log.flush();
    expect(ids(c.delivered())).toEqual(range(0, 1000));
    expect(c.requests.every((r) => r.events.length <= 250)).toBe(true);
    expect(log.stats()).toMatchObject({ buffered: 0, sent: 1000, dropped: 9000 });
  });

  it("buffer_max_bytes bounds memory too, and an event larger than the buffer is dropped as too_large", () => {
    const { log, drops } = logger({ url: "http://127.0.0.1:9/logs", buffer_max_bytes: 5_000 }, { close_timeout_ms: 0 });
    for (let i = 0; i < 100; i++) log.log(makeEvent(i));
    log.log(makeEvent(100, { input: "x".repeat(10_000) }));
    const s = log.stats();
    expect(s.buffered).toBeGreaterThan(0);
    expect(s.buffered).toBeLessThan(100);
    expect(drops.get("buffer_full")).toBe(100 - s.buffered);
    expect(drops.get("too_large")).toBe(1);
  });
});

describe("HTTP sink: a failing service", () => {
  it("retries 500s with growing delays, then delivers once the service recovers", async () => {
    const c = await collector((n) => ({ status: n <= 4 ? 500 : 200 }));
    const { log, warnings } = logger({ url: c.url, retry: { min_delay_ms: 20, max_delay_ms: 1000 } });
    for (let i = 0; i < 3; i++) log.log(makeEvent(i));
    void log.flush();
    await waitUntil(() => log.stats().sent === 3, 10_000, "delivery after recovery");
    expect(c.requests).toHaveLength(5);
    expect(c.requests.every((r) => ids(r.events).join() === "id-0,id-1,id-2")).toBe(true);
    // Each wait is at least half its (doubling) ceiling: 10, 20, 40, 80 ms. A little slack for timer rounding.
    const gaps = c.requests.slice(1).map((r, i) => r.at - c.requests[i]!.at);
    [10, 20, 40, 80].forEach((min, i) => expect(gaps[i]).toBeGreaterThanOrEqual(min - 2));
    expect(log.stats()).toMatchObject({ sent: 3, failures: 4, dropped: 0, buffered: 0 });
    expect(warnings.filter((w) => w.includes("failed"))).toHaveLength(1); // once per outage, not per attempt
  });

  it("retries a refused connection and delivers everything buffered when the service comes back", async () => {
    const port = await closedPort();
    const { log } = logger({ url: `http://127.0.0.1:${port}/logs`, batch_max_events: 4 });
    for (let i = 0; i < 10; i++) log.log(makeEvent(i));
    await log.flush(); // resolves after the first failed attempt; nothing is lost
    expect(log.stats().failures).toBeGreaterThanOrEqual(1);
    expect(log.stats()).toMatchObject({ buffered: 10, dropped: 0, sent: 0 });
    await waitUntil(() => log.stats().failures >= 3, 10_000, "more retries");
    const c = await collector(undefined, port);
    await waitUntil(() => c.delivered().length === 10, 10_000, "delivery after the service came back");
    await log.flush();
    expect(ids(c.delivered())).toEqual(range(0, 10));
    expect(log.stats()).toMatchObject({ sent: 10, dropped: 0, buffered: 0 });
  });

  it("counts drops through onDrop and stats() while the service is down", async () => {
    const c = await collector(() => ({ status: 503 }));
    const { log, drops } = logger({ url: c.url, buffer_max_events: 20, batch_max_events: 5 }, { close_timeout_ms: 0 });
    for (let i = 0; i < 50; i++) log.log(makeEvent(i));
    await waitUntil(() => log.stats().failures >= 3, 10_000, "failed attempts");
    for (let i = 50; i < 60; i++) log.log(makeEvent(i));
    expect(drops.get("buffer_full")).toBe(40);
    expect(log.stats()).toMatchObject({ dropped: 40, buffered: 20, sent: 0 });
    expect(c.requests.length).toBeGreaterThanOrEqual(3);
    // Retries keep sending the same (oldest) batch.
    expect(new Set(c.requests.map((r) => ids(r.events).join()))).toEqual(new Set([range(0, 5).join()]));
  });

  it("drops a batch the service rejects with a 4xx that retrying cannot fix", async () => {
    const c = await collector((n) => ({ status: n === 1 ? 400 : 200 }));
    const { log, drops, errors } = logger({ url: c.url, batch_max_events: 2 });
    for (let i = 0; i < 4; i++) log.log(makeEvent(i));
    await log.flush();
    expect(c.requests).toHaveLength(2);
    expect(ids(c.delivered())).toEqual(["id-2", "id-3"]);
    expect(drops.get("rejected")).toBe(2);
    expect(log.stats()).toMatchObject({ sent: 2, dropped: 2, failures: 1, buffered: 0 });
    expect(errors).toHaveLength(1);
  });

  it("aborts an attempt after timeout_ms and retries it", async () => {
    const c = await collector((n) => (n === 1 ? "hang" : { status: 200 }));
    const { log } = logger({ url: c.url, timeout_ms: 100 });
    log.log(makeEvent(1));
    void log.flush();
    await waitUntil(() => log.stats().sent === 1, 10_000, "delivery after a timeout");
    expect(log.stats()).toMatchObject({ sent: 1, failures: 1 });
  });
});

describe("HTTP sink: shutdown", () => {
  it("close() with a service that never answers returns at its deadline and counts the rest as dropped", async () => {
    const c = await collector(() => "hang");
    const { log, drops } = logger({ url: c.url, timeout_ms: 60_000 }, { close_timeout_ms: 200 });
    for (let i = 0; i < 5; i++) log.log(makeEvent(i));
    void log.flush();
    await waitUntil(() => c.requests.length === 1, 10_000, "the upload to hang");
    const started = Date.now();
    await log.close();
    const took = Date.now() - started;
    expect(took).toBeLessThan(5_000); // the hanging attempt alone would take 60 s
    expect(drops.get("deadline")).toBe(5);
    expect(log.stats()).toMatchObject({ sent: 0, dropped: 5, buffered: 0 });
  });

  it("close() keeps retrying a refused connection until its deadline, then drops", async () => {
    const port = await closedPort();
    const { log, drops } = logger({ url: `http://127.0.0.1:${port}/logs` }, { close_timeout_ms: 150 });
    for (let i = 0; i < 3; i++) log.log(makeEvent(i));
    await log.close();
    expect(log.stats().failures).toBeGreaterThanOrEqual(2);
    expect(drops.get("deadline")).toBe(3);
  });

  it("log() after close() drops and counts; close() and flush() stay safe to call again", async () => {
    const c = await collector();
    const { log, drops } = logger({ url: c.url });
    await log.close();
    log.log(makeEvent(1));
    await log.close();
    await log.flush();
    expect(drops.get("closed")).toBe(1);
    expect(c.requests).toHaveLength(0);
  });
});
