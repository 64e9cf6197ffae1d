// Runtime values: plain JSON plus sets. Objects the engine builds have a null prototype,
// and every key lookup checks own properties, so keys such as `__proto__` stay plain data.

export type Value = null | boolean | number | string | readonly Value[] | ObjectValue | SetValue;

export interface ObjectValue {
  readonly [key: string]: Value;
}

/** A set of values with structural equality, kept in canonical order on demand. */
export class SetValue {
  private readonly items = new Map<string, Value>();
  private sortedCache: readonly Value[] | null = null;

  constructor(values: Iterable<Value> = []) {
    for (const v of values) this.add(v);
  }

  get size(): number {
    return this.items.size;
  }

  /** Adds a value; only for sets still being built. */
  add(v: Value): void {
    const k = keyOf(v);
    if (!this.items.has(k)) {
      this.items.set(k, v);
      this.sortedCache = null;
    }
  }

  has(v: Value): boolean {
    return this.items.has(keyOf(v));
  }

  /** Members in canonical order, so iteration is deterministic. */
  sorted(): readonly Value[] {
    if (this.sortedCache === null) this.sortedCache = [...this.items.values()].sort(compare);
    return this.sortedCache;
  }
}

export const isSet = (v: unknown): v is SetValue => v instanceof SetValue;
export const isArray = (v: unknown): v is readonly Value[] => Array.isArray(v);
export const isObject = (v: unknown): v is ObjectValue =>
  typeof v === "object" && v !== null && !Array.isArray(v) && !(v instanceof SetValue);

const hasOwn = Object.prototype.hasOwnProperty;

/** Own-property lookup: never reaches `Object.prototype`. */
export function getKey(obj: ObjectValue, key: string): Value | undefined {
  return hasOwn.call(obj, key) ? obj[key] : undefined;
}

/** A fresh object with no prototype. */
export function newObject(): Record<string, Value> {
  return Object.create(null) as Record<string, Value>;
}

export function objectFromEntries(entries: Iterable<readonly [string, Value]>): ObjectValue {
  const o = newObject();
  for (const [k, v] of entries) o[k] = v;
  return o;
}

/** Keys of an object in canonical (sorted) order. */
export function sortedKeys(obj: ObjectValue): string[] {
  return Object.keys(obj).sort(compareStrings);
}

export type TypeName = "null" | "boolean" | "number" | "string" | "array" | "object" | "set";

export function typeName(v: Value): TypeName {
  if (v === null) return "null";
  switch (typeof v) {
    case "boolean":
      return "boolean";
    case "number":
      return "number";
    case "string":
      return "string";
  }
  if (Array.isArray(v)) return "array";
  if (v instanceof SetValue) return "set";
  return "object";
}

const typeRank: Record<TypeName, number> = {
  null: 0,
  boolean: 1,
  number: 2,
  string: 3,
  array: 4,
  object: 5,
  set: 6,
};

export function compareStrings(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}

/** The canonical total order: by type (null < boolean < number < string < array < object < set), then by value. */
export function compare(a: Value, b: Value): number {
  if (a === b) return 0;
  const ta = typeName(a);
  const tb = typeName(b);
  if (ta !== tb) return typeRank[ta] - typeRank[tb];
  switch (ta) {
    case "null":
      return 0;
    case "boolean":
      return (a ? 1 : 0) - (b ? 1 : 0);
    case "number":
      return (a as number) < (b as number) ? -1 : (a as number) > (b as number) ? 1 : 0;
    case "string":
      return compareStrings(a as string, b as string);
    case "array":
      return compareSequences(a as readonly Value[], b as readonly Value[]);
    case "set":
      return compareSequences((a as SetValue).sorted(), (b as SetValue).sorted());
    case "object":
      return compareObjects(a as ObjectValue, b as ObjectValue);
  }
}

function compareSequences(a: readonly Value[], b: readonly Value[]): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    const c = compare(a[i] as Value, b[i] as Value);
    if (c !== 0) return c;
  }
  return a.length - b.length;
}

