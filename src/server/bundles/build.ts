// `verdict build`: a folder of policies and data files to a deterministic (and optionally
// signed) bundle tarball, checked the way the server will read it.
import { randomBytes } from "node:crypto";
import { rename, rm, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { compile, type SourceFile } from "../../index.js";
import type { Diagnostic } from "../../lang/diagnostics.js";
import { BundleError, resolveLimits, type BundleLimits } from "./common.js";
import { MANIFEST_FILE, normalizeRoots, parseManifest, serializeManifest } from "./manifest.js";
import { bundleFromFiles, readBundleDir } from "./read.js";
import { loadSigningKey, SIGNATURES_FILE, signFiles, type SigningAlgorithm } from "./signing.js";
import { writeTarGz } from "./tarball.js";

export interface BuildBundleOptions {
  /** Overrides the `revision` of the folder's `.manifest` (default ""). */
  readonly revision?: string;
  /** Overrides the `roots` of the folder's `.manifest` (default [""], everything). */
  readonly roots?: readonly string[];
  /** Signs the bundle: a PEM private key file (RS256, ES256) or a file holding the secret (HS256). */
  readonly signingKey?: string;
  /** Default RS256, as `opa build`. */
  readonly signingAlg?: SigningAlgorithm;
  /** Written as the JWT `kid` header and the payload's `keyid`. */
  readonly keyid?: string;
  readonly limits?: Partial<BundleLimits>;
}

/** The policies do not compile: every diagnostic, and the sources to print them against. */
export class BundleBuildError extends Error {
  constructor(
    message: string,
    readonly diagnostics: readonly Diagnostic[],
    readonly sources: readonly SourceFile[],
  ) {
    super(message);
  }
}

/** Builds the bundle for `dir` and returns the `.tar.gz` bytes: the same input gives the same bytes. */
export async function buildBundleBytes(dir: string, opts: BuildBundleOptions = {}): Promise<Buffer> {
  const limits = resolveLimits(opts.limits);
  if (!(await stat(dir)).isDirectory()) throw new BundleError(`${dir} is not a folder`);
  const files = await readBundleDir(dir, limits);
  files.delete(SIGNATURES_FILE); // a stale signature from an earlier build would not match
  const base = parseManifest(files.get(MANIFEST_FILE));
  const manifest = {
    revision: opts.revision ?? base.revision,
    roots: opts.roots ? normalizeRoots(opts.roots) : base.roots,
    extra: base.extra,
  };
  files.set(MANIFEST_FILE, Buffer.from(serializeManifest(manifest)));

  // Check the bundle the way the server will read it (layout, data, roots), then compile it.
  const bundle = await bundleFromFiles(dir, files);
  const sources = bundle.policies.map((p) => ({ file: join(dir, p.path), source: p.source }));
  const result = compile(sources);
  const errors = result.diagnostics.filter((d) => d.severity === "error");
  if (errors.length > 0)
    throw new BundleBuildError(
      `${errors.length} error${errors.length === 1 ? "" : "s"} in the policies`,
      result.diagnostics,
      sources,
    );

  if (opts.signingKey !== undefined) {
    const alg = opts.signingAlg ?? "RS256";
    const key = loadSigningKey(opts.signingKey, alg);
    files.set(SIGNATURES_FILE, Buffer.from(await signFiles(files, key, alg, opts.keyid)));
  }
  return writeTarGz(files);
}

/** Builds the bundle for `dir` and writes it to `outFile` (atomically: temporary file, then rename). */
export async function buildBundle(dir: string, outFile: string, opts: BuildBundleOptions = {}): Promise<void> {
  const bytes = await buildBundleBytes(dir, opts);
  const tmp = `${outFile}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, bytes);
    await rename(tmp, outFile);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
