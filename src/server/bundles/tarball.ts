// Bundle tarballs: a safe in-memory reader (nothing is ever extracted to disk) and a
// deterministic writer (same files in, same bytes out).
import { createGunzip, gzipSync } from "node:zlib";
import { extract, pack } from "tar-stream";
import { BundleError, type BundleLimits } from "./common.js";

/** Every header written gets this mtime, so builds do not depend on when they ran. */
const FIXED_MTIME = new Date(0);
/** Tar headers and padding around each entry, allowed on top of the file bytes themselves. */
const PER_ENTRY_OVERHEAD = 1024;
const MAX_PATH_LENGTH = 4096;

/**
 * Checks a path from a tarball (or a folder) and returns it in canonical form: relative,
 * `/`-separated, without a leading `./` or a trailing `/`. The bundle root itself is "".
 */
export function checkEntryPath(raw: string): string {
  const bad = (why: string): never => {
    throw new BundleError(`entry ${JSON.stringify(raw)}: ${why}`);
  };
  if (raw.length > MAX_PATH_LENGTH) bad(`path longer than ${MAX_PATH_LENGTH} characters`);
  if (/[\u0000-\u001f\u007f]/.test(raw)) bad("control characters (such as NUL) in the path");
  if (raw.includes("\\")) bad("backslashes are not allowed in paths");
  if (raw.startsWith("/")) bad("absolute paths are not allowed");
  if (/^[A-Za-z]:/.test(raw)) bad("drive-letter paths are not allowed");
  const segments = raw.split("/");
  while (segments[0] === "." && segments.length > 1) segments.shift();
  if (segments.length === 1 && segments[0] === ".") return "";
  if (segments[segments.length - 1] === "") segments.pop(); // a folder's trailing slash
  for (const s of segments) {
    if (s === "..") bad("'..' would leave the bundle root");
    if (s === "" || s === ".") bad("empty or '.' path segments are not allowed");
  }
  return segments.join("/");
}

/** Gunzips and reads a bundle tarball, enforcing `limits` while it decompresses. */
export async function readTarGz(bytes: Uint8Array, limits: BundleLimits): Promise<Map<string, Buffer>> {
  if (bytes.byteLength > limits.maxArchiveBytes)
    throw new BundleError(`archive is ${bytes.byteLength} bytes, over the limit of ${limits.maxArchiveBytes}`);
  const tarBytes = await gunzipBounded(bytes, limits.maxTotalBytes + (limits.maxEntries + 2) * PER_ENTRY_OVERHEAD);
  return readTar(tarBytes, limits);
}

/** Streams through zlib counting output bytes, and stops as soon as there are too many. */
function gunzipBounded(bytes: Uint8Array, maxBytes: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const gunzip = createGunzip();
    const chunks: Buffer[] = [];
    let total = 0;
    let settled = false;
    const fail = (err: BundleError) => {
      if (settled) return;
      settled = true;
      gunzip.destroy();
      reject(err);
    };
    gunzip.on("data", (chunk: Buffer) => {
      total += chunk.length;
      if (total > maxBytes) fail(new BundleError(`archive decompresses to more than ${maxBytes} bytes`));
      else chunks.push(chunk);
    });
    gunzip.on("error", (err) => fail(new BundleError(`not a valid .tar.gz: ${err.message}`)));
    gunzip.on("end", () => {
      if (settled) return;
      settled = true;
      resolve(Buffer.concat(chunks, total));
    });
    gunzip.end(bytes);
  });
}

async function readTar(tarBytes: Buffer, limits: BundleLimits): Promise<Map<string, Buffer>> {
  const files = new Map<string, Buffer>();
  const dirs = new Set<string>();
  let entries = 0;
  let total = 0;
  const ex = extract();
  ex.end(tarBytes);
  try {
    for await (const entry of ex) {
      const h = entry.header;
      if (++entries > limits.maxEntries) throw new BundleError(`more than ${limits.maxEntries} entries`);
      const path = checkEntryPath(h.name);
      if (h.type === "directory") {
        for await (const _ of entry); // directories carry no data, but the stream must drain
        if (path !== "" && (dirs.has(path) || files.has(path))) throw new BundleError(`duplicate entry '${path}'`);
        dirs.add(path);
        continue;
      }
      if (h.type !== "file")
        throw new BundleError(
          `entry '${h.name}': ${h.type ?? "unknown"} entries are not allowed (only files and folders)`,
        );
      if (path === "") throw new BundleError(`entry '${h.name}': a file cannot be the bundle root`);
      if (files.has(path) || dirs.has(path)) throw new BundleError(`duplicate entry '${path}'`);
      const size = h.size ?? 0;
      if (size > limits.maxFileBytes)
        throw new BundleError(`file '${path}' is ${size} bytes, over the limit of ${limits.maxFileBytes}`);
      total += size;
      if (total > limits.maxTotalBytes)
        throw new BundleError(`files add up to more than the limit of ${limits.maxTotalBytes} bytes`);
      const chunks: Buffer[] = [];
      let read = 0;
      for await (const chunk of entry) {
        read += (chunk as Buffer).length;
        if (read > size) throw new BundleError(`file '${path}' is longer than its header says`);
        chunks.push(chunk as Buffer);
      }
      files.set(path, Buffer.concat(chunks, read));
    }
  } catch (err) {
    if (err instanceof BundleError) throw err;
    throw new BundleError(`not a valid tar archive: ${(err as Error).message}`);
  }
  // A file may not also be a folder of other entries (`a` and `a/b`).
  for (const path of [...files.keys(), ...dirs]) {
    for (let i = path.indexOf("/"); i !== -1; i = path.indexOf("/", i + 1)) {
      if (files.has(path.slice(0, i))) throw new BundleError(`'${path.slice(0, i)}' is both a file and a folder`);
    }
  }
  return files;
}

/**
 * Writes files as a gzipped tarball, deterministically: entries sorted by path, fixed mtime,
 * owner and mode, no folder entries, and a gzip header without time or OS.
 */
export async function writeTarGz(files: ReadonlyMap<string, Uint8Array>): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const collected = (async () => {
    for await (const chunk of p) chunks.push(chunk as Buffer);
  })();
  const paths = [...files.keys()].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  for (const path of paths) {
    if (checkEntryPath(path) !== path || path === "") throw new BundleError(`cannot write entry '${path}'`);
    const data = Buffer.from(files.get(path)!);
    await new Promise<void>((resolve, reject) => {
      p.entry(
        {
          name: path,
          type: "file",
          size: data.length,
          mode: 0o644,
          mtime: FIXED_MTIME,
          uid: 0,
          gid: 0,
          uname: "",
          gname: "",
        },
        data,
        (err) => (err ? reject(err) : resolve()),
      );
    });
  }
  p.finalize();
  await collected;
  const gz = gzipSync(Buffer.concat(chunks), { level: 9 });
  gz[9] = 0xff; // the header's OS byte: "unknown", so the bytes do not depend on the platform
  return gz;
}
