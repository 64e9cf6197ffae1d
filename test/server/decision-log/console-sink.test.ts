import Fastify from "fastify";
import { PassThrough, Writable } from "node:stream";
import { describe, expect, it } from "vitest";
import { ConsoleSink } from "../../../src/server/decision-log/console-sink.js";
import { createDecisionLogger, type DropReason } from "../../../src/server/decision-log/index.js";
import type { SinkReporter } from "../../../src/server/decision-log/sink.js";
import { makeEvent } from "./helpers.js";

function capture() {
  const stream = new PassThrough();
  const chunks: string[] = [];
  stream.on("data", (c: Buffer) => chunks.push(c.toString("utf8")));
  const lines = () =>
    chunks
      .join("")
      .split("\n")
      .filter((l) => l !== "")
      .map((l) => JSON.parse(l) as Record<string, unknown>);
  return { stream, lines };
}

function drops() {
  const seen: { count: number; sink: string; reason: DropReason }[] = [];
  return { seen, onDrop: (count: number, sink: string, reason: DropReason) => seen.push({ count, sink, reason }) };
}

describe("console sink", () => {
  it("writes one JSON line per decision, masked, with OPA's msg and type", async () => {
    const out = capture();
    const log = createDecisionLogger({ console: true, mask: ["/input/password"] }, { stdout: out.stream });
    const event = makeEvent(1, { error: { code: "internal_error", message: "boom" } });
    log.log(event);
    log.log(makeEvent(2));
    await log.flush();
    const [first, second] = out.lines();
    expect(first).toEqual({
      msg: "Decision Log",
      type: "openpolicyagent.org/decision_logs",
      decision_id: "id-1",
      path: "authz/allow",
      input: { user: "u1" },
      result: true,
      error: { code: "internal_error", message: "boom" },
      erased: ["/input/password"],
      requested_by: "127.0.0.1:5000",
      timestamp: "2025-01-01T00:00:00.000Z",
      metrics: { timer_eval_ns: 1001 },
      bundles: { main: { revision: "r1" } },
    });
    expect(second?.decision_id).toBe("id-2");
    expect(event.input).toEqual({ user: "u1", password: "hunter2" });
    expect(log.stats()).toMatchObject({ sent: 2, dropped: 0, buffered: 0, failures: 0 });
  });

  it("logs through a pino logger (fastify's app.log) when one is given", async () => {
    const out = capture();
    const app = Fastify({ logger: { stream: out.stream } });
    const log = createDecisionLogger(
      { console: true, mask: ["/result/token"] },
      { consoleLogger: app.log, logger: app.log },
    );
    log.log(makeEvent(7, { result: { allow: true, token: "secret" } }));
    await app.close();
    const line = out.lines().find((l) => l.msg === "Decision Log");
    expect(line).toMatchObject({
      level: 30,
      type: "openpolicyagent.org/decision_logs",
      decision_id: "id-7",
      result: { allow: true },
      erased: ["/result/token"],
    });
    expect(JSON.stringify(line)).not.toContain("secret");
  });

  it("drops and counts events after close()", async () => {
    const out = capture();
    const d = drops();
    const log = createDecisionLogger({ console: true }, { stdout: out.stream, onDrop: d.onDrop });
    await log.close();
    log.log(makeEvent(1));
    expect(out.lines()).toEqual([]);
    expect(d.seen).toEqual([{ count: 1, sink: "console", reason: "closed" }]);
    expect(log.stats().dropped).toBe(1);
  });

  it("drops an unserializable event without throwing, and survives a throwing onDrop hook", () => {
    const out = capture();
    const warnings: string[] = [];
    const log = createDecisionLogger(
      { console: true },
      {
        stdout: out.stream,
        onDrop: () => {
          throw new Error("hook broke");
        },
        logger: { warn: (_o, msg) => warnings.push(msg), error: () => undefined },
      },
    );
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    expect(() => log.log(makeEvent(1, { input: { n: 10n } }))).not.toThrow();
    expect(() => log.log(makeEvent(2, { input: cyclic }))).not.toThrow();
    expect(log.stats()).toMatchObject({ sent: 0, dropped: 2 });
    expect(warnings).toHaveLength(1);
  });

  it("drops (and counts) instead of buffering without bound when the stream is not read", () => {
    const stuck = new Writable({ highWaterMark: 16, write: () => undefined }); // never calls back
    const seen: DropReason[] = [];
    const report: SinkReporter = { drop: (_n, reason) => seen.push(reason), warn: () => undefined, error: () => {} };
    const sink = new ConsoleSink(report, { stream: stuck, maxPendingBytes: 1000 });
    const line = JSON.stringify({ decision_id: "x".repeat(90) });
    for (let i = 0; i < 100; i++) sink.write({ record: {}, line, bytes: line.length });
    expect(stuck.writableLength).toBeLessThanOrEqual(1000 + 200);
    expect(sink.stats().sent + sink.stats().dropped).toBe(100);
    expect(sink.stats().dropped).toBeGreaterThan(80);
    expect(new Set(seen)).toEqual(new Set(["backpressure"]));
  });

  it("close() gives up waiting for a stuck stream at its deadline", async () => {
    const stuck = new Writable({ highWaterMark: 16, write: () => undefined });
    const report: SinkReporter = { drop: () => undefined, warn: () => undefined, error: () => undefined };
    const sink = new ConsoleSink(report, { stream: stuck });
    sink.write({ record: {}, line: '{"a":"0123456789012345678901234567890"}', bytes: 40 });
    expect(stuck.writableNeedDrain).toBe(true);
    await sink.close(Date.now() + 50); // resolves (the test would time out otherwise)
    expect(sink.stats().sent).toBe(1);
  });
});
