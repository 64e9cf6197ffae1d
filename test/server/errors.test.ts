// Every error path answers with the JSON envelope and the right status: malformed JSON,
// oversized and deep bodies, bad paths and URLs, unknown routes. Never a 500, never a crash.
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { nestingDepth } from "../../src/eval/input.js";
import { parseJSON } from "../../src/server/json.js";
import { dataPath } from "../../src/server/paths.js";
import { envelopeOf, json, makeServer, requests, type TestServer } from "./helpers.js";

let s: TestServer;
beforeAll(async () => {
  s = await makeServer({ limits: { max_body_bytes: 4096, max_json_depth: 32 } });
});
afterAll(() => s.app.close());

const post = (url: string, payload: string | Buffer, headers: Record<string, string> = {}) =>
  s.app.inject({ method: "POST", url, payload, headers });

describe("malformed bodies are 400 invalid_parameter", () => {
  it.each([
    ["truncated JSON", '{"input":'],
    ["trailing garbage", '{"input": 1} x'],
    ["single quotes", "{'input': 1}"],
    ["a bare word", "allow"],
    ["NaN", '{"input": NaN}'],
  ])("%s", async (_name, payload) => {
    for (const url of ["/v1/data/http/authz/allow", "/v0/data/http/authz/allow", "/", "/v1/batch/data/x"]) {
      const body = envelopeOf(await post(url, payload), 400, "invalid_parameter");
      expect(body.message).toMatch(/malformed JSON/);
    }
  });

  it("refuses a v1 body that is not an object", async () => {
    for (const payload of ["[1]", "1", '"x"', "null"]) {
      const body = envelopeOf(await post("/v1/data/http/authz/allow", payload), 400, "invalid_parameter");
      expect(body.message).toContain('{"input": ...}');
    }
  });

  it("refuses bodies that are not UTF-8", async () => {
    const body = envelopeOf(await post("/v1/data/x", Buffer.from([0x7b, 0xff, 0x7d])), 400, "invalid_parameter");
    expect(body.message).toMatch(/UTF-8/);
  });

  it("refuses numbers beyond a double's range (never silently null), in decisions and data writes", async () => {
    const huge = "1" + "0".repeat(400);
    for (const [method, url, payload] of [
      ["POST", "/v1/data/http/authz/allow", '{"input": {"n": 1e400}}'],
      ["POST", "/v1/data/http/authz/allow", `{"input": {"n": [1, {"m": -${huge}}]}}`],
      ["POST", "/v0/data/http/authz/allow", "-1E+999"],
      ["POST", "/v1/batch/data/x", '{"inputs": {"a": {"n": 1e400}}}'],
      ["GET", "/v1/data/x?input=" + encodeURIComponent('{"n": 1e400}'), undefined],
      ["PUT", "/v1/data/nums", '{"n": 1e400}'],
      ["PATCH", "/v1/data", '[{"op": "add", "path": "/nums", "value": 2e308}]'],
    ] as const) {
      const res = await s.app.inject({ method, url, ...(payload === undefined ? {} : { payload }) });
      expect(envelopeOf(res, 400, "invalid_parameter").message).toMatch(/number out of range/);
    }
    expect((await s.app.inject({ method: "GET", url: "/v1/data/nums" })).json()).not.toHaveProperty("result");
  });

  it("accepts large finite numbers, underflow to 0, and exponent-like strings", async () => {
    expect(parseJSON('{"a": 1e308, "b": 1e-400, "c": "1e400", "d": -1.7976931348623157e308}', 10)).toEqual({
      ok: true,
      value: { a: 1e308, b: 0, c: "1e400", d: -1.7976931348623157e308 },
    });
    expect(parseJSON("1" + "0".repeat(308), 10).ok).toBe(true);
    expect(parseJSON("1" + "0".repeat(309), 10)).toEqual({ ok: false, message: "number out of range" });
  });

  it("refuses gzip bodies that are not gzip", async () => {
    const res = await post("/v1/data/x", "not gzip", { "content-encoding": "gzip" });
    expect(envelopeOf(res, 400, "invalid_parameter").message).toMatch(/gzip/);
  });
});

