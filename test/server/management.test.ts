// The management side through inject(): the policies API, data writes (PUT, JSON Patch,
// DELETE), bundle-owned paths, health, config, metrics and the OpenAPI document.
import { beforeEach, afterEach, describe, expect, it } from "vitest";
import type { Bundle } from "../../src/server/contracts.js";
import { envelopeOf, json, makeServer, requests, type TestServer } from "./helpers.js";

let s: TestServer;
beforeEach(async () => {
  s = await makeServer({ auth: { token: "decision-token", management_token: "management-token" } });
});
afterEach(() => s.app.close());

const admin = { authorization: "Bearer management-token" };
const call = (method: "GET" | "PUT" | "PATCH" | "DELETE" | "POST", url: string, payload?: unknown) =>
  s.app.inject({
    method,
    url,
    headers: admin,
    ...(payload === undefined ? {} : { payload: typeof payload === "string" ? payload : JSON.stringify(payload) }),
  });
const decide = async (path: string, input: unknown = {}) => json(await call("POST", `/v1/data/${path}`, { input }));

const bundle = (over: Partial<Bundle> = {}): Bundle => ({
  name: "authz",
  revision: "r1",
  roots: ["acl"],
  policies: [{ path: "acl/policy.verdict", source: "package acl\n\nallow if input.user == data.acl.owner\n" }],
  data: { acl: { owner: "carol" } },
  ...over,
});

describe("policies API", () => {
  it("adds, reads, lists, replaces and deletes a policy", async () => {
    const put = await call("PUT", "/v1/policies/team/extra.verdict", "package team\n\nanswer := 42\n");
    expect(put.statusCode).toBe(200);
    expect(json(put)).toEqual({});
    expect((await decide("team/answer")).result).toBe(42);

    const got = json(await call("GET", "/v1/policies/team/extra.verdict"));
    expect(got.result).toEqual({ id: "team/extra.verdict", raw: "package team\n\nanswer := 42\n" });
    const listed = json(await call("GET", "/v1/policies")).result as { id: string }[];
    expect(listed.map((p) => p.id)).toEqual(["http/example.verdict", "team/extra.verdict"]);

    await call("PUT", "/v1/policies/team/extra.verdict", "package team\n\nanswer := 43\n");
    expect((await decide("team/answer")).result).toBe(43);

    const del = await call("DELETE", "/v1/policies/team/extra.verdict");
    expect(del.statusCode).toBe(200);
    expect(await decide("team/answer")).not.toHaveProperty("result");
    envelopeOf(await call("GET", "/v1/policies/team/extra.verdict"), 404, "resource_not_found");
    envelopeOf(await call("DELETE", "/v1/policies/team/extra.verdict"), 404, "resource_not_found");
  });

  it("refuses a policy that does not compile with every error located, and keeps serving", async () => {
    const res = await call("PUT", "/v1/policies/bad.verdict", "package bad\n\nallow if {\n  input.x ==\n}\n");
    const body = envelopeOf(res, 400, "invalid_parameter");
    expect(body.message).toBe("error(s) occurred while compiling module(s)");
    const errors = body.errors as { code: string; location: { file: string; row: number } }[];
    expect(errors.length).toBeGreaterThan(0);
    expect(errors[0]).toMatchObject({ code: "V102", location: { file: "bad.verdict", row: 5 } });
    envelopeOf(await call("GET", "/v1/policies/bad.verdict"), 404, "resource_not_found");
    expect((await decide("http/authz/allow", requests.adminPost.input)).result).toBe(true);
  });

  it("reports checker errors in every file (name errors, unknown functions)", async () => {
    const source = "package two\n\na := nope.call(1)\n\nb := undefined_name\n";
    const body = envelopeOf(await call("PUT", "/v1/policies/two.verdict", source), 400, "invalid_parameter");
    const rows = (body.errors as { location: { row: number } }[]).map((e) => e.location.row);
    expect(rows).toEqual([3, 5]);
  });

  it("refuses deleting a policy others depend on", async () => {
    await call("PUT", "/v1/policies/lib.verdict", "package lib\n\nbig(x) if x > 2\n");
    await call("PUT", "/v1/policies/use.verdict", "package use\n\nimport data.lib\n\nok if lib.big(3)\n");
    expect((await decide("use/ok")).result).toBe(true);
    const body = envelopeOf(await call("DELETE", "/v1/policies/lib.verdict"), 400, "invalid_parameter");
    expect((body.errors as { location: { file: string } }[])[0]?.location.file).toBe("use.verdict");
    expect((await decide("use/ok")).result).toBe(true);
  });

  it("requires an id", async () => {
    envelopeOf(await call("PUT", "/v1/policies/", "package x\n"), 400, "invalid_parameter");
  });
});

