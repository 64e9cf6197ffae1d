import { createHmac, createPrivateKey } from "node:crypto";
import { exportJWK, exportSPKI, generateKeyPair, SignJWT } from "jose";
import type { CryptoKey, GenerateKeyPairResult, JWTPayload } from "jose";
import { beforeAll, describe, expect, it } from "vitest";
import { builtins, defaultPlatform } from "../src/eval/builtins/index.js";
import type { BuiltinContext, Platform } from "../src/eval/builtins/types.js";
import { BuiltinError } from "../src/eval/errors.js";
import { getKey, objectFromEntries, show } from "../src/eval/value.js";
import type { ObjectValue, Value } from "../src/eval/value.js";
import { nodePlatform } from "../src/node/platform.js";

// Times in seconds (JWT claims) and the evaluation clock in nanoseconds.
const NOW = 1_700_000_000;
const NOW_NS = NOW * 1e9;

function call(name: string, args: Value[], platform: Platform = nodePlatform): Value | undefined {
  const b = builtins.get(name);
  if (b === undefined) throw new Error(`no builtin ${name}`);
  const ctx: BuiltinContext = { nowNs: NOW_NS, platform, cache: new Map() };
  return b.impl(args, ctx);
}

const obj = (o: Record<string, Value>): ObjectValue => objectFromEntries(Object.entries(o));

function decodeVerify(
  token: string,
  constraints: Record<string, Value>,
  platform?: Platform,
): [boolean, ObjectValue, ObjectValue] {
  return call("io.jwt.decode_verify", [token, obj(constraints)], platform) as [boolean, ObjectValue, ObjectValue];
}

function expectError(f: () => unknown, message: RegExp): void {
  let thrown: unknown;
  try {
    f();
  } catch (e) {
    thrown = e;
  }
  expect(thrown).toBeInstanceOf(BuiltinError);
  expect((thrown as Error).message).toMatch(message);
}

const SECRET = "s3cr3t-that-is-long-enough-for-hs256";

async function hs256(claims: JWTPayload, secret = SECRET, header: Record<string, unknown> = {}): Promise<string> {
  return new SignJWT(claims).setProtectedHeader({ alg: "HS256", ...header }).sign(new TextEncoder().encode(secret));
}

/** An HS256 token built by hand, for headers jose refuses to produce (unknown crit, nesting). */
function handSigned(header: object, payload: object | string): string {
  const h = Buffer.from(JSON.stringify(header)).toString("base64url");
  const p = Buffer.from(typeof payload === "string" ? payload : JSON.stringify(payload)).toString("base64url");
  return `${h}.${p}.${createHmac("sha256", SECRET).update(`${h}.${p}`).digest("base64url")}`;
}

// A self-signed P-256 certificate and its key, made with openssl for these tests only.
const TEST_CERT = `-----BEGIN CERTIFICATE-----
MIIBhjCCASugAwIBAgIUJW5p6PFdOvr+7xmtrcoUTvreYd0wCgYIKoZIzj0EAwIw
FzEVMBMGA1UEAwwMdmVyZGljdC10ZXN0MCAXDTI2MTEyMzE3NTQxOVoYDzIxMjYx
MDMwMTc1NDE5WjAXMRUwEwYDVQQDDAx2ZXJkaWN0LXRlc3QwWTATBgcqhkjOPQIB
BggqhkjOPQMBBwNCAASXv1WuUWf9XPZW1V7YkWt8GR6HXaZS3qLJhRS0xkmn+sWS
52CsFRDRwkr9FrhWRDOG0ZALHgN63Kw+TDKEzKloo1MwUTAdBgNVHQ4EFgQUuXw5
8rs1Xofm9f5wVcfBO+d8+4gwHwYDVR0jBBgwFoAUuXw58rs1Xofm9f5wVcfBO+d8
+4gwDwYDVR0TAQH/BAUwAwEB/zAKBggqhkjOPQQDAgNJADBGAiEAu6bh83lO4trY
IiFk/ZfOTqUqCuJIDMMk+LHx0xAwHAECIQC9So3gosT5fcp1jjN5WRAop7d6pdsV
0OX2GRY74dJBAw==
-----END CERTIFICATE-----`;
const TEST_CERT_KEY = `-----BEGIN PRIVATE KEY-----
MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgyJ1iGFYjzIqQGNHm
cQtAPZqkjkmiVXlGIQ7CQLxAAxGhRANCAASXv1WuUWf9XPZW1V7YkWt8GR6HXaZS
3qLJhRS0xkmn+sWS52CsFRDRwkr9FrhWRDOG0ZALHgN63Kw+TDKEzKlo
-----END PRIVATE KEY-----`;