function compareObjects(a: ObjectValue, b: ObjectValue): number {
  const ka = sortedKeys(a);
  const kb = sortedKeys(b);
  const n = Math.min(ka.length, kb.length);
  for (let i = 0; i < n; i++) {
    const c = compareStrings(ka[i] as string, kb[i] as string);
    if (c !== 0) return c;
    const cv = compare(a[ka[i] as string] as Value, b[kb[i] as string] as Value);
    if (cv !== 0) return cv;
  }
  return ka.length - kb.length;
}

/** Structural equality. */
export function equals(a: Value, b: Value): boolean {
  if (a === b) return true;
  if (typeof a !== "object" || typeof b !== "object" || a === null || b === null) return false;
  if (Array.isArray(a)) {
    if (!Array.isArray(b) || a.length !== b.length) return false;
    for (let i = 0; i < a.length; i++) if (!equals(a[i] as Value, b[i] as Value)) return false;
    return true;
  }
  if (a instanceof SetValue) {
    return b instanceof SetValue && a.size === b.size && a.sorted().every((v) => b.has(v));
  }
  if (Array.isArray(b) || b instanceof SetValue) return false;
  const oa = a as ObjectValue;
  const ob = b as ObjectValue;
  const ka = Object.keys(oa);
  if (ka.length !== Object.keys(ob).length) return false;
  for (const k of ka) {
    if (!hasOwn.call(ob, k) || !equals(oa[k] as Value, ob[k] as Value)) return false;
  }
  return true;
}

/** A string that is equal for structurally equal values; the identity used by sets. */
export function keyOf(v: Value): string {
  switch (typeof v) {
    case "string":
      return "s" + v;
    case "number":
      return "n" + String(v);
    case "boolean":
      return v ? "t" : "f";
  }
  if (v === null) return "z";
  return "c" + canonicalJSON(v, true);
}

/**
 * JSON text with object keys sorted: equal values give equal text. Sets print as sorted arrays,
 * or with `tagSets` as `<...>` so that a set and an array never share a text (set identity).
 */
export function canonicalJSON(v: Value, tagSets = false): string {
  if (v === null || typeof v !== "object") return JSON.stringify(v);
  if (Array.isArray(v)) return "[" + v.map((x) => canonicalJSON(x, tagSets)).join(",") + "]";
  if (v instanceof SetValue) {
    const items = v
      .sorted()
      .map((x) => canonicalJSON(x, tagSets))
      .join(",");
    return tagSets ? "<" + items + ">" : "[" + items + "]";
  }
  const o = v as ObjectValue;
  const entries = sortedKeys(o).map((k) => JSON.stringify(k) + ":" + canonicalJSON(o[k] as Value, tagSets));
  return "{" + entries.join(",") + "}";
}

/**
 * Converts an engine value to plain JSON for callers: sets become sorted arrays and object
 * keys are emitted in sorted order. Objects keep a null prototype so hostile keys stay data.
 */
export function toJSON(v: Value): unknown {
  if (v === null || typeof v !== "object") return v;
  if (Array.isArray(v)) return v.map(toJSON);
  if (v instanceof SetValue) return v.sorted().map(toJSON);
  const o = v as ObjectValue;
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of sortedKeys(o)) out[k] = toJSON(o[k] as Value);
  return out;
}

/** Is this value "truthy" for a body literal: defined and not `false`. */
export const holds = (v: Value | undefined): boolean => v !== undefined && v !== false;

/** Short printable form for messages: JSON with sets shown as `{a, b}`. */
export function show(v: Value | undefined): string {
  if (v === undefined) return "undefined";
  if (v instanceof SetValue) return v.size === 0 ? "set()" : "{" + v.sorted().map(show).join(", ") + "}";
  if (Array.isArray(v)) return "[" + v.map(show).join(", ") + "]";
  if (typeof v === "object" && v !== null) {
    const o = v as ObjectValue;
    return (
      "{" +
      sortedKeys(o)
        .map((k) => JSON.stringify(k) + ": " + show(o[k] as Value))
        .join(", ") +
      "}"
    );
  }
  return JSON.stringify(v);
}
