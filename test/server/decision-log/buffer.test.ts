import { describe, expect, it } from "vitest";
import { EventBuffer, RingBuffer } from "../../../src/server/decision-log/buffer.js";
import { backoffDelay } from "../../../src/server/decision-log/retry.js";

const ev = (line: string) => ({ line, bytes: Buffer.byteLength(line) });

describe("RingBuffer", () => {
  it("is first-in first-out across wrap-around and refuses items when full", () => {
    const r = new RingBuffer<number>(3);
    expect(r.push(1) && r.push(2) && r.push(3)).toBe(true);
    expect(r.push(4)).toBe(false);
    expect(r.shift()).toBe(1);
    expect(r.push(4)).toBe(true);
    expect([r.shift(), r.shift(), r.shift(), r.shift()]).toEqual([2, 3, 4, undefined]);
    expect(r.length).toBe(0);
  });

  it("clear empties it and reports how many were held", () => {
    const r = new RingBuffer<string>(2);
    r.push("a");
    r.push("b");
    expect(r.clear()).toBe(2);
    expect(r.peek()).toBeUndefined();
    expect(r.push("c")).toBe(true);
  });

  it("rejects a capacity below one", () => {
    expect(() => new RingBuffer(0)).toThrow(RangeError);
  });
});

describe("EventBuffer", () => {
  it("bounds events and bytes, counting taken-but-unsettled events against both", () => {
    const b = new EventBuffer(3, 100);
    expect(b.offer(ev("aaaa"))).toBe("ok");
    expect(b.offer(ev("bbbb"))).toBe("ok");
    const batch = b.take(10, 1000);
    expect(batch.map((e) => e.line)).toEqual(["aaaa", "bbbb"]);
    expect(b.length).toBe(2);
    expect(b.offer(ev("cccc"))).toBe("ok");
    expect(b.offer(ev("dddd"))).toBe("full");
    b.settle(batch);
    expect(b.length).toBe(1);
    expect(b.offer(ev("x".repeat(97)))).toBe("full");
    expect(b.offer(ev("x".repeat(96)))).toBe("ok");
    expect(b.offer(ev("x".repeat(101)))).toBe("too_large");
  });

  it("takes batches within the byte limit of the JSON array body, but at least one event", () => {
    const b = new EventBuffer(10, 10_000);
    for (const s of ["aaaa", "bbbb", "cccc"]) b.offer(ev(s));
    // [aaaa,bbbb] is 11 bytes
    expect(b.take(10, 11).map((e) => e.line)).toEqual(["aaaa", "bbbb"]);
    expect(b.take(10, 3).map((e) => e.line)).toEqual(["cccc"]);
    expect(b.take(10, 3)).toEqual([]);
  });

  it("reports a full batch by count or bytes", () => {
    const b = new EventBuffer(10, 10_000);
    b.offer(ev("aaaa"));
    expect(b.hasFullBatch(2, 100)).toBe(false);
    expect(b.hasFullBatch(1, 100)).toBe(true);
    expect(b.hasFullBatch(2, 4)).toBe(true);
  });
});

describe("backoffDelay", () => {
  const policy = { min_delay_ms: 100, max_delay_ms: 1000 };

  it("doubles from the minimum to the maximum, jittered within the upper half", () => {
    expect([1, 2, 3, 4, 5, 50].map((a) => backoffDelay(a, policy, () => 1))).toEqual([100, 200, 400, 800, 1000, 1000]);
    expect([1, 2, 3, 4, 5].map((a) => backoffDelay(a, policy, () => 0))).toEqual([50, 100, 200, 400, 500]);
  });

  it("stays finite for huge attempt numbers", () => {
    expect(backoffDelay(10_000, policy, () => 0.5)).toBe(750);
  });
});