describe("io.jwt.decode", () => {
  it("returns header, payload and the hex signature", async () => {
    const token = await hs256({ sub: "alice", n: 1 });
    const [header, payload, signature] = call("io.jwt.decode", [token]) as [ObjectValue, ObjectValue, string];
    expect(show(header)).toBe('{"alg": "HS256"}');
    expect(show(payload)).toBe('{"n": 1, "sub": "alice"}');
    expect(signature).toMatch(/^[0-9a-f]{64}$/);
    expect(Object.getPrototypeOf(payload)).toBeNull();
  });

  it("keeps hostile keys as data", () => {
    const part = (o: string): string => Buffer.from(o).toString("base64url");
    const token = `${part('{"alg":"none"}')}.${part('{"__proto__":{"admin":true}}')}.`;
    const [, payload] = call("io.jwt.decode", [token]) as [ObjectValue, ObjectValue];
    expect(show(getKey(payload, "__proto__"))).toBe('{"admin": true}');
    expect((payload as Record<string, unknown>)["admin"]).toBeUndefined();
  });

  it("rejects malformed tokens", () => {
    expectError(() => call("io.jwt.decode", ["abc"]), /3 sections, found 1/);
    expectError(() => call("io.jwt.decode", ["a.b.c.d"]), /3 sections, found 4/);
    expectError(() => call("io.jwt.decode", ["!!.e30.x"]), /header had invalid encoding/);
    expectError(() => call("io.jwt.decode", ["WzFd.e30.x"]), /header must be a JSON object/);
    expectError(() => call("io.jwt.decode", ["e30.bm90IGpzb24.x"]), /invalid JSON/);
    expectError(() => call("io.jwt.decode", [1]), /operand 1 must be string but got number/);
  });
});

