// (f) No input can change a decision through prototypes: evaluations with hostile inputs leave
// Object.prototype, Array.prototype and friends untouched, inherited members are invisible to
// policies (a crafted prototype chain decides exactly like the same own keys without it), and an
// own `__proto__` key is plain data.
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { compile, type Policy } from "../../src/index.js";
import { ReferenceInterpreter } from "../reference/interpreter.js";
import { dataArb, hostileKeys, inputArb, jsonArb, policyArb } from "./generators.js";
import { compileGenerated, relaxedLimits, replayPath, runs, seed, sourcesText, timeoutFor } from "./harness.js";

const numRuns = runs(300, 0.5);
const params = { seed: seed(0x5eed_f), numRuns, ...replayPath() };

const builtinsToWatch: Record<string, object> = {
  "Object.prototype": Object.prototype,
  "Array.prototype": Array.prototype,
  "Function.prototype": Function.prototype,
  "String.prototype": String.prototype,
  "Number.prototype": Number.prototype,
  "Boolean.prototype": Boolean.prototype,
  "Map.prototype": Map.prototype,
  "Set.prototype": Set.prototype,
  Object: Object,
  JSON: JSON,
};

/** Every own property (names and symbols) with its value or accessor identity. */
function snapshot(): Map<string, unknown[]> {
  const out = new Map<string, unknown[]>();
  for (const [name, o] of Object.entries(builtinsToWatch)) {
    for (const key of Reflect.ownKeys(o)) {
      const d = Object.getOwnPropertyDescriptor(o, key)!;
      out.set(`${name}.${String(key)}`, [d.value, d.get, d.set, d.writable, d.enumerable, d.configurable]);
    }
    out.set(`${name} [[Prototype]]`, [Object.getPrototypeOf(o), Object.isExtensible(o)]);
  }
  return out;
}

function changesSince(before: Map<string, unknown[]>): string[] {
  const after = snapshot();
  const changed: string[] = [];
  for (const [k, v] of after) {
    const old = before.get(k);
    if (!old) changed.push(`added ${k}`);
    else if (old.some((x, i) => !Object.is(x, v[i]))) changed.push(`changed ${k}`);
  }
  for (const k of before.keys()) if (!after.has(k)) changed.push(`removed ${k}`);
  return changed;
}

/** A fresh object literal and array inherit nothing new. */
function freshObjectsAreClean(): void {
  const o: Record<string, unknown> = {};
  const a: unknown[] = [];
  for (const k of ["isAdmin", "roles", "user", "items", "x", "polluted", ...hostileKeys]) {
    if (k !== "__proto__" && k !== "constructor" && k !== "toString" && k !== "hasOwnProperty" && k !== "valueOf") {
      expect(o[k], `({}).${k}`).toBeUndefined();
      expect((a as unknown as Record<string, unknown>)[k], `[].${k}`).toBeUndefined();
    }
  }
  const enumerable: string[] = [];
  for (const k in o) enumerable.push(k);
  for (const k in a) enumerable.push(k);
  expect(enumerable).toEqual([]);
}

