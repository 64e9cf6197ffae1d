// Bearer-token authentication: all APIs, and the management APIs separately, so a decision
// client's token can never change policy or data.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { bearerToken } from "../../src/server/auth.js";
import { envelopeOf, json, makeServer, type TestServer } from "./helpers.js";

const DECISION = "decision-token-1";
const MANAGEMENT = "management-token-1";

const decisionRoutes = [
  ["POST", "/v1/data/http/authz/allow", '{"input": {}}'],
  ["GET", "/v1/data/http/authz/allow", undefined],
  ["POST", "/v0/data/http/authz/allow", "{}"],
  ["POST", "/", "{}"],
  ["POST", "/v1/batch/data/http/authz/allow", '{"inputs": {}}'],
  ["GET", "/metrics", undefined],
  ["GET", "/openapi.json", undefined],
] as const;

const managementRoutes = [
  ["GET", "/v1/policies", undefined],
  ["GET", "/v1/policies/http/example.verdict", undefined],
  ["PUT", "/v1/policies/x.verdict", "package x\n"],
  ["DELETE", "/v1/policies/http/example.verdict", undefined],
  ["PUT", "/v1/data/users/eve", "{}"],
  ["PATCH", "/v1/data/users", "[]"],
  ["DELETE", "/v1/data/users", undefined],
  ["GET", "/v1/config", undefined],
] as const;

type Route = readonly [string, string, string | undefined];

function request(s: TestServer, [method, url, payload]: Route, token?: string) {
  return s.app.inject({
    method: method as "GET",
    url,
    ...(payload === undefined ? {} : { payload }),
    ...(token === undefined ? {} : { headers: { authorization: `Bearer ${token}` } }),
  });
}

describe("with a decision token and a management token", () => {
  let s: TestServer;
  beforeAll(async () => {
    s = await makeServer({ auth: { token: DECISION, management_token: MANAGEMENT } });
  });
  afterAll(() => s.app.close());

  it.each(decisionRoutes)("%s %s needs a token (401 unauthorized)", async (...route) => {
    const res = await request(s, route);
    envelopeOf(res, 401, "unauthorized");
    expect(res.headers["www-authenticate"]).toMatch(/^Bearer/);
    envelopeOf(await request(s, route, "wrong-token-123"), 401, "unauthorized");
    // POST / is 404 here (no data.system.main): authenticated, then undefined.
    expect([200, 404]).toContain((await request(s, route, DECISION)).statusCode);
    expect([200, 404]).toContain((await request(s, route, MANAGEMENT)).statusCode);
  });

  it.each(managementRoutes)("%s %s refuses the decision token", async (...route) => {
    const body = envelopeOf(await request(s, route, DECISION), 401, "unauthorized");
    expect(body.message).toBe("this API needs the management token");
    envelopeOf(await request(s, route), 401, "unauthorized");
  });

  it("lets the management token change policy and data", async () => {
    expect((await request(s, ["PUT", "/v1/data/users/eve", '{"roles": []}'], MANAGEMENT)).statusCode).toBe(204);
    expect((await request(s, ["GET", "/v1/config", undefined], MANAGEMENT)).statusCode).toBe(200);
  });

  it("leaves /health open for probes", async () => {
    expect((await s.app.inject({ method: "GET", url: "/health" })).statusCode).toBe(200);
  });

  it("checks the token before reading the body", async () => {
    const res = await s.app.inject({ method: "POST", url: "/v1/data/x", payload: "{not json" });
    envelopeOf(res, 401, "unauthorized");
  });

  it("asks for a token on unknown routes too", async () => {
    envelopeOf(await s.app.inject({ method: "GET", url: "/nope" }), 401, "unauthorized");
  });
});

describe("with only a decision token", () => {
  it("uses it for everything", async () => {
    const s = await makeServer({ auth: { token: DECISION } });
    envelopeOf(await request(s, ["GET", "/v1/policies", undefined]), 401, "unauthorized");
    expect((await request(s, ["GET", "/v1/policies", undefined], DECISION)).statusCode).toBe(200);
    expect((await request(s, decisionRoutes[0], DECISION)).statusCode).toBe(200);
    await s.app.close();
  });
});

describe("with only a management token", () => {
  it("leaves decisions open and protects management", async () => {
    const s = await makeServer({ auth: { management_token: MANAGEMENT } });
    expect(json(await request(s, decisionRoutes[0])).result).toBe(false);
    envelopeOf(await request(s, ["PUT", "/v1/policies/x.verdict", "package x\n"]), 401, "unauthorized");
    expect((await request(s, ["PUT", "/v1/policies/x.verdict", "package x\n"], MANAGEMENT)).statusCode).toBe(200);
    await s.app.close();
  });
});

describe("without tokens", () => {
  it("is open", async () => {
    const s = await makeServer();
    for (const route of [...decisionRoutes, ...managementRoutes.slice(0, 1)])
      expect([200, 404]).toContain((await request(s, route)).statusCode);
    await s.app.close();
  });
});

describe("bearerToken", () => {
  it("parses the Authorization header", () => {
    expect(bearerToken("Bearer abc")).toBe("abc");
    expect(bearerToken("bearer   abc ")).toBe("abc");
    expect(bearerToken("Basic abc")).toBeUndefined();
    expect(bearerToken("Bearer a b")).toBeUndefined();
    expect(bearerToken(undefined)).toBeUndefined();
  });
});
