// Test helpers for decision logs: a real HTTP collector on 127.0.0.1 that gunzips and records
// what it receives, and an event factory.
import { createServer, type IncomingHttpHeaders, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import type { DecisionEvent } from "../../../src/server/contracts.js";

/** What the collector does with request number `n` (1-based). */
export type Behaviour = { status: number; delayMs?: number } | "hang";

export interface ReceivedRequest {
  readonly n: number;
  /** performance.now() when the request arrived. */
  readonly at: number;
  readonly headers: IncomingHttpHeaders;
  /** The decompressed body, as text. */
  readonly raw: string;
  readonly events: Record<string, unknown>[];
  readonly status: number | "hang";
}

export interface Collector {
  readonly port: number;
  readonly url: string;
  readonly requests: ReceivedRequest[];
  /** Events from requests answered with 2xx, in arrival order. */
  delivered(): Record<string, unknown>[];
  close(): Promise<void>;
}

export async function startCollector(behave: (n: number) => Behaviour = () => ({ status: 200 }), port = 0) {
  const requests: ReceivedRequest[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const n = requests.length + 1;
      const at = performance.now();
      const body = Buffer.concat(chunks);
      const raw =
        req.headers["content-encoding"] === "gzip" ? gunzipSync(body).toString("utf8") : body.toString("utf8");
      const behaviour = behave(n);
      const status = behaviour === "hang" ? "hang" : behaviour.status;
      requests.push({ n, at, headers: req.headers, raw, events: JSON.parse(raw) as Record<string, unknown>[], status });
      if (behaviour === "hang") return;
      const answer = () => res.writeHead(behaviour.status, { "content-type": "text/plain" }).end("ok");
      if (behaviour.delayMs) setTimeout(answer, behaviour.delayMs);
      else answer();
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const actual = (server.address() as AddressInfo).port;
  const collector: Collector = {
    port: actual,
    url: `http://127.0.0.1:${actual}/logs`,
    requests,
    delivered: () => requests.filter((r) => typeof r.status === "number" && r.status < 300).flatMap((r) => r.events),
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
  return collector;
}

/** A port that nothing listens on (bound, then released). */
export async function closedPort(): Promise<number> {
  const c = await startCollector();
  await c.close();
  return c.port;
}

export function makeEvent(i: number, overrides: Partial<DecisionEvent> = {}): DecisionEvent {
  return {
    decision_id: `id-${i}`,
    path: "authz/allow",
    input: { user: `u${i}`, password: "hunter2" },
    result: true,
    timestamp: "2025-01-01T00:00:00.000Z",
    metrics: { timer_eval_ns: 1000 + i },
    bundles: { main: { revision: "r1" } },
    requested_by: "127.0.0.1:5000",
    ...overrides,
  };
}

/** Polls until `check` returns true (or throws after `timeoutMs`). */
export async function waitUntil(check: () => boolean, timeoutMs = 10_000, what = "condition"): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > timeoutMs) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 5));
  }
}
