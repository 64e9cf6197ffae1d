// JSON Patch (RFC 6902): the RFC's own examples, all-or-nothing failures, and a property:
// no patch, whatever its keys, reaches an object prototype or changes its input.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { applyPatch, parsePatch, parsePointer, type Patched } from "../../src/server/json-patch.js";

function patch(doc: unknown, ops: unknown): Patched {
  const parsed = parsePatch(ops);
  if (!parsed.ok) return parsed;
  return applyPatch(doc, parsed.ops);
}

const plain = (v: unknown): unknown => JSON.parse(JSON.stringify(v));
const result = (r: Patched): unknown => {
  if (!r.ok) throw new Error(`${r.kind}: ${r.message}`);
  return plain(r.doc);
};

describe("RFC 6902 appendix A", () => {
  it.each([
    ["add an object member", { foo: "bar" }, [{ op: "add", path: "/baz", value: "qux" }], { baz: "qux", foo: "bar" }],
    [
      "add an array element",
      { foo: ["bar", "baz"] },
      [{ op: "add", path: "/foo/1", value: "qux" }],
      { foo: ["bar", "qux", "baz"] },
    ],
    ["remove an object member", { baz: "qux", foo: "bar" }, [{ op: "remove", path: "/baz" }], { foo: "bar" }],
    [
      "remove an array element",
      { foo: ["bar", "qux", "baz"] },
      [{ op: "remove", path: "/foo/1" }],
      { foo: ["bar", "baz"] },
    ],
    [
      "replace a value",
      { baz: "qux", foo: "bar" },
      [{ op: "replace", path: "/baz", value: "boo" }],
      { baz: "boo", foo: "bar" },
    ],
    [
      "move a value",
      { foo: { bar: "baz", waldo: "fred" }, qux: { corge: "grault" } },
      [{ op: "move", from: "/foo/waldo", path: "/qux/thud" }],
      { foo: { bar: "baz" }, qux: { corge: "grault", thud: "fred" } },
    ],
    [
      "move an array element",
      { foo: ["all", "grass", "cows", "eat"] },
      [{ op: "move", from: "/foo/1", path: "/foo/3" }],
      { foo: ["all", "cows", "eat", "grass"] },
    ],
    [
      "test a value",
      { baz: "qux", foo: ["a", 2, "c"] },
      [
        { op: "test", path: "/baz", value: "qux" },
        { op: "test", path: "/foo/1", value: 2 },
      ],
      { baz: "qux", foo: ["a", 2, "c"] },
    ],
    [
      "add a nested member object",
      { foo: "bar" },
      [{ op: "add", path: "/child", value: { grandchild: {} } }],
      { foo: "bar", child: { grandchild: {} } },
    ],
    [
      "escape ~ and / in keys",
      { "/": 9, "~1": 10 },
      [
        { op: "test", path: "/~01", value: 10 },
        { op: "remove", path: "/~1" },
      ],
      { "~1": 10 },
    ],
    [
      "add an array value",
      { foo: ["bar"] },
      [{ op: "add", path: "/foo/-", value: ["abc", "def"] }],
      { foo: ["bar", ["abc", "def"]] },
    ],
    ["replace the whole document", { a: 1 }, [{ op: "replace", path: "", value: [1] }], [1]],
    [
      "copy",
      { a: { b: [1] } },
      [
        { op: "copy", from: "/a", path: "/c" },
        { op: "add", path: "/c/b/-", value: 2 },
      ],
      { a: { b: [1] }, c: { b: [1, 2] } },
    ],
  ])("%s", (_name, doc, ops, expected) => {
    expect(result(patch(doc, ops))).toEqual(expected);
  });

  it.each([
    ["a missing target", { foo: "bar" }, [{ op: "remove", path: "/baz" }], "not_found"],
    ["a missing parent", { foo: "bar" }, [{ op: "add", path: "/baz/bat", value: "qux" }], "not_found"],
    ["an index past the end", { foo: [1] }, [{ op: "add", path: "/foo/2", value: 3 }], "not_found"],
    ["a leading zero index", { foo: [1, 2] }, [{ op: "remove", path: "/foo/01" }], "invalid"],
    ["a failed test", { baz: "qux" }, [{ op: "test", path: "/baz", value: "bar" }], "test_failed"],
    ["a test that compares 1 with '1'", { a: 1 }, [{ op: "test", path: "/a", value: "1" }], "test_failed"],
    ["a move into its own child", { a: { b: 1 } }, [{ op: "move", from: "/a", path: "/a/b/c" }], "invalid"],
    ["an unknown op", {}, [{ op: "merge", path: "/a" }], "invalid"],
    ["a missing value", {}, [{ op: "add", path: "/a" }], "invalid"],
    ["a bad pointer", {}, [{ op: "add", path: "a", value: 1 }], "invalid"],
    ["a bad escape", {}, [{ op: "add", path: "/a~2", value: 1 }], "invalid"],
    ["not an array", {}, { op: "add", path: "/a", value: 1 }, "invalid"],
    ["adding below a scalar", { a: 1 }, [{ op: "add", path: "/a/b", value: 1 }], "invalid"],
  ])("refuses %s", (_name, doc, ops, kind) => {
    const r = patch(doc, ops);
    expect(r.ok).toBe(false);
    expect((r as { kind: string }).kind).toBe(kind);
  });

  it("is all or nothing and never changes its input", () => {
    const doc = { a: [1, 2], b: { c: 1 } };
    const before = plain(doc);
    expect(
      patch(doc, [
        { op: "remove", path: "/a/0" },
        { op: "remove", path: "/nope" },
      ]).ok,
    ).toBe(false);
    expect(
      result(
        patch(doc, [
          { op: "remove", path: "/a/0" },
          { op: "add", path: "/b/d", value: 2 },
        ]),
      ),
    ).toEqual({
      a: [2],
      b: { c: 1, d: 2 },
    });
    expect(doc).toEqual(before);
  });

  it("creates a document from nothing only with an add at the root", () => {
    expect(result(patch(undefined, [{ op: "add", path: "", value: { a: 1 } }]))).toEqual({ a: 1 });
    expect(patch(undefined, [{ op: "add", path: "/a", value: 1 }]).ok).toBe(false);
  });

  it("parses pointers", () => {
    expect(parsePointer("")).toEqual([]);
    expect(parsePointer("/")).toEqual([""]);
    expect(parsePointer("/a~1b/~0c")).toEqual(["a/b", "~c"]);
    expect(parsePointer("a")).toBeNull();
  });
});

