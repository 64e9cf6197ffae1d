// The decision API through inject(): v1 POST and GET, v0, the default decision, batches,
// the query flags, input schemas, and evaluation errors (fail closed, located).
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { DecisionEvent, DecisionLogger } from "../../src/server/contracts.js";
import { envelopeOf, exampleSource, json, makeServer, openStore, requests, type TestServer } from "./helpers.js";

const extra = `package extra

boom := x if {
    x := 1 / input.d
}

spin := n if {
    n := count([1 | some a in input.items; some b in input.items])
}

hostile := input["__proto__"].admin

ctor := input.constructor
`;

const typed = `package typed

schema input := {
    "type": "object",
    "required": ["request"],
    "properties": {"request": {"type": "object", "required": ["method"], "properties": {"method": {"type": "string"}}}},
}

allow if input.request.method == "GET"
`;

const system = `package system

main := {"allowed": input.user == "alice", "user": input.user}
`;

const sources = [
  { file: "extra.verdict", source: extra },
  { file: "typed.verdict", source: typed },
  { file: "system.verdict", source: system },
];

class MemoryLogger implements DecisionLogger {
  readonly events: DecisionEvent[] = [];
  log(e: DecisionEvent): void {
    this.events.push(e);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

let s: TestServer;
const logger = new MemoryLogger();

beforeAll(async () => {
  const store = openStore({ sources: [{ file: "http/example.verdict", source: exampleSource }, ...sources] });
  s = await makeServer({ limits: { eval_max_steps: 1000 } }, { store, decisionLogger: logger });
});
afterAll(() => s.app.close());

const post = (url: string, payload?: unknown, headers: Record<string, string> = {}) =>
  s.app.inject({
    method: "POST",
    url,
    headers,
    ...(payload === undefined ? {} : { payload: typeof payload === "string" ? payload : JSON.stringify(payload) }),
  });

describe("POST /v1/data/{path}", () => {
  it.each(Object.entries(requests))("answers %s like the policy", async (_name, { input, allow }) => {
    const res = await post("/v1/data/http/authz/allow", { input });
    expect(res.statusCode).toBe(200);
    expect(res.headers["content-type"]).toMatch(/^application\/json/);
    const body = json(res);
    expect(body.result).toBe(allow);
    expect(body.decision_id).toMatch(/^[0-9a-f-]{36}$/);
    expect(body).not.toHaveProperty("warning");
  });

  it("returns a whole package as an object", async () => {
    const res = await post("/v1/data/http/authz", { input: requests.adminPost.input });
    expect(json(res).result).toMatchObject({ allow: true, reason: "admin", admins: ["alice"] });
  });

  it("answers an undefined document with 200 and no result key", async () => {
    const res = await post("/v1/data/http/authz/nothing_here", { input: {} });
    expect(res.statusCode).toBe(200);
    expect(json(res)).not.toHaveProperty("result");
    expect(json(res).decision_id).toBeTypeOf("string");
  });

  it("warns when the input key is missing, as OPA does, and still answers", async () => {
    for (const payload of [{}, undefined, { inputs: 1 }]) {
      const body = json(await post("/v1/data/http/authz/allow", payload));
      expect(body.result).toBe(false);
      expect(body.warning).toEqual({ code: "api_usage_warning", message: "'input' key missing from the request" });
    }
  });

  it("accepts any content type (curl -d sends form encoding) and gzip bodies", async () => {
    const form = await post(
      "/v1/data/http/authz/allow",
      { input: requests.publicGet.input },
      {
        "content-type": "application/x-www-form-urlencoded",
      },
    );
    expect(json(form).result).toBe(true);
    const gz = await s.app.inject({
      method: "POST",
      url: "/v1/data/http/authz/allow",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      payload: gzipSync(JSON.stringify({ input: requests.adminPost.input })),
    });
    expect(json(gz).result).toBe(true);
  });

  it("reads data documents as well as rules", async () => {
    expect(json(await post("/v1/data/users/alice/roles", {})).result).toEqual(["admin"]);
  });

  it("pretty-prints with ?pretty", async () => {
    const res = await post("/v1/data/http/authz/allow?pretty=true", { input: requests.adminPost.input });
    expect(res.body).toMatch(/^\{\n {2}"result": true,\n/);
    const off = await post("/v1/data/http/authz/allow?pretty=false", { input: requests.adminPost.input });
    expect(off.body).not.toContain("\n");
  });

  it("adds timings in nanoseconds with ?metrics", async () => {
    const metrics = json(await post("/v1/data/http/authz/allow?metrics", { input: {} })).metrics as Record<
      string,
      number
    >;
    for (const k of ["timer_rego_input_parse_ns", "timer_rego_query_eval_ns", "timer_server_handler_ns"])
      expect(Number.isInteger(metrics[k]) && metrics[k]! >= 0).toBe(true);
  });

  it("adds Verdict's structured explanation with ?explain", async () => {
    const body = json(await post("/v1/data/http/authz/allow?explain=full", { input: requests.devPost.input }));
    expect(body.result).toBe(false);
    const rules = body.explanation as { rule: string; result: string; definitions: unknown[] }[];
    const allow = rules.find((r) => r.rule === "data.http.authz.allow");
    expect(allow?.result).toBe("default");
    expect(allow?.definitions.length).toBeGreaterThan(0);
    expect(json(await post("/v1/data/http/authz/allow?explain=off", { input: {} }))).not.toHaveProperty("explanation");
  });

  it("adds the version and bundle revisions with ?provenance", async () => {
    const body = json(await post("/v1/data/http/authz/allow?provenance", { input: {} }));
    expect(body.provenance).toEqual({ version: "0.1.0", bundles: {} });
  });

  it("logs every decision with its id, path, input, result and timings", async () => {
    const body = json(await post("/v1/data/http/authz/allow", { input: requests.adminPost.input }));
    const event = logger.events.find((e) => e.decision_id === body.decision_id);
    expect(event).toMatchObject({ path: "http/authz/allow", input: requests.adminPost.input, result: true });
    expect(event?.requested_by).toMatch(/^127\.0\.0\.1/);
    expect(Date.parse(event!.timestamp)).not.toBeNaN();
    expect(event?.metrics.timer_eval_ns).toBeGreaterThanOrEqual(0);
  });
});

describe("evaluation errors fail closed", () => {
  it("is a 500 internal_error with every error located (OPA's contract)", async () => {
    const res = await post("/v1/data/extra/boom", { input: { d: 0 } });
    const body = envelopeOf(res, 500, "internal_error");
    expect(body.message).toBe("error(s) occurred while evaluating query");
    expect(body.errors).toEqual([
      { code: "division_by_zero", message: "division by zero", location: { file: "extra.verdict", row: 4, col: 10 } },
    ]);
    expect(body).not.toHaveProperty("result");
    expect(body.decision_id).toBeTypeOf("string");
    expect(logger.events.find((e) => e.decision_id === body.decision_id)?.error?.code).toBe("division_by_zero");
  });

  it("stops a decision that exceeds the configured budget", async () => {
    const items = Array.from({ length: 300 }, (_, i) => i);
    const body = envelopeOf(await post("/v1/data/extra/spin", { input: { items } }), 500, "internal_error");
    expect((body.errors as { code: string }[])[0]?.code).toBe("budget_exceeded");
  });

  it("is also the envelope on v0 and the default decision", async () => {
    envelopeOf(await post("/v0/data/extra/boom", { d: 0 }), 500, "internal_error");
  });
});

describe("HEAD", () => {
  it("is not a decision: 404, nothing evaluated or logged", async () => {
    const before = logger.events.length;
    const res = await s.app.inject({ method: "HEAD", url: "/v1/data/http/authz/allow" });
    expect(res.statusCode).toBe(404);
    expect(logger.events.length).toBe(before);
  });
});

describe("GET /v1/data/{path}", () => {
  it("takes the input as a JSON query parameter", async () => {
    const q = encodeURIComponent(JSON.stringify(requests.publicGet.input));
    const res = await s.app.inject({ method: "GET", url: `/v1/data/http/authz/allow?input=${q}` });
    expect(json(res).result).toBe(true);
    expect(json(res)).not.toHaveProperty("warning");
  });

  it("evaluates without input when none is given", async () => {
    const res = await s.app.inject({ method: "GET", url: "/v1/data/http/authz/admins" });
    expect(json(res).result).toEqual(["alice"]);
  });

  it("refuses malformed or repeated input parameters", async () => {
    envelopeOf(await s.app.inject({ method: "GET", url: "/v1/data/x?input=%7B" }), 400, "invalid_parameter");
    envelopeOf(await s.app.inject({ method: "GET", url: "/v1/data/x?input=1&input=2" }), 400, "invalid_parameter");
  });
});

describe("POST /v0/data/{path}", () => {
  it("takes the raw body as input and returns the raw value", async () => {
    const res = await post("/v0/data/http/authz/allow", requests.adminPost.input);
    expect(res.statusCode).toBe(200);
    expect(res.body).toBe("true");
  });

  it("answers an undefined document with 404 undefined_document", async () => {
    const body = envelopeOf(await post("/v0/data/http/authz/nothing", {}), 404, "undefined_document");
    expect(body.message).toContain("data.http.authz.nothing");
  });
});

describe("POST / (default decision)", () => {
  it("evaluates data.system.main on the raw input", async () => {
    const res = await post("/", { user: "alice" });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({ allowed: true, user: "alice" });
  });

  it("answers 404 when the default decision is undefined", async () => {
    const other = await makeServer({ default_decision: "/nowhere/main" });
    envelopeOf(await other.app.inject({ method: "POST", url: "/", payload: "{}" }), 404, "undefined_document");
    await other.app.close();
  });
});

describe("POST /v1/batch/data/{path}", () => {
  it("answers 200 with one response per input id when every decision succeeds", async () => {
    const inputs = Object.fromEntries(Object.entries(requests).map(([k, v]) => [k, v.input]));
    const res = await post("/v1/batch/data/http/authz/allow", { inputs });
    expect(res.statusCode).toBe(200);
    const responses = json(res).responses as Record<string, { result?: unknown; decision_id: string }>;
    for (const [k, v] of Object.entries(requests)) expect(responses[k]?.result).toBe(v.allow);
    expect(new Set(Object.values(responses).map((r) => r.decision_id)).size).toBe(3);
    expect(json(res).batch_decision_id).toBeTypeOf("string");
  });

  it("answers 207 with a status per response when some fail", async () => {
    const res = await post("/v1/batch/data/extra/boom", { inputs: { ok: { d: 1 }, bad: { d: 0 } } });
    expect(res.statusCode).toBe(207);
    const responses = json(res).responses as Record<string, Record<string, unknown>>;
    expect(responses.ok).toMatchObject({ http_status_code: "200", result: 1 });
    expect(responses.bad).toMatchObject({ http_status_code: "500", code: "internal_error" });
    expect((responses.bad!.errors as { location: unknown }[])[0]?.location).toEqual({
      file: "extra.verdict",
      row: 4,
      col: 10,
    });
  });

  it("leaves out result for undefined decisions and keeps ids like __proto__ as plain keys", async () => {
    const res = await post("/v1/batch/data/http/authz/nothing", '{"inputs": {"__proto__": {}, "constructor": {}}}');
    const responses = json(res).responses as Record<string, unknown>;
    expect(Object.keys(responses).sort()).toEqual(["__proto__", "constructor"]);
    expect(Object.prototype.hasOwnProperty.call(responses, "__proto__")).toBe(true);
  });

  it("shares one time budget across the batch: once it is spent, later decisions fail with budget_exceeded", async () => {
    const timeoutMs = 100;
    const b = await makeServer(
      { limits: { eval_timeout_ms: timeoutMs, eval_max_steps: 1_000_000_000 } },
      { store: openStore({ sources }) },
    );
    const slow = { items: Array.from({ length: 3000 }, (_, i) => i) }; // 9M iterations: well over 100 ms
    const inputs: Record<string, unknown> = { first: { items: [1, 2] } };
    for (let i = 0; i < 20; i++) inputs[`slow${i}`] = slow;
    inputs.last = { items: [1] };
    const started = Date.now();
    const res = await b.app.inject({ method: "POST", url: "/v1/batch/data/extra/spin", payload: { inputs } });
    const elapsed = Date.now() - started;
    await b.app.close();
    expect(res.statusCode).toBe(207);
    const responses = json(res).responses as Record<
      string,
      { http_status_code: string; result?: number; errors?: { code: string }[] }
    >;
    expect(responses.first).toMatchObject({ http_status_code: "200", result: 4 });
    for (const id of Object.keys(inputs).slice(1)) {
      expect(responses[id]).toMatchObject({ http_status_code: "500", code: "internal_error" });
      expect(responses[id]!.errors![0]!.code).toBe("budget_exceeded");
    }
    // 21 decisions with a budget each would take over 2 s; the shared budget stops the batch at once.
    expect(elapsed).toBeLessThan(timeoutMs * 8);
  });

  it("refuses a body without an inputs object", async () => {
    for (const payload of [{}, { inputs: [1] }, [1], undefined])
      envelopeOf(await post("/v1/batch/data/http/authz/allow", payload), 400, "invalid_parameter");
  });
});

describe("input schemas", () => {
  it("refuses an input that breaks its package's schema with the failing JSON pointer", async () => {
    const res = await post("/v1/data/typed/allow", { input: { request: { method: 7 } } });
    const body = envelopeOf(res, 400, "invalid_parameter");
    expect(body.errors).toEqual([
      { code: "input_schema_violation", message: "input/request/method must be string", pointer: "/request/method" },
    ]);
  });

  it("reports a missing required field at its parent", async () => {
    const body = envelopeOf(await post("/v1/data/typed/allow", { input: {} }), 400, "invalid_parameter");
    expect((body.errors as { pointer: string }[])[0]?.pointer).toBe("");
  });

  it("lets valid inputs and other packages through", async () => {
    expect(json(await post("/v1/data/typed/allow", { input: { request: { method: "GET" } } })).result).toBe(true);
    expect(json(await post("/v1/data/http/authz/allow", { input: { request: 7 } })).result).toBe(false);
  });

  it("applies in batches per input (SDK-compatible status 500)", async () => {
    const res = await post("/v1/batch/data/typed/allow", { inputs: { a: { request: { method: "GET" } }, b: {} } });
    expect(res.statusCode).toBe(207);
    const responses = json(res).responses as Record<string, Record<string, unknown>>;
    expect(responses.b).toMatchObject({ http_status_code: "500", code: "invalid_parameter" });
  });

  it("only warns in warn mode and is skipped in off mode", async () => {
    const all = [{ file: "http/example.verdict", source: exampleSource }, ...sources];
    const warn = await makeServer({ input_validation: "warn" }, { store: openStore({ sources: all }) });
    const body = json(
      await warn.app.inject({
        method: "POST",
        url: "/v1/data/typed/allow",
        payload: { input: { request: { method: 7 } } },
      }),
    );
    expect(body.result).toBeUndefined();
    expect(body.warning).toEqual({ code: "input_schema_violation", message: "input/request/method must be string" });
    await warn.app.close();
    const off = await makeServer({ input_validation: "off" }, { store: openStore({ sources: all }) });
    const offBody = json(await off.app.inject({ method: "POST", url: "/v1/data/typed/allow", payload: { input: {} } }));
    expect(offBody).not.toHaveProperty("warning");
    await off.app.close();
  });
});

describe("hostile keys are plain data", () => {
  it("passes __proto__ and constructor to the policy as ordinary input fields", async () => {
    const res = await post("/v1/data/extra", '{"input": {"__proto__": {"admin": true}, "constructor": 5}}');
    expect(json(res).result).toMatchObject({ hostile: true, ctor: 5 });
    expect(({} as Record<string, unknown>).admin).toBeUndefined();
  });

  it("never treats a user named __proto__ or constructor as an admin", async () => {
    for (const user of ["__proto__", "constructor", "prototype", "toString"]) {
      const res = await post("/v1/data/http/authz/allow", { input: { request: { method: "POST", path: "/x", user } } });
      expect(json(res).result).toBe(false);
    }
  });

  it("reads data paths named __proto__ as (absent) keys", async () => {
    const res = await post("/v1/data/users/__proto__/roles", { input: {} });
    expect(res.statusCode).toBe(200);
    expect(json(res)).not.toHaveProperty("result");
  });
});
