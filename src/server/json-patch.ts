// JSON Patch (RFC 6902) with JSON Pointers (RFC 6901), applied to a copy made of
// null-prototype objects: a key such as `__proto__` or `constructor` is only ever an own
// data property, so a patch can never reach an object prototype.

export type PatchOp =
  | { readonly op: "add" | "replace" | "test"; readonly path: readonly string[]; readonly value: unknown }
  | { readonly op: "remove"; readonly path: readonly string[] }
  | { readonly op: "move" | "copy"; readonly path: readonly string[]; readonly from: readonly string[] };

export type PatchError = { readonly kind: "invalid" | "not_found" | "test_failed"; readonly message: string };

export type Patched = { readonly ok: true; readonly doc: unknown } | ({ readonly ok: false } & PatchError);

class Failure extends Error {
  constructor(readonly failure: PatchError) {
    super(failure.message);
  }
}

const fail = (kind: PatchError["kind"], message: string): never => {
  throw new Failure({ kind, message });
};

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/** Parses an RFC 6901 pointer ("" is the whole document). */
export function parsePointer(pointer: string): readonly string[] | null {
  if (pointer === "") return [];
  if (!pointer.startsWith("/")) return null;
  const out: string[] = [];
  for (const raw of pointer.slice(1).split("/")) {
    if (/~[^01]|~$/.test(raw)) return null;
    out.push(raw.replace(/~1/g, "/").replace(/~0/g, "~"));
  }
  return out;
}

/** Checks the shape of a patch document (an array of operations). */
export function parsePatch(doc: unknown): { ok: true; ops: PatchOp[] } | ({ ok: false } & PatchError) {
  try {
    if (!Array.isArray(doc)) fail("invalid", "a JSON Patch is an array of operations");
    return { ok: true, ops: (doc as unknown[]).map(parseOp) };
  } catch (err) {
    if (err instanceof Failure) return { ok: false, ...err.failure };
    throw err;
  }
}

function parseOp(raw: unknown, i: number): PatchOp {
  if (!isObject(raw)) return fail("invalid", `operation ${i} is not an object`);
  const op = hasOwn(raw, "op") ? raw.op : undefined;
  const pointer = (key: "path" | "from"): readonly string[] => {
    const p = hasOwn(raw, key) ? raw[key] : undefined;
    if (typeof p !== "string") return fail("invalid", `operation ${i}: '${key}' must be a string`);
    return parsePointer(p) ?? fail("invalid", `operation ${i}: '${p}' is not a JSON Pointer`);
  };
  switch (op) {
    case "add":
    case "replace":
    case "test":
      if (!hasOwn(raw, "value")) fail("invalid", `operation ${i} (${op}) needs a 'value'`);
      return { op, path: pointer("path"), value: raw.value };
    case "remove":
      return { op, path: pointer("path") };
    case "move":
    case "copy":
      return { op, path: pointer("path"), from: pointer("from") };
    default:
      return fail("invalid", `operation ${i}: unknown op ${JSON.stringify(op) ?? "undefined"}`);
  }
}

/** Applies the operations in order to a copy of `doc` (undefined = no document yet); all or nothing. */
export function applyPatch(doc: unknown, ops: readonly PatchOp[]): Patched {
  const root = { doc: doc === undefined ? undefined : clone(doc) };
  try {
    for (const op of ops) apply(root, op);
    return { ok: true, doc: root.doc };
  } catch (err) {
    if (err instanceof Failure) return { ok: false, ...err.failure };
    throw err;
  }
}

interface Root {
  doc: unknown;
}

function apply(root: Root, op: PatchOp): void {
  switch (op.op) {
    case "add":
      return add(root, op.path, clone(op.value));
    case "remove":
      remove(root, op.path);
      return;
    case "replace":
      remove(root, op.path);
      return add(root, op.path, clone(op.value));
    case "move": {
      if (op.from.length < op.path.length && op.from.every((s, i) => s === op.path[i]))
        fail("invalid", `cannot move ${show(op.from)} into its own child ${show(op.path)}`);
      return add(root, op.path, remove(root, op.from));
    }
    case "copy":
      return add(root, op.path, clone(get(root, op.from)));
    case "test":
      if (!equal(get(root, op.path), op.value))
        fail("test_failed", `test failed: the value at ${show(op.path)} is not the expected value`);
      return;
  }
}

const show = (path: readonly string[]): string =>
  path.length === 0 ? '""' : "/" + path.map((s) => s.replace(/~/g, "~0").replace(/\//g, "~1")).join("/");

function get(root: Root, path: readonly string[]): unknown {
  let v = root.doc;
  for (let i = 0; i < path.length; i++) {
    const seg = path[i]!;
    if (Array.isArray(v)) v = v[index(v, seg, false, path.slice(0, i + 1))];
    else if (isObject(v) && hasOwn(v, seg)) v = v[seg];
    else fail("not_found", `no value at ${show(path.slice(0, i + 1))}`);
  }
  if (v === undefined) fail("not_found", `no value at ${show(path)}`);
  return v;
}

function index(arr: readonly unknown[], seg: string, forAdd: boolean, where: readonly string[]): number {
  if (forAdd && seg === "-") return arr.length;
  if (!/^(0|[1-9][0-9]*)$/.test(seg)) return fail("invalid", `${show(where)}: '${seg}' is not an array index`);
  const i = Number(seg);
  if (i > arr.length || (!forAdd && i === arr.length)) fail("not_found", `${show(where)}: index out of range`);
  return i;
}

function add(root: Root, path: readonly string[], value: unknown): void {
  if (path.length === 0) {
    root.doc = value;
    return;
  }
  const parent = get(root, path.slice(0, -1));
  const key = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(index(parent, key, true, path), 0, value);
  else if (isObject(parent))
    parent[key] = value; // parent has a null prototype: always an own property
  else fail("invalid", `cannot add below ${show(path.slice(0, -1))}: it is not an object or array`);
}

function remove(root: Root, path: readonly string[]): unknown {
  const value = get(root, path);
  if (path.length === 0) {
    root.doc = undefined;
    return value;
  }
  const parent = get(root, path.slice(0, -1)) as Record<string, unknown> | unknown[];
  const key = path[path.length - 1]!;
  if (Array.isArray(parent)) parent.splice(index(parent, key, false, path), 1);
  else delete parent[key];
  return value;
}

/** A deep copy of a JSON value with null-prototype objects. */
export function clone(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(clone);
  if (!isObject(v)) return v;
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(v)) out[k] = clone(v[k]);
  return out;
}

/** JSON equality: objects by own keys regardless of order. */
export function equal(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (Array.isArray(a)) return Array.isArray(b) && a.length === b.length && a.every((x, i) => equal(x, b[i]));
  if (!isObject(a) || !isObject(b) || Array.isArray(b)) return false;
  const ka = Object.keys(a);
  return ka.length === Object.keys(b).length && ka.every((k) => hasOwn(b, k) && equal(a[k], b[k]));
}