describe("io.jwt.decode_verify with HMAC", () => {
  it("accepts a valid token and returns its parts", async () => {
    const token = await hs256({ sub: "alice", iss: "idp", exp: NOW + 60, nbf: NOW - 60 });
    const [valid, header, payload] = decodeVerify(token, { secret: SECRET, iss: "idp" });
    expect(valid).toBe(true);
    expect(getKey(header, "alg")).toBe("HS256");
    expect(getKey(payload, "sub")).toBe("alice");
  });

  it("returns [false, {}, {}] when a check fails", async () => {
    const unverified = "[false, {}, {}]";
    const check = (token: string, constraints: Record<string, Value>): string => show(decodeVerify(token, constraints));
    expect(check(await hs256({}), { secret: "wrong" })).toBe(unverified);
    expect(check(await hs256({ exp: NOW - 1 }), { secret: SECRET })).toBe(unverified);
    expect(check(await hs256({ exp: NOW }), { secret: SECRET })).toBe(unverified);
    expect(check(await hs256({ nbf: NOW + 1 }), { secret: SECRET })).toBe(unverified);
    expect(check(await hs256({ iss: "other" }), { secret: SECRET, iss: "idp" })).toBe(unverified);
    expect(check(await hs256({}), { secret: SECRET, iss: "idp" })).toBe(unverified);
    expect(check(await hs256({}), { secret: SECRET, alg: "HS512" })).toBe(unverified);
    // An audience in the token must be asked for; an asked-for audience must be present.
    expect(check(await hs256({ aud: "api" }), { secret: SECRET })).toBe(unverified);
    expect(check(await hs256({}), { secret: SECRET, aud: "api" })).toBe(unverified);
    expect(check(await hs256({ aud: ["x", "y"] }), { secret: SECRET, aud: "api" })).toBe(unverified);
    // Unknown critical header parameters make the token invalid.
    const unknownCrit = handSigned({ alg: "HS256", crit: ["exp2"], exp2: 1 }, {});
    expect(check(unknownCrit, { secret: SECRET })).toBe(unverified);
  });

  it("checks audiences, the time constraint and known critical headers", async () => {
    expect(decodeVerify(await hs256({ aud: "api" }), { secret: SECRET, aud: "api" })[0]).toBe(true);
    expect(decodeVerify(await hs256({ aud: ["x", "api"] }), { secret: SECRET, aud: "api" })[0]).toBe(true);
    const expired = await hs256({ exp: NOW - 10 });
    expect(decodeVerify(expired, { secret: SECRET, time: (NOW - 20) * 1e9 })[0]).toBe(true);
    const crit = handSigned({ alg: "HS256", crit: ["kid"], kid: "k1" }, {});
    expect(decodeVerify(crit, { secret: SECRET })[0]).toBe(true);
  });

  it("verifies nested tokens layer by layer", async () => {
    const nested = handSigned({ alg: "HS256", cty: "JWT" }, await hs256({ sub: "inner" }));
    const [valid, , claims] = decodeVerify(nested, { secret: SECRET });
    expect(valid).toBe(true);
    expect(getKey(claims, "sub")).toBe("inner");
    expect(decodeVerify(nested + "x", { secret: SECRET })[0]).toBe(false);
    const innerForged = handSigned({ alg: "HS256", cty: "JWT" }, await hs256({ sub: "x" }, "other secret"));
    expect(decodeVerify(innerForged, { secret: SECRET })[0]).toBe(false);
  });

  it("rejects bad constraints and malformed tokens with errors", async () => {
    const token = await hs256({});
    expectError(
      () => decodeVerify(token, { secret: SECRET, colour: "red" }),
      /unknown token validation constraint: colour/,
    );
    expectError(() => decodeVerify(token, {}), /no key constraint/);
    expectError(() => decodeVerify(token, { secret: SECRET, cert: TEST_CERT }), /duplicate key constraints/);
    expectError(() => decodeVerify(token, { secret: 1 }), /secret constraint must be a string/);
    expectError(() => decodeVerify(token, { secret: SECRET, time: -1 }), /time constraint/);
    expectError(() => decodeVerify("a.b", { secret: SECRET }), /3 sections/);
    const badExp = await hs256({ exp: "soon" } as unknown as JWTPayload);
    expectError(() => decodeVerify(badExp, { secret: SECRET }), /exp value must be a number/);
    expectError(() => call("io.jwt.decode_verify", [token, "x"]), /operand 2 must be object but got string/);
  });

  it("verify_hs256/384/512", async () => {
    const key = new TextEncoder().encode(SECRET);
    const hs512 = await new SignJWT({}).setProtectedHeader({ alg: "HS512" }).sign(key);
    expect(call("io.jwt.verify_hs256", [await hs256({}), SECRET])).toBe(true);
    expect(call("io.jwt.verify_hs256", [await hs256({}), "nope"])).toBe(false);
    expect(call("io.jwt.verify_hs512", [hs512, SECRET])).toBe(true);
    expect(call("io.jwt.verify_hs384", [hs512, SECRET])).toBe(false);
    expectError(() => call("io.jwt.verify_hs256", ["x", SECRET]), /3 sections/);
  });
});

