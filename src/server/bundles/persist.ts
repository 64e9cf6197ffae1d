// The last activated bundle of a remote source, kept on disk: the raw `.tar.gz` and its ETag,
// in `<persistence_dir>/<encoded name>/`. Written atomically (temporary file + rename).
import { randomBytes } from "node:crypto";
import { mkdir, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { sha256Hex } from "./signing.js";

const ARCHIVE = "bundle.tar.gz";
const META = "bundle.json";

export interface PersistedBundle {
  readonly bytes: Buffer;
  /** The ETag it was served with; "" when unknown. */
  readonly etag: string;
}

/** A folder name for any bundle name: letters, digits and `-` stay; anything else becomes `_xxxx`. */
export function persistFolderName(name: string): string {
  return name.replace(/[^A-Za-z0-9-]/g, (c) => "_" + c.charCodeAt(0).toString(16).padStart(4, "0"));
}

export async function savePersisted(root: string, name: string, bundle: PersistedBundle): Promise<void> {
  const dir = join(root, persistFolderName(name));
  await mkdir(dir, { recursive: true, mode: 0o700 });
  await writeAtomic(join(dir, ARCHIVE), bundle.bytes);
  const meta = { etag: bundle.etag, sha256: sha256Hex(bundle.bytes), saved_at: new Date().toISOString() };
  await writeAtomic(join(dir, META), JSON.stringify(meta, null, 2) + "\n");
}

/** The persisted bundle, or null when there is none. An ETag that does not match the bytes is dropped. */
export async function loadPersisted(root: string, name: string): Promise<PersistedBundle | null> {
  const dir = join(root, persistFolderName(name));
  let bytes: Buffer;
  try {
    bytes = await readFile(join(dir, ARCHIVE));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === "ENOENT") return null;
    throw err;
  }
  let etag = "";
  try {
    const meta = JSON.parse(await readFile(join(dir, META), "utf8")) as { etag?: unknown; sha256?: unknown };
    if (typeof meta.etag === "string" && meta.sha256 === sha256Hex(bytes)) etag = meta.etag;
  } catch {
    // No metadata (or a torn write): the bytes are still the last good bundle, just without an ETag.
  }
  return { bytes, etag };
}

async function writeAtomic(file: string, data: string | Buffer): Promise<void> {
  const tmp = `${file}.${process.pid}.${randomBytes(4).toString("hex")}.tmp`;
  try {
    await writeFile(tmp, data, { mode: 0o600 });
    await rename(tmp, file);
  } catch (err) {
    await rm(tmp, { force: true });
    throw err;
  }
}
