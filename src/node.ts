// The Node entry point: reading policy and data files from disk, and the Node crypto platform.
// Layout rules (shared with bundles): every `*.verdict` file below a path is a policy; a file
// named `data.json` (or `data.yaml`) holds the document at its folder's path below `data`.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { basename, dirname, join, relative, sep } from "node:path";
import YAML from "yaml";
import { compile as compileSources, type CompileOptions, type CompileResult, type SourceFile } from "./index.js";
import { nodePlatform } from "./node/platform.js";

export * from "./index.js";
export { nodePlatform } from "./node/platform.js";

export interface LoadedFiles {
  readonly sources: SourceFile[];
  /** The merged base data from every data file found. */
  readonly data: Record<string, unknown>;
}

const DATA_FILES = new Set(["data.json", "data.yaml", "data.yml"]);

export interface LoadOptions {
  /** Also load `*_test.verdict` files (default true; the server leaves them out). */
  readonly tests?: boolean;
}

/** Finds policies and data files below each path (a file or a directory), in a stable order. */
export function loadFiles(paths: readonly string[], options: LoadOptions = {}): LoadedFiles {
  const sources: SourceFile[] = [];
  const data: Record<string, unknown> = {};
  const skip = (file: string) => options.tests === false && file.endsWith("_test.verdict");
  for (const root of paths) {
    for (const file of walk(root)) {
      if (file.endsWith(".verdict")) {
        if (!skip(file)) sources.push({ file, source: readFileSync(file, "utf8") });
      } else if (DATA_FILES.has(basename(file))) {
        const rel = relative(statSync(root).isDirectory() ? root : dirname(root), dirname(file));
        const at = rel === "" ? [] : rel.split(sep);
        mergeAt(data, at, readDocument(file));
      }
    }
  }
  return { sources, data };
}

/** A policy, data or input file that cannot be read as what it should be. */
export class DocumentError extends Error {
  override name = "DocumentError";
}

/** Reads a JSON or YAML document. */
export function readDocument(file: string): unknown {
  const text = readFileSync(file, "utf8");
  try {
    return file.endsWith(".yaml") || file.endsWith(".yml") ? YAML.parse(text) : JSON.parse(text);
  } catch (err) {
    throw new DocumentError(
      `${file}: not valid ${file.endsWith(".json") ? "JSON" : "YAML"}: ${(err as Error).message}`,
    );
  }
}

/** Policies, data files and extra data documents compiled with Node's crypto available. */
export function compileFiles(
  paths: readonly string[],
  options: CompileOptions & { extraData?: readonly unknown[] } = {},
): CompileResult & { data: unknown } {
  const loaded = loadFiles(paths);
  const data = loaded.data;
  for (const extra of options.extraData ?? []) mergeAt(data, [], extra);
  const result = compileSources(loaded.sources, { platform: nodePlatform, ...options, data });
  return { ...result, data };
}

function* walk(path: string): Generator<string> {
  const st = statSync(path);
  if (!st.isDirectory()) {
    yield path;
    return;
  }
  const entries = readdirSync(path, { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1));
  for (const e of entries) {
    if (e.name.startsWith(".") || e.name === "node_modules") continue;
    const full = join(path, e.name);
    if (e.isDirectory()) yield* walk(full);
    else if (e.isFile()) yield full;
  }
}

/** Merges `doc` into `target` at `path`; objects merge key by key, anything else replaces. */
export function mergeAt(target: Record<string, unknown>, path: readonly string[], doc: unknown): void {
  let t = target;
  for (const seg of path) {
    const next = Object.prototype.hasOwnProperty.call(t, seg) ? t[seg] : undefined;
    if (typeof next !== "object" || next === null || Array.isArray(next)) {
      defineKey(t, seg, Object.create(null));
    }
    t = t[seg] as Record<string, unknown>;
  }
  if (typeof doc !== "object" || doc === null || Array.isArray(doc))
    throw new DocumentError(`data at '${path.join(".") || "data"}' must be an object`);
  for (const [k, v] of Object.entries(doc)) {
    const existing = Object.prototype.hasOwnProperty.call(t, k) ? t[k] : undefined;
    if (isPlainObject(existing) && isPlainObject(v)) mergeAt(t, [k], v);
    else defineKey(t, k, v);
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** Sets an own property even for keys like `__proto__`. */
function defineKey(o: Record<string, unknown>, k: string, v: unknown): void {
  Object.defineProperty(o, k, { value: v, enumerable: true, writable: true, configurable: true });
}
