// Server benchmark: autocannon on loopback against `POST /v1/data/http/authz/allow` (the
// example policy, 1,000 users), and the same load against a trivial fastify route returning a
// constant, measured in the same run as the ceiling. The load generator runs in a worker
// thread so it does not share the servers' event loop.
import autocannon from "autocannon";
import Fastify, { type FastifyInstance } from "fastify";
import type { AddressInfo } from "node:net";
import { buildServer } from "../src/server/app.js";
import { defaultConfig } from "../src/server/config.js";
import { PolicyStore } from "../src/server/store.js";
import { examplePolicy, examplePolicyPath, inputs, users } from "./example.js";
import { table } from "./timing.js";

const DURATION_S = 5;
const CONNECTIONS = 32;

async function listen(app: FastifyInstance): Promise<string> {
  await app.listen({ host: "127.0.0.1", port: 0 });
  return `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`;
}

async function load(url: string, body: string, duration = DURATION_S): Promise<autocannon.Result> {
  return autocannon({
    url,
    method: "POST",
    headers: { "content-type": "application/json" },
    body,
    connections: CONNECTIONS,
    duration,
    workers: 1,
  });
}

export async function serverBenchmark(): Promise<string> {
  const opened = PolicyStore.open({
    sources: [{ file: examplePolicyPath, source: examplePolicy() }],
    data: { users: users(1000) },
  });
  if (!opened.ok) throw new Error(opened.message);
  const verdict = await buildServer({
    store: opened.store,
    config: defaultConfig(),
    logger: false,
    processMetrics: false,
  });
  const trivial = Fastify({ logger: false });
  trivial.post("/", async () => ({ result: true }));
  const [verdictUrl, trivialUrl] = [await listen(verdict), await listen(trivial)];
  const body = JSON.stringify({ input: inputs["admin POST"] });
  const decisionUrl = `${verdictUrl}/v1/data/http/authz/allow`;
  const check = (await (await fetch(decisionUrl, { method: "POST", body })).json()) as { result?: unknown };
  if (check.result !== true) throw new Error(`unexpected decision: ${JSON.stringify(check)}`);

  const targets = [
    ["Verdict: POST /v1/data/http/authz/allow", decisionUrl],
    ["ceiling: trivial fastify route (same run)", `${trivialUrl}/`],
  ] as const;
  const rows: string[][] = [];
  try {
    for (const [, url] of targets) await load(url, body, 1); // warm-up (JIT, connections)
    for (const [name, url] of targets) {
      const r = await load(url, body);
      rows.push([
        name,
        Math.round(r.requests.average).toLocaleString("en-US"),
        `${r.latency.p50} ms`,
        `${r.latency.p99} ms`,
        String(r.non2xx + r.errors + r.timeouts),
      ]);
    }
  } finally {
    await Promise.all([verdict.close(), trivial.close()]);
  }
  return [
    "## Server: autocannon on loopback",
    "",
    `${CONNECTIONS} connections, ${DURATION_S} s per target after a 1 s warm-up, JSON body ${body.length} bytes (admin POST), example policy with 1,000 users, logging off.`,
    "",
    table(["target", "requests/s", "p50 latency", "p99 latency", "non-2xx + errors"], rows),
  ].join("\n");
}