describe("data API writes", () => {
  it("PUT creates and replaces documents (204), visible to decisions at once", async () => {
    const res = await call("PUT", "/v1/data/users/carol", { id: "carol", roles: ["admin"], verified: true });
    expect(res.statusCode).toBe(204);
    expect(res.body).toBe("");
    const input = { request: { method: "POST", path: "/x", user: "carol" } };
    expect((await decide("http/authz/allow", input)).result).toBe(true);
    await call("PUT", "/v1/data/users/carol", { id: "carol", roles: [] });
    expect((await decide("http/authz/allow", input)).result).toBe(false);
  });

  it("PUT with If-None-Match: * does not overwrite (304)", async () => {
    const res = await s.app.inject({
      method: "PUT",
      url: "/v1/data/users/alice",
      headers: { ...admin, "if-none-match": "*" },
      payload: "{}",
    });
    expect(res.statusCode).toBe(304);
    expect((await decide("users/alice/roles")).result).toEqual(["admin"]);
  });

  it("PUT refuses a missing body, malformed JSON and a non-object root", async () => {
    envelopeOf(await call("PUT", "/v1/data/x"), 400, "invalid_parameter");
    envelopeOf(await call("PUT", "/v1/data/x", "{"), 400, "invalid_parameter");
    envelopeOf(await call("PUT", "/v1/data", "[1]"), 400, "invalid_parameter");
  });

  it("PATCH applies RFC 6902 operations relative to the URL path", async () => {
    const patch = [
      { op: "add", path: "/carol", value: { id: "carol", roles: ["dev"] } },
      { op: "add", path: "/carol/roles/-", value: "admin" },
      { op: "remove", path: "/bob" },
      { op: "test", path: "/alice/id", value: "alice" },
      { op: "copy", from: "/alice/verified", path: "/carol/verified" },
    ];
    expect((await call("PATCH", "/v1/data/users", patch)).statusCode).toBe(204);
    expect((await decide("users")).result).toEqual({
      alice: { id: "alice", roles: ["admin"], verified: true },
      carol: { id: "carol", roles: ["dev", "admin"], verified: true },
    });
  });

  it("PATCH is all or nothing, with 404 for missing paths and 409 for failed tests", async () => {
    const before = (await decide("users")).result;
    envelopeOf(
      await call("PATCH", "/v1/data/users", [
        { op: "remove", path: "/bob" },
        { op: "remove", path: "/nobody" },
      ]),
      404,
      "resource_not_found",
    );
    envelopeOf(
      await call("PATCH", "/v1/data/users", [{ op: "test", path: "/bob/id", value: "x" }]),
      409,
      "resource_conflict",
    );
    envelopeOf(await call("PATCH", "/v1/data/users", [{ op: "jump", path: "/bob" }]), 400, "invalid_parameter");
    envelopeOf(await call("PATCH", "/v1/data/users", { op: "remove" }), 400, "invalid_parameter");
    expect((await decide("users")).result).toEqual(before);
  });

  it("DELETE removes a document (204) and 404s when there is none", async () => {
    expect((await call("DELETE", "/v1/data/users/bob")).statusCode).toBe(204);
    expect(Object.keys((await decide("users")).result as object)).toEqual(["alice"]);
    envelopeOf(await call("DELETE", "/v1/data/users/bob"), 404, "resource_not_found");
  });

  it("refuses writes a rule would hide (at or below a rule's path)", async () => {
    for (const [method, url, body] of [
      ["PUT", "/v1/data/http/authz/allow", "true"],
      ["PUT", "/v1/data/http/authz/admins/x", "1"],
      ["PATCH", "/v1/data/http", '[{"op": "add", "path": "/authz/allow", "value": true}]'],
    ] as const) {
      const refused = envelopeOf(await call(method, url, body), 400, "invalid_parameter");
      expect(refused.message).toMatch(/is defined by a rule \(http\/example\.verdict:\d+\)/);
    }
    expect((await call("PUT", "/v1/data/http/authz/extra", "1")).statusCode).toBe(204);
    expect((await decide("http/authz/extra")).result).toBe(1);
  });

  it("refuses writes whose value reaches down to a rule's path, as writing there directly is", async () => {
    const direct = envelopeOf(await call("PUT", "/v1/data/http/authz/allow", "true"), 400, "invalid_parameter");
    for (const [method, url, body] of [
      ["PUT", "/v1/data/http/authz", '{"allow": true}'],
      ["PUT", "/v1/data/http", '{"authz": {"allow": {"nested": 1}}}'],
      ["PUT", "/v1/data", '{"users": {}, "http": {"authz": {"allow": false}}}'],
      ["PATCH", "/v1/data", '[{"op": "add", "path": "/http", "value": {"authz": {"allow": true}}}]'],
    ] as const) {
      const refused = envelopeOf(await call(method, url, body), 400, "invalid_parameter");
      expect(refused.message).toBe(direct.message);
    }
    expect((await decide("http/authz")).result).not.toHaveProperty("extra");
    // Values beside the rules, or that stop above them, are fine.
    expect((await call("PUT", "/v1/data/http/authz", '{"extra": 1, "allowed": 2}')).statusCode).toBe(204);
    expect((await decide("http/authz/extra")).result).toBe(1);
  });

  it("stores hostile keys as data without touching any prototype", async () => {
    expect((await call("PUT", "/v1/data/__proto__/polluted", true)).statusCode).toBe(204);
    expect((await call("PUT", "/v1/data/constructor/prototype/polluted", true)).statusCode).toBe(204);
    const patch = '[{"op": "add", "path": "/__proto__", "value": {"polluted": true}}]';
    expect((await call("PATCH", "/v1/data/users", patch)).statusCode).toBe(204);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
    expect((Object.prototype as unknown as Record<string, unknown>).polluted).toBeUndefined();
    expect((await decide("__proto__/polluted")).result).toBe(true);
    expect((await decide("users/__proto__/polluted")).result).toBe(true);
    expect(
      (await decide("http/authz/allow", { request: { method: "POST", path: "/", user: "__proto__" } })).result,
    ).toBe(false);
  });
});

