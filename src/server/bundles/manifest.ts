// The `.manifest` file: a bundle's revision and the data roots it owns, and the checks that
// keep a bundle's data and packages inside those roots.
import { BundleError } from "./common.js";

export const MANIFEST_FILE = ".manifest";

export interface Manifest {
  readonly revision: string;
  /** Normalised roots: `/`-separated data paths without leading or trailing `/`; "" owns everything. */
  readonly roots: readonly string[];
  /** Any other fields of the file (e.g. `metadata`), kept as they were so `build` preserves them. */
  readonly extra: Readonly<Record<string, unknown>>;
}

export const emptyManifest: Manifest = { revision: "", roots: [""], extra: {} };

const utf8 = new TextDecoder("utf-8", { fatal: true });

/** Decodes UTF-8 text, rejecting malformed bytes instead of replacing them. */
export function decodeText(bytes: Uint8Array, file: string): string {
  try {
    return utf8.decode(bytes);
  } catch {
    throw new BundleError(`${file}: not valid UTF-8`);
  }
}

export function parseManifest(bytes: Uint8Array | undefined): Manifest {
  if (bytes === undefined) return emptyManifest;
  let doc: unknown;
  try {
    doc = JSON.parse(decodeText(bytes, MANIFEST_FILE));
  } catch (err) {
    throw err instanceof BundleError
      ? err
      : new BundleError(`${MANIFEST_FILE}: not valid JSON: ${(err as Error).message}`);
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw new BundleError(`${MANIFEST_FILE}: must be a JSON object`);
  const { revision = "", roots = [""], ...extra } = doc as Record<string, unknown>;
  if (typeof revision !== "string") throw new BundleError(`${MANIFEST_FILE}: 'revision' must be a string`);
  if (!Array.isArray(roots) || !roots.every((r) => typeof r === "string"))
    throw new BundleError(`${MANIFEST_FILE}: 'roots' must be an array of strings`);
  return { revision, roots: normalizeRoots(roots as string[]), extra };
}

/** Trims slashes, rejects empty segments, duplicates and overlapping roots (`a` and `a/b`). */
export function normalizeRoots(roots: readonly string[]): string[] {
  const out = roots.map((r) => {
    const trimmed = r.replace(/^\/+|\/+$/g, "");
    if (trimmed.split("/").some((s) => s === "") && trimmed !== "")
      throw new BundleError(`${MANIFEST_FILE}: root '${r}' has an empty path segment`);
    return trimmed;
  });
  for (let i = 0; i < out.length; i++) {
    for (let j = i + 1; j < out.length; j++) {
      const a = segments(out[i]!);
      const b = segments(out[j]!);
      if (isPrefix(a, b) || isPrefix(b, a))
        throw new BundleError(`${MANIFEST_FILE}: roots '${out[i]}' and '${out[j]}' overlap`);
    }
  }
  return out;
}

/** The manifest as `build` writes it: revision, roots, then any other fields in their order. */
export function serializeManifest(m: Manifest): string {
  return JSON.stringify({ revision: m.revision, roots: m.roots, ...m.extra }, null, 2) + "\n";
}

function segments(root: string): string[] {
  return root === "" ? [] : root.split("/");
}

function isPrefix(prefix: readonly string[], path: readonly string[]): boolean {
  return prefix.length <= path.length && prefix.every((s, i) => s === path[i]);
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** True when some root owns the data path `path`. */
export function ownedByRoots(path: readonly string[], roots: readonly string[]): boolean {
  return roots.some((r) => isPrefix(segments(r), path));
}

/** Every value in `data` must sit at or below one of the roots. */
export function checkDataInRoots(data: Record<string, unknown>, roots: readonly string[]): void {
  const rootPaths = roots.map(segments);
  const visit = (value: unknown, path: string[]): void => {
    if (rootPaths.some((r) => isPrefix(r, path))) return;
    if (isPlainObject(value) && rootPaths.some((r) => isPrefix(path, r))) {
      for (const [k, v] of Object.entries(value)) visit(v, [...path, k]);
      return;
    }
    throw new BundleError(`data path '${path.join("/")}' is outside the manifest roots (${describeRoots(roots)})`);
  };
  visit(data, []);
}

export function describeRoots(roots: readonly string[]): string {
  return roots.length === 0 ? "none" : roots.map((r) => (r === "" ? '""' : r)).join(", ");
}
