import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyMask, compileMask, parsePointer, type Mask } from "../../../src/server/decision-log/mask.js";

function mask(...pointers: string[]): Mask {
  const compiled = compileMask(pointers);
  if (!compiled.ok) throw new Error(compiled.errors.join("; "));
  return compiled.mask;
}

/** Masks and returns the result as plain JSON (what leaves the process). */
function masked(doc: unknown, ...pointers: string[]): { json: unknown; erased: readonly string[] } {
  const out = applyMask(doc, mask(...pointers));
  return { json: JSON.parse(JSON.stringify(out.value)), erased: out.erased };
}

describe("parsePointer", () => {
  it("unescapes ~1 then ~0, so ~01 is a literal ~1", () => {
    expect(parsePointer("/input/a~1b/m~0n/~01")).toEqual({ ok: true, tokens: ["input", "a/b", "m~n", "~1"] });
  });

  it("keeps empty tokens and array indices as strings", () => {
    expect(parsePointer("/input//0")).toEqual({ ok: true, tokens: ["input", "", "0"] });
  });

  it.each(["", "input/x", "/input/~", "/input/~2", "/input/a~b"])("rejects %j", (p) => {
    expect(parsePointer(p).ok).toBe(false);
  });

  it("compileMask reports every bad pointer", () => {
    const r = compileMask(["/input/ok", "nope", "/input/~x"]);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(r.errors).toHaveLength(2);
  });
});