describe("bundle-owned paths", () => {
  it("serves an activated bundle and refuses writes under (or above) its roots", async () => {
    expect(s.store.activateBundle(bundle())).toEqual({ ok: true, revision: "r1" });
    expect((await decide("acl/allow", { user: "carol" })).result).toBe(true);
    for (const [method, url, body] of [
      ["PUT", "/v1/data/acl/owner", '"mallory"'],
      ["PUT", "/v1/data", "{}"],
      ["DELETE", "/v1/data/acl"],
      ["PATCH", "/v1/data", '[{"op": "replace", "path": "/acl/owner", "value": "mallory"}]'],
    ] as const) {
      const refused = envelopeOf(await call(method, url, body), 400, "invalid_parameter");
      expect(refused.message).toMatch(/owned by bundle 'authz'/);
    }
    expect((await decide("acl/allow", { user: "carol" })).result).toBe(true);
    expect((await call("PUT", "/v1/data/other", "1")).statusCode).toBe(204);
  });

  it("refuses changing bundle policies or adding packages under its roots", async () => {
    s.store.activateBundle(bundle());
    const listed = json(await call("GET", "/v1/policies")).result as { id: string; bundle?: string }[];
    expect(listed.find((p) => p.id === "authz/acl/policy.verdict")?.bundle).toBe("authz");
    envelopeOf(await call("DELETE", "/v1/policies/authz/acl/policy.verdict"), 400, "invalid_parameter");
    envelopeOf(await call("PUT", "/v1/policies/authz/acl/policy.verdict", "package acl\n"), 400, "invalid_parameter");
    envelopeOf(
      await call("PUT", "/v1/policies/sneaky.verdict", "package acl.more\n\nx := 1\n"),
      400,
      "invalid_parameter",
    );
  });

  it("keeps the old bundle serving when a new revision does not compile", async () => {
    s.store.activateBundle(bundle());
    const bad = bundle({
      revision: "r2",
      policies: [{ path: "acl/policy.verdict", source: "package acl\n\nallow if {" }],
    });
    const result = s.store.activateBundle(bad);
    expect(result.ok).toBe(false);
    expect((await decide("acl/allow", { user: "carol" })).result).toBe(true);
    const health = json(await s.app.inject({ method: "GET", url: "/health" }));
    expect(health.bundles).toMatchObject({ authz: { revision: "r1", last_error: { message: expect.any(String) } } });
  });

  it("reports bundle revisions in provenance and metrics", async () => {
    s.store.activateBundle(bundle());
    s.store.activateBundle(bundle({ revision: "r2" }));
    s.store.bundleFailed("authz", "download failed: 503");
    const prov = json(await call("POST", "/v1/data/acl?provenance", { input: {} })).provenance;
    expect(prov).toEqual({ version: "0.1.0", bundles: { authz: { revision: "r2" } } });
    const text = (await call("GET", "/metrics")).body;
    expect(text).toContain('verdict_bundle_loads_total{bundle="authz",result="success"} 2');
    expect(text).toContain('verdict_bundle_loads_total{bundle="authz",result="failure"} 1');
    expect(text).toContain('verdict_bundle_revision{bundle="authz",revision="r2"} 1');
    expect(text).not.toContain('revision="r1"');
  });
});