describe("io.jwt.decode_verify with public keys", () => {
  let rsa: GenerateKeyPairResult;
  let pss: GenerateKeyPairResult;
  let ec: GenerateKeyPairResult;
  let ed: GenerateKeyPairResult;
  let rsaPem: string;

  beforeAll(async () => {
    rsa = await generateKeyPair("RS256", { extractable: true });
    pss = await generateKeyPair("PS256", { extractable: true });
    ec = await generateKeyPair("ES256", { extractable: true });
    ed = await generateKeyPair("EdDSA", { extractable: true });
    rsaPem = await exportSPKI(rsa.publicKey);
  });

  const sign = (alg: string, key: CryptoKey | Uint8Array, header: Record<string, unknown> = {}): Promise<string> =>
    new SignJWT({ sub: "bob", exp: NOW + 60 }).setProtectedHeader({ alg, ...header }).sign(key);

  it("RS256 and PS256 with a PEM public key", async () => {
    expect(decodeVerify(await sign("RS256", rsa.privateKey), { cert: rsaPem })[0]).toBe(true);
    const pssPem = await exportSPKI(pss.publicKey);
    expect(decodeVerify(await sign("PS256", pss.privateKey), { cert: pssPem })[0]).toBe(true);
    expect(decodeVerify(await sign("PS256", pss.privateKey), { cert: rsaPem })[0]).toBe(false);
    expect(decodeVerify(await sign("RS256", rsa.privateKey), { cert: rsaPem, alg: "PS256" })[0]).toBe(false);
    const other = await generateKeyPair("RS256");
    expect(decodeVerify(await sign("RS256", other.privateKey), { cert: rsaPem })[0]).toBe(false);
  });

  it("ES256 with a JWK, a JWKS with key ids, and an X.509 certificate", async () => {
    const jwk = await exportJWK(ec.publicKey);
    const token = await sign("ES256", ec.privateKey, { kid: "ec-1" });
    expect(decodeVerify(token, { cert: JSON.stringify(jwk) })[0]).toBe(true);
    const rsaJwk = { ...(await exportJWK(rsa.publicKey)), kid: "rsa-1", alg: "RS256" };
    const jwks = JSON.stringify({ keys: [rsaJwk, { ...jwk, kid: "ec-1", alg: "ES256" }] });
    expect(decodeVerify(token, { cert: jwks })[0]).toBe(true);
    // A kid that names another key: only that key is tried.
    const wrongKid = await sign("ES256", ec.privateKey, { kid: "rsa-1" });
    expect(decodeVerify(wrongKid, { cert: jwks })[0]).toBe(false);
    const certKey = createPrivateKey(TEST_CERT_KEY);
    const certSigned = await new SignJWT({}).setProtectedHeader({ alg: "ES256" }).sign(certKey);
    expect(decodeVerify(certSigned, { cert: TEST_CERT })[0]).toBe(true);
    expect(call("io.jwt.verify_es256", [certSigned, TEST_CERT])).toBe(true);
    expect(call("io.jwt.verify_es256", [token, TEST_CERT])).toBe(false);
  });

  it("EdDSA", async () => {
    const token = await sign("EdDSA", ed.privateKey);
    expect(decodeVerify(token, { cert: await exportSPKI(ed.publicKey) })[0]).toBe(true);
    expect(call("io.jwt.verify_eddsa", [token, JSON.stringify(await exportJWK(ed.publicKey))])).toBe(true);
  });

  it("never uses a public key as an HMAC secret (algorithm confusion)", async () => {
    const forged = await sign("HS256", new TextEncoder().encode(rsaPem));
    expect(decodeVerify(forged, { cert: rsaPem })[0]).toBe(false);
    // ...and never accepts an asymmetric token on the strength of a shared secret.
    expect(decodeVerify(await sign("RS256", rsa.privateKey), { secret: SECRET })[0]).toBe(false);
    const none = `${Buffer.from('{"alg":"none"}').toString("base64url")}.${Buffer.from("{}").toString("base64url")}.`;
    expect(decodeVerify(none, { cert: rsaPem })[0]).toBe(false);
    expect(decodeVerify(none, { secret: SECRET })[0]).toBe(false);
  });

  it("refuses keys of the wrong type or curve", async () => {
    const es384 = await generateKeyPair("ES384");
    const token = await sign("ES384", es384.privateKey);
    const p256 = JSON.stringify(await exportJWK(ec.publicKey));
    expect(call("io.jwt.verify_es384", [token, p256])).toBe(false);
    expect(call("io.jwt.verify_rs256", [await sign("RS256", rsa.privateKey), p256])).toBe(false);
  });

  it("verify_rs256 / verify_ps256 check only the signature", async () => {
    expect(call("io.jwt.verify_rs256", [await sign("RS256", rsa.privateKey), rsaPem])).toBe(true);
    const pssPem = await exportSPKI(pss.publicKey);
    expect(call("io.jwt.verify_ps256", [await sign("PS256", pss.privateKey), pssPem])).toBe(true);
    expect(call("io.jwt.verify_rs256", [await sign("PS256", pss.privateKey), pssPem])).toBe(false);
    expect(call("io.jwt.verify_ps384", [await sign("PS256", pss.privateKey), pssPem])).toBe(false);
  });

  it("reports unusable key material", async () => {
    const token = await sign("RS256", rsa.privateKey);
    expectError(() => decodeVerify(token, { cert: "not a key" }), /PEM certificate or public key, a JWK or a JWKS/);
    expectError(
      () => decodeVerify(token, { cert: "-----BEGIN PUBLIC KEY-----\nAAAA\n-----END PUBLIC KEY-----" }),
      /invalid verification key/,
    );
    expectError(() => decodeVerify(token, { cert: '{"keys": [1]}' }), /invalid JWK/);
  });

  it("needs the Node platform for asymmetric algorithms", async () => {
    const token = await sign("RS256", rsa.privateKey);
    expectError(
      () => decodeVerify(token, { cert: rsaPem }, defaultPlatform),
      /asymmetric algorithms need the Node platform/,
    );
    // HMAC still works without it.
    expect(decodeVerify(await hs256({}), { secret: SECRET }, defaultPlatform)[0]).toBe(true);
  });
});
