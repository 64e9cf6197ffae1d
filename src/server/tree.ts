// Persistent edits of a JSON tree made of null-prototype objects: a write copies only the
// objects along its path, so the previous tree (still serving requests) is never changed.
type Tree = Record<string, unknown>;

const hasOwn = (o: object, k: string): boolean => Object.prototype.hasOwnProperty.call(o, k);
const isObject = (v: unknown): v is Tree => typeof v === "object" && v !== null && !Array.isArray(v);

/** A bundle root or data folder ("a/b", "" for everything) as path segments. */
export function rootSegments(root: string): string[] {
  return root.split("/").filter((s) => s !== "");
}

/** True when one path is a prefix of the other (they overlap). */
export function overlaps(a: readonly string[], b: readonly string[]): boolean {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return false;
  return true;
}

export function getIn(tree: unknown, path: readonly string[]): unknown {
  let v = tree;
  for (const seg of path) {
    if (!isObject(v) || !hasOwn(v, seg)) return undefined;
    v = v[seg];
  }
  return v;
}

function shallowCopy(o: unknown): Tree {
  const out = Object.create(null) as Tree;
  if (isObject(o)) for (const k of Object.keys(o)) out[k] = o[k];
  return out;
}

/** A new tree with `value` at `path`; missing or non-object parents become objects. */
export function setIn(tree: Tree, path: readonly string[], value: unknown): Tree {
  if (path.length === 0) return value as Tree;
  const [head, ...rest] = path as [string, ...string[]];
  const out = shallowCopy(tree);
  out[head] =
    rest.length === 0 ? value : setIn(hasOwn(tree, head) && isObject(tree[head]) ? tree[head] : {}, rest, value);
  return out;
}

/** A new tree without the document at `path` (unchanged when absent). */
export function deleteIn(tree: Tree, path: readonly string[]): Tree {
  if (path.length === 0 || getIn(tree, path) === undefined) return tree;
  const [head, ...rest] = path as [string, ...string[]];
  const out = shallowCopy(tree);
  if (rest.length === 0) delete out[head];
  else out[head] = deleteIn(out[head] as Tree, rest);
  return out;
}
