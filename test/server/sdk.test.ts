// A real OPA client no one on the team wrote: the @styra/opa SDK against a listening Verdict
// server (evaluate, evaluateDefault, evaluateBatch, errors, authentication).
import { OPAClient } from "@styra/opa";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../../src/server/app.js";
import { defaultConfig } from "../../src/server/config.js";
import { exampleSource, openStore, requests } from "./helpers.js";

const extra = `package extra

boom := x if {
    x := 1 / input.d
}
`;

const system = `package system

main := {"allowed": input.user == "alice"}
`;

const TOKEN = "sdk-client-token";
let url: string;
let close: () => Promise<void>;

beforeAll(async () => {
  const store = openStore({
    sources: [
      { file: "http/example.verdict", source: exampleSource },
      { file: "extra.verdict", source: extra },
      { file: "system.verdict", source: system },
    ],
  });
  const app = await buildServer({ store, config: defaultConfig({ auth: { token: TOKEN } }), logger: false });
  await app.listen({ host: "127.0.0.1", port: 0 });
  url = `http://127.0.0.1:${(app.server.address() as { port: number }).port}`;
  close = () => app.close();
});
afterAll(() => close());

const client = () => new OPAClient(url, { headers: { authorization: `Bearer ${TOKEN}` } });

describe("@styra/opa against Verdict", () => {
  it("evaluate() returns each decision", async () => {
    for (const { input, allow } of Object.values(requests))
      expect(await client().evaluate("http/authz/allow", input)).toBe(allow);
  });

  it("evaluate() reads whole packages and paths with dots in the SDK's form", async () => {
    const result = await client().evaluate<object, { admins: string[] }>("http/authz", requests.adminPost.input);
    expect(result.admins).toEqual(["alice"]);
  });

  it("evaluate() gives undefined for an undefined document (the caller denies)", async () => {
    expect(await client().evaluate("http/authz/nothing", {})).toBeUndefined();
  });

  it("evaluate() without input uses GET", async () => {
    expect(await client().evaluate("http/authz/admins")).toEqual(["alice"]);
  });

  it("evaluateDefault() posts the raw input to /", async () => {
    expect(await client().evaluateDefault({ user: "alice" })).toEqual({ allowed: true });
    expect(await client().evaluateDefault({ user: "bob" })).toEqual({ allowed: false });
  });

  it("evaluateBatch() returns one result per id", async () => {
    const inputs = Object.fromEntries(Object.entries(requests).map(([k, v]) => [k, v.input]));
    const results = await client().evaluateBatch("http/authz/allow", inputs);
    expect(results).toEqual(Object.fromEntries(Object.entries(requests).map(([k, v]) => [k, v.allow])));
  });

  it("evaluateBatch() parses mixed results (207) with located errors", async () => {
    const results = await client().evaluateBatch("extra/boom", { ok: { d: 2 }, bad: { d: 0 } });
    expect(results.ok).toBe(0.5);
    expect(results.bad).toMatchObject({
      httpStatusCode: "500",
      code: "internal_error",
      errors: [{ code: "division_by_zero", location: { file: "extra.verdict", row: 4, col: 10 } }],
    });
    await expect(client().evaluateBatch("extra/boom", { bad: { d: 0 } }, { rejectMixed: true })).rejects.toMatchObject({
      code: "internal_error",
    });
  });

  it("surfaces evaluation errors as the SDK's ServerError with the envelope", async () => {
    const err = await client()
      .evaluate("extra/boom", { d: 0 })
      .then(
        () => null,
        (e: unknown) => e as { name: string; code: string; errors: { location: unknown }[] },
      );
    expect(err?.name).toBe("ServerError");
    expect(err?.code).toBe("internal_error");
    expect(err?.errors[0]?.location).toEqual({ file: "extra.verdict", row: 4, col: 10 });
  });

  it("surfaces bad requests as the SDK's ClientError", async () => {
    const err = await new OPAClient(url, { headers: { authorization: `Bearer ${TOKEN}` } })
      .evaluate("http//authz", {})
      .then(
        () => null,
        (e: unknown) => e as { name: string; code: string },
      );
    expect(err).toMatchObject({ name: "ClientError", code: "invalid_parameter" });
  });

  it("is refused without the token", async () => {
    await expect(new OPAClient(url).evaluate("http/authz/allow", {})).rejects.toThrow();
  });
});