describe("applyMask", () => {
  const event = () => ({
    input: {
      user: "alice",
      password: "s3cret",
      headers: { authorization: "Bearer x", accept: "*/*" },
      list: ["a", "b", "c", "d"],
      users: [{ name: "a", password: "p" }],
    },
    result: { allow: true, token: "t" },
  });

  it("erases nested values and reports what it erased, in configuration order", () => {
    const out = masked(event(), "/result/token", "/input/password", "/input/headers/authorization");
    expect(out.json).toEqual({
      input: {
        user: "alice",
        headers: { accept: "*/*" },
        list: ["a", "b", "c", "d"],
        users: [{ name: "a", password: "p" }],
      },
      result: { allow: true },
    });
    expect(out.erased).toEqual(["/result/token", "/input/password", "/input/headers/authorization"]);
  });

  it("never modifies the caller's objects", () => {
    const original = event();
    const before = structuredClone(original);
    const frozen = deepFreeze(original);
    masked(frozen, "/input/password", "/input/list/1", "/input/users/0/password", "/input/headers", "/result");
    expect(original).toEqual(before);
  });

  it("copies only the path to an erased value and shares the rest", () => {
    const original = event();
    const out = applyMask(original, mask("/input/password")).value as typeof original;
    expect(out).not.toBe(original);
    expect(out.input).not.toBe(original.input);
    expect(out.result).toBe(original.result);
    expect(out.input.headers).toBe(original.input.headers);
  });

  it("returns the original and erases nothing when no pointer matches", () => {
    const original = event();
    const out = applyMask(original, mask("/input/nope", "/input/user/length", "/input/list/9", "/result/allow/x"));
    expect(out.value).toBe(original);
    expect(out.erased).toEqual([]);
  });

  it("handles ~0 and ~1 escapes", () => {
    const doc = { input: { "a/b": 1, "m~n": 2, "~1": 3, keep: 4 } };
    const out = masked(doc, "/input/a~1b", "/input/m~0n", "/input/~01");
    expect(out.json).toEqual({ input: { keep: 4 } });
  });

  it("erases array elements by their original indices", () => {
    const out = masked(event(), "/input/list/1", "/input/list/3");
    expect((out.json as { input: { list: string[] } }).input.list).toEqual(["a", "c"]);
  });

  it("descends into array elements", () => {
    const out = masked(event(), "/input/users/0/password");
    expect((out.json as { input: { users: unknown[] } }).input.users).toEqual([{ name: "a" }]);
    expect(out.erased).toEqual(["/input/users/0/password"]);
  });

  it("ignores tokens that are not array indices (-, leading zeros, out of range, names)", () => {
    const original = event();
    const out = applyMask(original, mask("/input/list/-", "/input/list/01", "/input/list/4", "/input/list/length"));
    expect(out.value).toBe(original);
  });

  it("passes over primitives and null on the way", () => {
    const doc = { input: { a: "text", b: null, c: 5 } };
    const out = applyMask(doc, mask("/input/a/0", "/input/b/x", "/input/c/x"));
    expect(out.value).toBe(doc);
  });

  it("erases a whole section, and a pointer below an erased one adds nothing", () => {
    const out = masked(event(), "/input/password", "/input");
    expect(out.json).toEqual({ result: { allow: true, token: "t" } });
    expect(out.erased).toEqual(["/input"]);
  });

  it("treats __proto__, constructor and prototype as ordinary keys", () => {
    const doc = JSON.parse(
      '{"input": {"__proto__": {"secret": 1, "keep": 2}, "constructor": {"prototype": {"x": 1, "y": 2}}}}',
    ) as unknown;
    const before = JSON.stringify(doc);
    const out = masked(doc, "/input/__proto__/secret", "/input/constructor/prototype/x");
    expect(JSON.stringify(doc)).toBe(before);
    expect(JSON.stringify(out.json)).toBe('{"input":{"__proto__":{"keep":2},"constructor":{"prototype":{"y":2}}}}');
    expect(out.erased).toEqual(["/input/__proto__/secret", "/input/constructor/prototype/x"]);
    expect(({} as Record<string, unknown>).secret).toBeUndefined();
    expect(({} as Record<string, unknown>).keep).toBeUndefined();
  });

  it("erases an own __proto__ key without touching any prototype", () => {
    const doc = JSON.parse('{"input": {"__proto__": {"polluted": true}, "a": 1}}') as unknown;
    const out = applyMask(doc, mask("/input/__proto__"));
    expect(JSON.stringify(out.value)).toBe('{"input":{"a":1}}');
    expect(out.erased).toEqual(["/input/__proto__"]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("never reaches inherited properties (a pointer at __proto__ of a plain object matches nothing)", () => {
    const doc = { input: { a: 1 } };
    const out = applyMask(doc, mask("/input/__proto__/toString", "/input/toString", "/input/constructor/name"));
    expect(out.value).toBe(doc);
    expect(out.erased).toEqual([]);
    expect(typeof Object.prototype.toString).toBe("function");
  });

  it("builds copies without a prototype", () => {
    const out = applyMask({ input: { a: 1, b: 2 } }, mask("/input/a")).value as { input: object };
    expect(Object.getPrototypeOf(out.input)).toBeNull();
  });

  it("never modifies its input and always removes the erased keys (property)", () => {
    const keyArb = fc.constantFrom("a", "b", "__proto__", "constructor", "x/y", "m~n", "0", "1");
    const docArb = fc.dictionary(keyArb, fc.jsonValue({ maxDepth: 3 }), { maxKeys: 6 });
    const pathArb = fc.array(keyArb, { minLength: 1, maxLength: 3 });
    fc.assert(
      fc.property(docArb, fc.array(pathArb, { maxLength: 4 }), (input, paths) => {
        const doc = JSON.parse(JSON.stringify({ input })) as unknown; // own __proto__ keys, as a request body has
        const before = JSON.stringify(doc);
        const pointers = paths.map(
          (p) => `/input/${p.map((t) => t.replaceAll("~", "~0").replaceAll("/", "~1")).join("/")}`,
        );
        const out = applyMask(doc, mask(...pointers));
        expect(JSON.stringify(doc)).toBe(before);
        const after = JSON.parse(JSON.stringify(out.value)) as unknown;
        for (const p of out.erased) expect([MISSING, SKIPPED]).toContain(resolve(after, p));
      }),
      { seed: 42, numRuns: 500 },
    );
  });
});

const MISSING = Symbol("missing");
const SKIPPED = Symbol("skipped");

/** Resolves a pointer through objects (elements shift when erased from arrays, so those are skipped). */
function resolve(doc: unknown, pointer: string): unknown {
  const parsed = parsePointer(pointer);
  if (!parsed.ok) throw new Error(parsed.message);
  let at: unknown = doc;
  for (const token of parsed.tokens) {
    if (Array.isArray(at)) return SKIPPED;
    if (typeof at !== "object" || at === null || !Object.hasOwn(at, token)) return MISSING;
    at = (at as Record<string, unknown>)[token];
  }
  return at;
}

function deepFreeze<T>(value: T): T {
  if (typeof value === "object" && value !== null) {
    for (const v of Object.values(value)) deepFreeze(v);
    Object.freeze(value);
  }
  return value;
}
