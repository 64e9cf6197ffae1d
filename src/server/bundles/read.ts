// From bytes to a Bundle: a folder or a .tar.gz becomes a map of files, which is verified,
// then split into policies, data documents (by folder path, as `src/node.ts` lays them out)
// and the manifest.
import type { Dirent } from "node:fs";
import { readdir, readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import YAML from "yaml";
import { parseModule } from "../../lang/parse.js";
import { mergeAt } from "../../node.js";
import type { Bundle } from "../contracts.js";
import { BundleError, errorMessage, resolveLimits, type BundleLimits } from "./common.js";
import { checkDataInRoots, decodeText, describeRoots, MANIFEST_FILE, ownedByRoots, parseManifest } from "./manifest.js";
import {
  loadVerificationKey,
  SIGNATURES_FILE,
  verifyFiles,
  type BundleSigningConfig,
  type VerificationKey,
} from "./signing.js";
import { readTarGz } from "./tarball.js";

export const DATA_FILES: ReadonlySet<string> = new Set(["data.json", "data.yaml", "data.yml"]);
export const POLICY_EXTENSION = ".verdict";

export interface ReadBundleOptions {
  /** The bundle's name in logs and /health; defaults to the path. */
  readonly name?: string;
  /** Verify `.signatures.json` with this key; without it, signatures are not checked. */
  readonly signing?: BundleSigningConfig;
  readonly limits?: Partial<BundleLimits>;
}

/** Reads a bundle folder or `.tar.gz` file, verifying it when `signing` is given. */
export async function readBundle(path: string, opts: ReadBundleOptions = {}): Promise<Bundle> {
  const limits = resolveLimits(opts.limits);
  const verify = opts.signing ? loadVerificationKey(opts.signing) : undefined;
  const files = await readBundlePath(path, limits);
  return bundleFromFiles(opts.name ?? path, files, verify);
}

/** The files of a bundle folder or `.tar.gz` file on disk. */
export async function readBundlePath(path: string, limits: BundleLimits): Promise<Map<string, Buffer>> {
  const st = await stat(path);
  if (st.isDirectory()) return readBundleDir(path, limits);
  if (st.size > limits.maxArchiveBytes)
    throw new BundleError(`${path} is ${st.size} bytes, over the limit of ${limits.maxArchiveBytes}`);
  return readTarGz(await readFile(path), limits);
}

/** Bytes of a `.tar.gz` to a Bundle. */
export async function bundleFromArchive(
  name: string,
  bytes: Uint8Array,
  limits: BundleLimits,
  verify?: VerificationKey,
): Promise<Bundle> {
  return bundleFromFiles(name, await readTarGz(bytes, limits), verify);
}

/**
 * The files of a folder that belong in a bundle: every `*.verdict` file and data file, plus
 * `.manifest` and `.signatures.json` at the top. Like `loadFiles`, it skips dot-files,
 * dot-folders, node_modules and anything that is not a regular file (symlinks included).
 */
export async function readBundleDir(dir: string, limits: BundleLimits): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  let total = 0;
  const visit = async (abs: string, rel: string): Promise<void> => {
    const entries: Dirent[] = await readdir(abs, { withFileTypes: true });
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      const relPath = rel === "" ? e.name : `${rel}/${e.name}`;
      const atTop = rel === "" && (e.name === MANIFEST_FILE || e.name === SIGNATURES_FILE);
      if ((e.name.startsWith(".") && !atTop) || e.name === "node_modules") continue;
      if (e.isDirectory()) {
        await visit(join(abs, e.name), relPath);
        continue;
      }
      if (!e.isFile() || !(atTop || e.name.endsWith(POLICY_EXTENSION) || DATA_FILES.has(e.name))) continue;
      if (files.size >= limits.maxEntries) throw new BundleError(`more than ${limits.maxEntries} files`);
      const bytes = await readFile(join(abs, e.name));
      if (bytes.length > limits.maxFileBytes)
        throw new BundleError(`file '${relPath}' is ${bytes.length} bytes, over the limit of ${limits.maxFileBytes}`);
      total += bytes.length;
      if (total > limits.maxTotalBytes)
        throw new BundleError(`files add up to more than the limit of ${limits.maxTotalBytes} bytes`);
      files.set(relPath, bytes);
    }
  };
  await visit(dir, "");
  return files;
}

/** Verifies (when a key is given) and interprets a bundle's files. */
export async function bundleFromFiles(
  name: string,
  files: ReadonlyMap<string, Uint8Array>,
  verify?: VerificationKey,
): Promise<Bundle> {
  if (verify) await verifyFiles(files, verify);
  const manifest = parseManifest(files.get(MANIFEST_FILE));
  const policies: { path: string; source: string }[] = [];
  const data: Record<string, unknown> = {};
  const paths = [...files.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const path of paths) {
    const bytes = files.get(path)!;
    const slash = path.lastIndexOf("/");
    const base = path.slice(slash + 1);
    if (path.endsWith(POLICY_EXTENSION)) {
      policies.push({ path, source: decodeText(bytes, path) });
    } else if (DATA_FILES.has(base)) {
      const doc = parseDocument(path, decodeText(bytes, path));
      try {
        mergeAt(data, slash === -1 ? [] : path.slice(0, slash).split("/"), doc);
      } catch (err) {
        throw new BundleError(`${path}: ${errorMessage(err)}`);
      }
    }
  }
  checkDataInRoots(data, manifest.roots);
  if (!manifest.roots.includes("")) {
    for (const p of policies) {
      const parsed = parseModule(p.source, p.path);
      // A policy that does not parse is reported by the compiler, with its location.
      if (parsed.module && !ownedByRoots(parsed.module.package.path, manifest.roots))
        throw new BundleError(
          `${p.path}: package ${parsed.module.package.path.join(".")} is outside the manifest roots (${describeRoots(manifest.roots)})`,
        );
    }
  }
  return { name, revision: manifest.revision, roots: manifest.roots, policies, data };
}

function parseDocument(path: string, text: string): unknown {
  const yaml = !path.endsWith(".json");
  try {
    return yaml ? YAML.parse(text) : JSON.parse(text);
  } catch (err) {
    throw new BundleError(`${path}: not valid ${yaml ? "YAML" : "JSON"}: ${errorMessage(err)}`);
  }
}
