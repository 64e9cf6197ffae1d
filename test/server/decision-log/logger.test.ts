import { PassThrough } from "node:stream";
import { describe, expect, it } from "vitest";
import type { DecisionLogger } from "../../../src/server/contracts.js";
import { createDecisionLogger } from "../../../src/server/decision-log/index.js";
import { closedPort, makeEvent, startCollector } from "./helpers.js";

describe("createDecisionLogger", () => {
  it("with no sinks configured accepts and discards everything", async () => {
    const log: DecisionLogger = createDecisionLogger(undefined);
    expect(() => log.log(makeEvent(1))).not.toThrow();
    await log.flush();
    await log.close();
  });

  it("masks once and feeds every sink; stats() sums the sinks and shows each", async () => {
    const collector = await startCollector();
    const stdout = new PassThrough();
    let text = "";
    stdout.on("data", (c: Buffer) => (text += c.toString("utf8")));
    let droppedTotal = 0;
    const log = createDecisionLogger(
      { console: true, mask: ["/input/password"], service: { url: collector.url } },
      { stdout, onDrop: (n: number) => (droppedTotal += n) }, // a one-argument hook, as a counter's inc
    );
    for (let i = 0; i < 3; i++) log.log(makeEvent(i));
    await log.close();
    log.log(makeEvent(99));
    await collector.close();

    expect(collector.delivered().map((e) => e.input)).toEqual([{ user: "u0" }, { user: "u1" }, { user: "u2" }]);
    expect(text.trim().split("\n")).toHaveLength(3);
    expect(text).not.toContain("hunter2");
    const stats = log.stats();
    expect(stats.sinks.console).toEqual({ sent: 3, dropped: 1, buffered: 0, failures: 0 });
    expect(stats.sinks.service).toEqual({ sent: 3, dropped: 1, buffered: 0, failures: 0 });
    expect(stats).toMatchObject({ sent: 6, dropped: 2, buffered: 0, failures: 0 });
    expect(droppedTotal).toBe(2);
  });

  it("a down service does not hold back the console sink", async () => {
    const port = await closedPort();
    const stdout = new PassThrough();
    let lines = 0;
    stdout.on("data", (c: Buffer) => (lines += c.toString("utf8").split("\n").length - 1));
    const log = createDecisionLogger(
      { console: true, close_timeout_ms: 0, service: { url: `http://127.0.0.1:${port}/`, buffer_max_events: 2 } },
      { stdout },
    );
    for (let i = 0; i < 5; i++) log.log(makeEvent(i));
    await new Promise((r) => setImmediate(r));
    expect(lines).toBe(5);
    expect(log.stats().sinks.service).toMatchObject({ buffered: 2, dropped: 3 });
    await log.close();
    expect(log.stats().sinks.service).toMatchObject({ buffered: 0, dropped: 5 });
  });
});