describe("health", () => {
  it("is 200 {} once policies are loaded, without authentication", async () => {
    const res = await s.app.inject({ method: "GET", url: "/health" });
    expect(res.statusCode).toBe(200);
    expect(json(res)).toEqual({});
  });

  it("never shows URL credentials in a bundle's last error", async () => {
    s.store.bundleFailed("remote", "download from https://deploy:s3cret@cdn.example.com/b.tar.gz failed: HTTP 503");
    const res = await s.app.inject({ method: "GET", url: "/health" });
    expect(json(res).bundles).toMatchObject({
      remote: { last_error: { message: "download from https://cdn.example.com/b.tar.gz failed: HTTP 503" } },
    });
    expect(res.body).not.toContain("s3cret");
  });

  it("?bundles waits for every configured bundle", async () => {
    const b = await makeServer({}, { storeOptions: { expectedBundles: ["authz"] } });
    const before = await b.app.inject({ method: "GET", url: "/health?bundles" });
    expect(before.statusCode).toBe(500);
    expect(json(before).error).toMatch(/authz/);
    expect((await b.app.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
    b.store.activateBundle(bundle());
    const after = await b.app.inject({ method: "GET", url: "/health?bundles" });
    expect(after.statusCode).toBe(200);
    expect(json(after).bundles).toMatchObject({ authz: { revision: "r1" } });
    await b.app.close();
  });
});

describe("config, metrics, OpenAPI", () => {
  it("GET /v1/config returns the configuration without secrets", async () => {
    const res = await call("GET", "/v1/config");
    const result = json(res).result as Record<string, Record<string, unknown>>;
    expect(result.addr).toBe("127.0.0.1:8181");
    expect(result.auth).toEqual({});
    expect(res.body).not.toContain("management-token");
    expect(res.body).not.toContain("decision-token");
  });

  it("GET /v1/config hides credentials in URLs and headers", async () => {
    const c = await makeServer({
      decision_logs: {
        service: { url: "https://user:pw-logs@logs.example.com/v1/logs", headers: { "X-Api-Key": "k1", Cookie: "c1" } },
      },
      bundles: { b: { resource: "https://bundler:pw-bundle@cdn.example.com/b.tar.gz" } },
    });
    const res = await c.app.inject({ method: "GET", url: "/v1/config" });
    const result = json(res).result as Record<string, Record<string, Record<string, unknown>>>;
    expect(result.decision_logs!.service).toMatchObject({ url: "https://logs.example.com/v1/logs", headers: {} });
    expect(result.bundles!.b).toEqual({ resource: "https://cdn.example.com/b.tar.gz" });
    for (const secret of ["pw-logs", "pw-bundle", "user:", "bundler:", "k1", "c1"])
      expect(res.body).not.toContain(secret);
    await c.app.close();
  });

  it("GET /metrics has request, decision and evaluation metrics in Prometheus format", async () => {
    await call("POST", "/v1/data/http/authz/allow", { input: requests.adminPost.input });
    await call("POST", "/v1/data/http/authz/allow", { input: requests.devPost.input });
    await call("POST", "/v1/data/http/authz/nothing", { input: {} });
    const res = await call("GET", "/metrics");
    expect(res.headers["content-type"]).toMatch(/^text\/plain/);
    expect(res.body).toContain('verdict_decisions_total{result="true"} 1');
    expect(res.body).toContain('verdict_decisions_total{result="false"} 1');
    expect(res.body).toContain('verdict_decisions_total{result="undefined"} 1');
    expect(res.body).toMatch(/verdict_evaluation_duration_seconds_count 3/);
    expect(res.body).toMatch(
      /verdict_http_request_duration_seconds_count\{route="\/v1\/data\/\*",method="POST",code="200"\} 3/,
    );
    expect(res.body).toContain("# TYPE verdict_decision_logs_dropped_total counter");
  });

  it("GET /openapi.json describes every route", async () => {
    const doc = json(await call("GET", "/openapi.json"));
    const paths = doc.paths as Record<string, Record<string, unknown>>;
    const expected: [string, string][] = [
      ["/v1/data/{*}", "post"],
      ["/v1/data/{*}", "get"],
      ["/v1/data/{*}", "put"],
      ["/v1/data/{*}", "patch"],
      ["/v1/data/{*}", "delete"],
      ["/v0/data/{*}", "post"],
      ["/v1/batch/data/{*}", "post"],
      ["/", "post"],
      ["/v1/policies", "get"],
      ["/v1/policies/{*}", "put"],
      ["/health", "get"],
      ["/metrics", "get"],
      ["/v1/config", "get"],
    ];
    for (const [path, method] of expected) expect(paths[path]?.[method], `${method} ${path}`).toBeDefined();
  });
});
