// Shared pieces of the bundle readers and sources: the error type, size limits, the logger.

/** Anything wrong with a bundle's bytes, layout, manifest or signature. Never thrown for I/O bugs. */
export class BundleError extends Error {
  override readonly name = "BundleError";
}

/** Bounds on what a bundle may unpack to. Checked while reading, before anything is kept. */
export interface BundleLimits {
  /** Most entries (files and folders) in a tarball, or files in a folder. */
  readonly maxEntries: number;
  /** Largest single file, uncompressed. */
  readonly maxFileBytes: number;
  /** Largest sum of all files, uncompressed. */
  readonly maxTotalBytes: number;
  /** Largest compressed tarball (a download or a file on disk). */
  readonly maxArchiveBytes: number;
}

export const MiB = 1024 * 1024;

export const defaultLimits: BundleLimits = {
  maxEntries: 10_000,
  maxFileBytes: 32 * MiB,
  maxTotalBytes: 256 * MiB,
  maxArchiveBytes: 64 * MiB,
};

export function resolveLimits(partial: Partial<BundleLimits> | undefined): BundleLimits {
  const limits = { ...defaultLimits, ...partial };
  for (const [k, v] of Object.entries(limits))
    if (!Number.isSafeInteger(v) || v <= 0) throw new Error(`bundle limit ${k} must be a positive integer`);
  return limits;
}

/** What bundle sources log through; fastify's logger fits. */
export interface BundleLogger {
  info(msg: string): void;
  warn(msg: string): void;
  error(msg: string): void;
}

export function errorMessage(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