describe("limits", () => {
  it("refuses an oversized body with 400 and the limit", async () => {
    const big = JSON.stringify({ input: { pad: "x".repeat(5000) } });
    const body = envelopeOf(await post("/v1/data/x", big), 400, "invalid_parameter");
    expect(body.message).toBe("request body too large (limit 4096 bytes)");
  });

  it("refuses a gzip body that inflates past the limit (zip bomb)", async () => {
    const bomb = gzipSync(JSON.stringify({ input: { pad: "x".repeat(1_000_000) } }));
    expect(bomb.length).toBeLessThan(4096);
    const res = await post("/v1/data/x", bomb, { "content-encoding": "gzip" });
    expect(envelopeOf(res, 400, "invalid_parameter").message).toMatch(/too large/);
  });

  it("refuses JSON nested deeper than the limit, in bodies and query parameters", async () => {
    const deep = '{"input":' + "[".repeat(40) + "]".repeat(40) + "}";
    expect(envelopeOf(await post("/v1/data/x", deep), 400, "invalid_parameter").message).toMatch(/32 levels/);
    const q = encodeURIComponent("[".repeat(40) + "]".repeat(40));
    const res = await s.app.inject({ method: "GET", url: `/v1/data/x?input=${q}` });
    expect(envelopeOf(res, 400, "invalid_parameter").message).toMatch(/32 levels/);
  });

  it("survives extreme nesting without building the document", async () => {
    const huge = await makeServer({ limits: { max_body_bytes: 10_000_000 } });
    const res = await huge.app.inject({ method: "POST", url: "/v1/data/x", payload: "[".repeat(1_000_000) });
    envelopeOf(res, 400, "invalid_parameter");
    await huge.app.close();
  });

  it("accepts JSON exactly at the depth limit", async () => {
    const ok = '{"input":' + "[".repeat(31) + "]".repeat(31) + "}";
    expect((await post("/v1/data/x", ok)).statusCode).toBe(200);
  });
});

describe("paths and routes", () => {
  it.each(["/v1/data/http//authz", "/v1/data//http", "/v1/data/a//"])("refuses the bad path %s", async (url) => {
    envelopeOf(await post(url, "{}"), 400, "invalid_parameter");
  });

  it("refuses dot segments (inject normalises URLs; e2e.test.ts sends them raw)", () => {
    for (const raw of ["http/./authz", "http/../authz", ".."]) expect(() => dataPath(raw)).toThrow(/not allowed/);
    expect(dataPath("http/authz/")).toEqual(["http", "authz"]);
    expect(dataPath("")).toEqual([]);
  });

  it("ignores one trailing slash", async () => {
    const res = await post("/v1/data/http/authz/allow/", JSON.stringify({ input: requests.adminPost.input }));
    expect(json(res).result).toBe(true);
  });

  it("refuses malformed percent-encoding with 400", async () => {
    envelopeOf(await post("/v1/data/a%zz", "{}"), 400, "invalid_parameter");
  });

  it("answers unknown routes and methods with 404 resource_not_found", async () => {
    envelopeOf(await s.app.inject({ method: "GET", url: "/v2/data" }), 404, "resource_not_found");
    envelopeOf(await s.app.inject({ method: "DELETE", url: "/" }), 404, "resource_not_found");
  });

  it("accepts repeated query flags, the last one winning, as OPA does", async () => {
    const get = (query: string) => s.app.inject({ method: "GET", url: `/v1/data/http/authz/allow?${query}` });
    const pretty = await get("pretty=1&pretty=2");
    expect(pretty.statusCode).toBe(200);
    expect(pretty.body).toContain("\n  ");
    expect((await get("pretty=1&pretty=false")).body).not.toContain("\n");
    const explained = await get("explain=full&explain=notes");
    expect(explained.statusCode).toBe(200);
    expect(json(explained).explanation).toBeInstanceOf(Array);
    expect(json(await get("explain=full&explain=off"))).not.toHaveProperty("explanation");
    expect((await post("/v1/batch/data/http/authz/allow?metrics&metrics=1", '{"inputs": {}}')).statusCode).toBe(200);
    expect((await s.app.inject({ method: "GET", url: "/health?bundles&bundles=1" })).statusCode).toBe(200);
  });

  it("does not answer HEAD on decision routes (it would evaluate and log a decision), but does on /health", async () => {
    const head = await s.app.inject({ method: "HEAD", url: "/v1/data/http/authz/allow" });
    expect(head.statusCode).toBe(404); // HEAD responses have no body; GET shows the envelope
    expect(head.headers["content-type"]).toMatch(/^application\/json/);
    expect((await s.app.inject({ method: "HEAD", url: "/health" })).statusCode).toBe(200);
  });

  it("handles long paths", async () => {
    const res = await post("/v1/data/" + "a/".repeat(500) + "b", "{}");
    expect(res.statusCode).toBe(200);
  });
});

describe("JSON helpers", () => {
  it("measures nesting, skipping brackets inside strings and escapes", () => {
    expect(nestingDepth('{"a": "[[[[", "b": [1, {"c": "\\"[["}]}')).toBe(3);
    expect(nestingDepth("1")).toBe(0);
  });

  it("parses __proto__ as an own data property", () => {
    const r = parseJSON('{"__proto__": {"polluted": 1}}', 10);
    expect(r.ok).toBe(true);
    const v = (r as { value: Record<string, unknown> }).value;
    expect(Object.prototype.hasOwnProperty.call(v, "__proto__")).toBe(true);
    expect(Object.getPrototypeOf(v)).toBe(Object.prototype);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });
});
