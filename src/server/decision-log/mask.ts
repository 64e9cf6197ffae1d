// Masking: erasing configured JSON Pointers (RFC 6901) from a document before it leaves the
// process. Only erasure is supported (OPA's mask policies can also `upsert` a replacement
// value; Verdict has no mask policy, only the configured pointer list).
//
// The caller's objects are never modified. Masking copies exactly the objects and arrays on the
// way to an erased value and shares everything else; the result is serialized straight away and
// never modified either, so sharing is safe and a large input costs nothing beyond the copied
// path. Copies are null-prototype objects, and keys are only ever looked up as own properties,
// so keys such as `__proto__`, `constructor` or `prototype` are ordinary data in both the
// document and the pointers.
//
// Every pointer is resolved against the original document: erasing `/input/list/0` and
// `/input/list/1` removes both of the original first two elements (the rest shift down), and a
// pointer below an erased one (`/input` and `/input/password`) adds nothing.

export type PointerParse =
  { readonly ok: true; readonly tokens: readonly string[] } | { readonly ok: false; readonly message: string };

/** Splits a JSON Pointer into unescaped reference tokens (`~1` → `/`, then `~0` → `~`). */
export function parsePointer(pointer: string): PointerParse {
  if (pointer === "") return { ok: false, message: "the empty pointer (the whole document) cannot be masked" };
  if (!pointer.startsWith("/")) return { ok: false, message: "a JSON Pointer starts with '/'" };
  const tokens: string[] = [];
  for (const raw of pointer.slice(1).split("/")) {
    if (/~(?![01])/.test(raw)) return { ok: false, message: "'~' must be followed by 0 or 1 (~0 is '~', ~1 is '/')" };
    tokens.push(raw.replaceAll("~1", "/").replaceAll("~0", "~"));
  }
  return { ok: true, tokens };
}

interface MaskNode {
  /** Set when the value at this node is erased: the pointer as configured, and its position. */
  erase?: { readonly pointer: string; readonly order: number };
  readonly children: Map<string, MaskNode>;
}

/** Compiled pointers: a tree of reference tokens, walked alongside the document. */
export interface Mask {
  readonly pointers: readonly string[];
  readonly root: Readonly<MaskNode>;
}

export type MaskCompile =
  { readonly ok: true; readonly mask: Mask } | { readonly ok: false; readonly errors: string[] };

export function compileMask(pointers: readonly string[]): MaskCompile {
  const root: MaskNode = { children: new Map() };
  const errors: string[] = [];
  pointers.forEach((pointer, order) => {
    const parsed = parsePointer(pointer);
    if (!parsed.ok) {
      errors.push(`${JSON.stringify(pointer)}: ${parsed.message}`);
      return;
    }
    let node = root;
    for (const token of parsed.tokens) {
      let child = node.children.get(token);
      if (!child) node.children.set(token, (child = { children: new Map() }));
      node = child;
    }
    node.erase ??= { pointer, order };
  });
  return errors.length > 0 ? { ok: false, errors } : { ok: true, mask: { pointers, root } };
}

export interface Masked {
  /** The document with the matched values erased; the original itself when nothing matched. */
  readonly value: unknown;
  /** The configured pointers that matched a value, in configuration order. */
  readonly erased: readonly string[];
}

/** Erases the mask's pointers from `doc` (see the file comment); pointers that match nothing are ignored. */
export function applyMask(doc: unknown, mask: Mask): Masked {
  if (mask.root.children.size === 0) return { value: doc, erased: [] };
  const found: { pointer: string; order: number }[] = [];
  const value = maskValue(doc, mask.root, found);
  found.sort((a, b) => a.order - b.order);
  return { value, erased: found.map((f) => f.pointer) };
}

type Found = { pointer: string; order: number }[];

function maskValue(value: unknown, node: Readonly<MaskNode>, found: Found): unknown {
  if (node.children.size === 0 || typeof value !== "object" || value === null) return value;
  return Array.isArray(value) ? maskArray(value, node, found) : maskObject(value, node, found);
}

function maskObject(obj: object, node: Readonly<MaskNode>, found: Found): unknown {
  let copy: Record<string, unknown> | undefined;
  for (const [token, child] of node.children) {
    // Only own enumerable properties are serialized, so only they can leak.
    if (!Object.prototype.propertyIsEnumerable.call(obj, token)) continue;
    const current = (obj as Record<string, unknown>)[token];
    if (child.erase) {
      copy ??= nullPrototypeCopy(obj);
      delete copy[token];
      found.push(child.erase);
      continue;
    }
    const masked = maskValue(current, child, found);
    if (masked !== current) {
      copy ??= nullPrototypeCopy(obj);
      copy[token] = masked;
    }
  }
  return copy ?? obj;
}

function maskArray(arr: readonly unknown[], node: Readonly<MaskNode>, found: Found): unknown {
  let copy: unknown[] | undefined;
  let removed: Set<number> | undefined;
  for (const [token, child] of node.children) {
    const index = arrayIndex(token, arr.length);
    if (index === undefined) continue;
    if (child.erase) {
      (removed ??= new Set()).add(index);
      found.push(child.erase);
      continue;
    }
    const current = arr[index];
    const masked = maskValue(current, child, found);
    if (masked !== current) {
      copy ??= arr.slice();
      copy[index] = masked;
    }
  }
  if (removed) {
    const keep = removed;
    return (copy ?? arr).filter((_, i) => !keep.has(i));
  }
  return copy ?? arr;
}

/** The index a token names in an array of `length` elements, if any (`-` and `01` name none). */
function arrayIndex(token: string, length: number): number | undefined {
  if (!/^(0|[1-9][0-9]*)$/.test(token)) return undefined;
  const index = Number(token);
  return index < length ? index : undefined;
}

/**
 * A shallow copy of the own enumerable string-keyed properties. With no prototype, assigning
 * `copy["__proto__"]` creates an ordinary own property instead of changing the prototype.
 */
function nullPrototypeCopy(obj: object): Record<string, unknown> {
  const copy = Object.create(null) as Record<string, unknown>;
  for (const key of Object.keys(obj)) copy[key] = (obj as Record<string, unknown>)[key];
  return copy;
}
