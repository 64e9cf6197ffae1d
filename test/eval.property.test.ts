// Properties of evaluation on the example policies: deterministic, never throwing, and immune
// to prototype pollution, for arbitrary (including hostile) inputs and data key orders.
import fc from "fast-check";
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { compile, type Policy } from "../src/index.js";

const runs = Number(process.env.VERDICT_PROPERTY_RUNS ?? 300);
const seed = 20261123;

const hostileKey = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf");
const key = fc.oneof(
  hostileKey,
  fc.constantFrom("request", "method", "path", "user", "tls", "roles"),
  fc.string({ maxLength: 6 }),
);
const scalar = fc.oneof(
  fc.constant(null),
  fc.boolean(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.integer(),
  fc.constantFrom("GET", "POST", "/public/a", "alice", "admin"),
  fc.string({ maxLength: 8 }),
);
const { json } = fc.letrec((tie) => ({
  json: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalar,
    fc.array(tie("json"), { maxLength: 4 }),
    fc.dictionary(key, tie("json"), { maxKeys: 4 }),
  ),
}));

/** Inputs shaped like the example's requests, with arbitrary values and hostile extra keys. */
const requestInput = fc.record({
  request: fc.record({
    method: fc.oneof(fc.constantFrom("GET", "POST", "HEAD"), json),
    path: fc.oneof(fc.constantFrom("/public/a/b", "/admin", "/"), json),
    user: fc.oneof(fc.constantFrom("alice", "bob", "__proto__", "constructor"), json),
    tls: fc.oneof(fc.boolean(), json),
  }),
  extra: json,
});

const usersData = fc.dictionary(
  fc.oneof(fc.constantFrom("alice", "bob", "__proto__", "constructor"), fc.string({ maxLength: 5 })),
  fc.record({
    id: fc.string({ maxLength: 5 }),
    roles: fc.array(fc.constantFrom("admin", "dev", "ops"), { maxLength: 3 }),
    verified: fc.boolean(),
  }),
  { maxKeys: 6 },
);

const example = readFileSync("policies/http/example.verdict", "utf8");
const rules = ["allow", "deny", "roles_by_user", "reason", "everyone_verified", "admins", ""];

function policyFor(users: unknown): Policy {
  const { policy, diagnostics } = compile([{ file: "example.verdict", source: example }], { data: { users } });
  if (!policy) throw new Error(diagnostics.map((d) => d.message).join("\n"));
  return policy;
}

/** The same object with its keys inserted in reverse order (and `__proto__` kept as data). */
function reversed(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(reversed);
  if (typeof v !== "object" || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v).reverse()) {
    Object.defineProperty(out, k, {
      value: reversed((v as Record<string, unknown>)[k]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

describe("evaluation properties", () => {
  it("is deterministic, independent of key order, and never throws", () => {
    fc.assert(
      fc.property(usersData, requestInput, (users, input) => {
        const a = policyFor(users);
        const b = policyFor(reversed(users));
        for (const rule of rules) {
          const path = rule ? `http.authz.${rule}` : "http.authz";
          const first = a.evaluate(path, input);
          expect(a.evaluate(path, input)).toEqual(first);
          expect(b.evaluate(path, reversed(input))).toEqual(first);
          expect(JSON.stringify(a.evaluate(path, input))).toBe(JSON.stringify(first));
        }
      }),
      { seed, numRuns: runs },
    );
  });

  it("no input can pollute prototypes or change a decision through them", () => {
    const policy = policyFor({ alice: { id: "alice", roles: ["dev"], verified: true } });
    fc.assert(
      fc.property(json, (payload) => {
        const text = JSON.stringify({
          request: { method: "POST", path: "/x", user: "__proto__", __proto__: payload, constructor: payload },
        });
        const input: unknown = JSON.parse(text);
        const d = policy.evaluate("http.authz.allow", input);
        expect(d.errors ?? []).toEqual([]);
        expect(d.result).toBe(false);
        const probe: Record<string, unknown> = {};
        expect(probe.roles).toBeUndefined();
        expect(Object.prototype).not.toHaveProperty("roles");
      }),
      { seed, numRuns: runs },
    );
  });
});