/** A deep copy keeping own enumerable keys only, in plain objects (`__proto__` as an own key). */
function ownCopy(doc: unknown): unknown {
  if (Array.isArray(doc)) return doc.map(ownCopy);
  if (doc === null || typeof doc !== "object") return doc;
  const out = JSON.parse("{}") as Record<string, unknown>;
  for (const k of Object.keys(doc)) {
    Object.defineProperty(out, k, {
      value: ownCopy((doc as Record<string, unknown>)[k]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** The same document where objects inherit `members` (enumerable, so `for...in` would see them). */
function underPrototype(doc: unknown, members: Record<string, unknown>): unknown {
  if (Array.isArray(doc)) return doc.map((x) => underPrototype(x, members));
  if (doc === null || typeof doc !== "object") return doc;
  const proto = { ...members };
  const out = Object.create(proto) as Record<string, unknown>;
  for (const k of Object.keys(doc)) {
    Object.defineProperty(out, k, {
      value: underPrototype((doc as Record<string, unknown>)[k], members),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

const probe = `package probe

allow if input.user.isAdmin == true

allow_truthy if input.user.isAdmin

via_index if input.user["isAdmin"] == true

via_get := object.get(input.user, "isAdmin", "absent")

via_path := object.get(input, ["user", "isAdmin"], "absent")

via_keys := object.keys(input.user)

via_count := count(input.user)

via_iteration contains k if {
    some k, _ in input.user
}

via_wildcard contains k if {
    some k
    input.user[k]
}

via_in if true in input.user

via_every if {
    every k, v in input.user {
        k != "isAdmin"
    }
}

via_union := object.union({}, input.user)

via_equal if input.user == {"name": "alice"}

members := [input.user.constructor, input.user.toString, input.user.hasOwnProperty, input.user.valueOf]

proto := input.user.__proto__

admins contains name if {
    some name, u in data.users
    u.isAdmin == true
}
`;

let before: Map<string, unknown[]>;

describe("(f) prototypes cannot be polluted or used", () => {
  beforeAll(() => {
    before = snapshot();
  });

  afterAll(() => {
    expect(changesSince(before)).toEqual([]);
    freshObjectsAreClean();
  });

  let probePolicy: Policy;
  beforeAll(() => {
    const data = JSON.parse('{"users": {"eve": {"__proto__": {"isAdmin": true}}, "bob": {"isAdmin": false}}}');
    const r = compile(probe, { data, limits: relaxedLimits });
    if (!r.policy) throw new Error(r.diagnostics.map((d) => d.message).join("\n"));
    probePolicy = r.policy;
  });

  it("an own __proto__ key or a prototype chain never makes `allow if input.user.isAdmin == true` hold", () => {
    const inputs: [string, unknown][] = [
      ["own __proto__ key", JSON.parse('{"user": {"__proto__": {"isAdmin": true}}}')],
      [
        "own __proto__ key, nested",
        JSON.parse('{"user": {"name": "x", "__proto__": {"__proto__": {"isAdmin": true}}}}'),
      ],
      ["constructor.prototype", JSON.parse('{"user": {"constructor": {"prototype": {"isAdmin": true}}}}')],
      ["Object.create", { user: Object.create({ isAdmin: true }) }],
      ["Object.create, two levels", { user: Object.create(Object.create({ isAdmin: true })) }],
      ["input itself inherits user", Object.create({ user: { isAdmin: true } })],
      ["setPrototypeOf", { user: Object.setPrototypeOf({ name: "x" }, { isAdmin: true }) }],
    ];
    for (const [what, input] of inputs) {
      for (const rule of ["allow", "allow_truthy", "via_index", "via_in"]) {
        const d = probePolicy.evaluate(`probe.${rule}`, input);
        expect(d, `${rule} with ${what}`).toEqual({ defined: false });
      }
      const get = probePolicy.evaluate("probe.via_get", input);
      // "absent", or undefined when input.user itself is only inherited.
      expect([undefined, "absent"], `object.get with ${what}`).toContain(get.result);
      const keys = probePolicy.evaluate("probe.via_keys", input).result as unknown[] | undefined;
      expect(keys ?? [], `object.keys with ${what}`).not.toContain("isAdmin");
      const members = probePolicy.evaluate("probe.members", input);
      expect(members.defined, `inherited members with ${what}`).toBe(false);
    }
    expect(probePolicy.evaluate("probe.admins", {}).result).toEqual([]);
    freshObjectsAreClean();
  });

  it(
    "inherited members are invisible: a prototype chain decides like the same own keys",
    () => {
      const members = fc.dictionary(
        fc.oneof(fc.constantFrom(...hostileKeys), fc.constantFrom("isAdmin", "name", "user", "roles", "items", "n")),
        jsonArb,
        { maxKeys: 4 },
      );
      const cases = policyArb().chain((p) => fc.tuple(fc.constant(p), dataArb(p), inputArb, members));
      fc.assert(
        fc.property(cases, ([p, data, input, inherited]) => {
          const { policy, modules } = compileGenerated(p, data);
          const paths = new ReferenceInterpreter(modules).documentPaths();
          const crafted = underPrototype(input, inherited);
          for (const path of paths) {
            const expected = policy.evaluate(path, ownCopy(input));
            expect(policy.evaluate(path, crafted), `${path.join(".")}\n${sourcesText(p)}`).toEqual(expected);
          }
          for (const rule of ["", ".allow", ".via_keys", ".via_iteration", ".via_wildcard", ".via_union", ".members"]) {
            const expected = probePolicy.evaluate(`probe${rule}`, ownCopy(input));
            expect(probePolicy.evaluate(`probe${rule}`, crafted), `probe${rule}`).toEqual(expected);
          }
          expect(changesSince(before)).toEqual([]);
        }),
        params,
      );
    },
    timeoutFor(numRuns, 80),
  );

  it(
    "hostile JSON (own __proto__, constructor, prototype keys) leaves prototypes and later decisions alone",
    () => {
      const hostileText = fc
        .tuple(jsonArb, fc.constantFrom(...hostileKeys), fc.constantFrom(...hostileKeys))
        .map(([payload, k1, k2]) =>
          JSON.parse(
            `{"user": {${JSON.stringify(k1)}: ${JSON.stringify(payload)}, ${JSON.stringify(k2)}: {"isAdmin": true}}, ` +
              `${JSON.stringify(k1)}: {"polluted": true, "isAdmin": true}}`,
          ),
        );
      const benign = { user: { name: "alice" } };
      const fresh = compile(probe, { data: {}, limits: relaxedLimits }).policy!;
      const expected = fresh.evaluate("probe", benign);
      fc.assert(
        fc.property(hostileText, (input) => {
          const d = probePolicy.evaluate("probe", input);
          expect(d.errors ?? []).toEqual([]);
          expect(probePolicy.evaluate("probe.allow", input)).toEqual({ defined: false });
          // Nothing leaks into later evaluations (caches, memo, shared objects).
          const later = probePolicy.withData({}).evaluate("probe", benign);
          expect(later).toEqual(expected);
          expect(changesSince(before)).toEqual([]);
          freshObjectsAreClean();
        }),
        params,
      );
    },
    timeoutFor(numRuns, 20),
  );
});