describe("hostile keys", () => {
  const hostile = fc.constantFrom("__proto__", "constructor", "prototype", "toString", "polluted", "a", "0", "-");
  const pointer = fc.array(hostile, { maxLength: 4 }).map((p) => "/" + p.join("/"));
  const op = fc.oneof(
    fc.record({ op: fc.constantFrom("add", "replace", "test"), path: pointer, value: fc.jsonValue({ maxDepth: 2 }) }),
    fc.record({ op: fc.constant("remove"), path: pointer }),
    fc.record({ op: fc.constantFrom("move", "copy"), path: pointer, from: pointer }),
  );
  const doc = fc.jsonValue({ maxDepth: 3 });

  it("never reach a prototype, whatever the patch", () => {
    fc.assert(
      fc.property(doc, fc.array(op, { maxLength: 6 }), (d, ops) => {
        const input = JSON.parse(JSON.stringify(d)) as unknown;
        const snapshot = JSON.stringify(input);
        const text = JSON.stringify(ops).replace(/"polluted"/g, '"__proto__"');
        patch(input, JSON.parse(text));
        expect(JSON.stringify(input)).toBe(snapshot);
        expect(({} as Record<string, unknown>).polluted).toBeUndefined();
        expect(Object.getPrototypeOf({})).toBe(Object.prototype);
        expect(Object.keys(Object.prototype)).toEqual([]);
      }),
      { seed: 4242, numRuns: 2000 },
    );
  });

  it("stores __proto__ as an own member", () => {
    const r = patch({}, JSON.parse('[{"op": "add", "path": "/__proto__", "value": {"polluted": true}}]'));
    const out = (r as { doc: Record<string, unknown> }).doc;
    expect(Object.prototype.hasOwnProperty.call(out, "__proto__")).toBe(true);
    expect(out.polluted).toBeUndefined();
    expect(JSON.stringify(out)).toBe('{"__proto__":{"polluted":true}}');
  });
});
