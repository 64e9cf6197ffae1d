// The server configuration's `bundles` section (and `persistence_dir`): its JSON Schema, its
// type, and the checks and defaults applied when sources start.
import { fileURLToPath } from "node:url";
import { redactUrl } from "../redact.js";
import { resolveLimits, type BundleLimits } from "./common.js";
import { signingAlgorithms, type BundleSigningConfig } from "./signing.js";

export interface BundlePollingConfig {
  /** Successful polls repeat after a random delay between min and max. Defaults 60 and 120. */
  readonly min_delay_seconds?: number;
  readonly max_delay_seconds?: number;
  /** After a failure, retry after min × 2^n (±20% jitter), at most max. Defaults 1 and max_delay_seconds. */
  readonly backoff_min_delay_seconds?: number;
  readonly backoff_max_delay_seconds?: number;
  /** One request's time limit, body included. Default 30. */
  readonly timeout_seconds?: number;
}

export interface BundleSourceConfig {
  /** `http(s)://…` to poll a bundle server; otherwise a local folder or `.tar.gz` (or `file://` URL). */
  readonly resource: string;
  readonly polling?: BundlePollingConfig;
  /** Verify `.signatures.json`; bundles without a valid signature are refused. */
  readonly signing?: BundleSigningConfig;
  /** Remote only: keep the last activated tarball in `persistence_dir` and fall back to it at start. */
  readonly persist?: boolean;
  /** Local only: reload when the files change. */
  readonly watch?: boolean;
  /** Remote only: extra request headers (e.g. `Authorization`). */
  readonly headers?: Readonly<Record<string, string>>;
  /** Largest compressed tarball accepted (download or file). Default 64 MiB. */
  readonly size_limit_bytes?: number;
  readonly limits?: {
    readonly max_entries?: number;
    readonly max_file_bytes?: number;
    readonly max_total_bytes?: number;
  };
}

/** The `bundles` section: bundle name → source. */
export type BundlesConfig = Readonly<Record<string, BundleSourceConfig>>;

const positive = { type: "number", exclusiveMinimum: 0 } as const;
const positiveInt = { type: "integer", minimum: 1 } as const;

/** JSON Schema (draft-07 / 2019-09 / 2020-12 compatible) for the `bundles` section. */
export const bundleConfigSchema = {
  type: "object",
  propertyNames: { type: "string", minLength: 1 },
  additionalProperties: {
    type: "object",
    required: ["resource"],
    additionalProperties: false,
    properties: {
      resource: { type: "string", minLength: 1 },
      polling: {
        type: "object",
        additionalProperties: false,
        properties: {
          min_delay_seconds: positive,
          max_delay_seconds: positive,
          backoff_min_delay_seconds: positive,
          backoff_max_delay_seconds: positive,
          timeout_seconds: positive,
        },
      },
      signing: {
        type: "object",
        required: ["algorithm"],
        additionalProperties: false,
        properties: {
          algorithm: { enum: [...signingAlgorithms] },
          keyid: { type: "string" },
          key: { type: "string", minLength: 1 },
          secret: { type: "string", minLength: 1 },
          scope: { type: "string" },
        },
      },
      persist: { type: "boolean" },
      watch: { type: "boolean" },
      headers: { type: "object", additionalProperties: { type: "string" } },
      size_limit_bytes: positiveInt,
      limits: {
        type: "object",
        additionalProperties: false,
        properties: { max_entries: positiveInt, max_file_bytes: positiveInt, max_total_bytes: positiveInt },
      },
    },
  },
} as const;

/** Schema properties to spread into the server configuration's top-level `properties`. */
export const bundleConfigProperties = {
  bundles: bundleConfigSchema,
  /** Where persisted bundles are kept; default `.verdict/bundles` below the working directory. */
  persistence_dir: { type: "string", minLength: 1 },
} as const;

export interface ResolvedPolling {
  readonly minDelayMs: number;
  readonly maxDelayMs: number;
  readonly backoffMinMs: number;
  readonly backoffMaxMs: number;
  readonly timeoutMs: number;
}

export type ResolvedSource =
  | { readonly kind: "local"; readonly name: string; readonly path: string; readonly watch: boolean }
  | {
      readonly kind: "remote";
      readonly name: string;
      readonly url: string;
      readonly polling: ResolvedPolling;
      readonly persist: boolean;
      readonly headers: Readonly<Record<string, string>>;
    };

/** Applies defaults and checks what the schema cannot (delay order, options that do not apply). */
export function resolveSource(name: string, cfg: BundleSourceConfig): ResolvedSource & { limits: BundleLimits } {
  const fail = (msg: string): never => {
    throw new Error(redactUrl(`bundles.${name}: ${msg}`));
  };
  const limits = resolveLimits({
    ...(cfg.size_limit_bytes !== undefined ? { maxArchiveBytes: cfg.size_limit_bytes } : {}),
    ...(cfg.limits?.max_entries !== undefined ? { maxEntries: cfg.limits.max_entries } : {}),
    ...(cfg.limits?.max_file_bytes !== undefined ? { maxFileBytes: cfg.limits.max_file_bytes } : {}),
    ...(cfg.limits?.max_total_bytes !== undefined ? { maxTotalBytes: cfg.limits.max_total_bytes } : {}),
  });
  const resource = cfg.resource;
  if (typeof resource !== "string" || resource === "") fail("'resource' is required");
  if (/^https?:\/\//i.test(resource)) {
    if (cfg.watch) fail("'watch' applies to local resources only");
    const p = cfg.polling ?? {};
    const minDelayMs = seconds(p.min_delay_seconds ?? 60);
    const maxDelayMs = seconds(p.max_delay_seconds ?? Math.max(120, p.min_delay_seconds ?? 0));
    const backoffMaxMs = seconds(p.backoff_max_delay_seconds ?? maxDelayMs / 1000);
    const backoffMinMs = seconds(p.backoff_min_delay_seconds ?? Math.min(1, backoffMaxMs / 1000));
    const timeoutMs = seconds(p.timeout_seconds ?? 30);
    if (minDelayMs > maxDelayMs) fail("polling.min_delay_seconds is greater than max_delay_seconds");
    if (backoffMinMs > backoffMaxMs)
      fail("polling.backoff_min_delay_seconds is greater than backoff_max_delay_seconds");
    for (const v of [minDelayMs, maxDelayMs, backoffMinMs, backoffMaxMs, timeoutMs])
      if (!(v > 0) || !Number.isFinite(v)) fail("polling delays must be positive numbers");
    return {
      kind: "remote",
      name,
      url: resource,
      polling: { minDelayMs, maxDelayMs, backoffMinMs, backoffMaxMs, timeoutMs },
      persist: cfg.persist ?? false,
      headers: cfg.headers ?? {},
      limits,
    };
  }
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(resource) && !resource.startsWith("file://"))
    fail(`unsupported resource scheme in '${resource}' (use http, https, file or a path)`);
  if (cfg.persist) fail("'persist' applies to remote (http/https) resources only");
  if (cfg.polling) fail("'polling' applies to remote (http/https) resources only");
  if (cfg.headers) fail("'headers' applies to remote (http/https) resources only");
  const path = resource.startsWith("file://") ? fileURLToPath(resource) : resource;
  return { kind: "local", name, path, watch: cfg.watch ?? false, limits };
}

function seconds(s: number): number {
  return s * 1000;
}

/** Sources for plain paths, as `verdict run -b PATH [--watch]` would configure them (named by path). */
export function localBundleConfigs(paths: readonly string[], watch = false): BundlesConfig {
  const out: Record<string, BundleSourceConfig> = {};
  for (const p of paths) out[p] = { resource: p, ...(watch ? { watch } : {}) };
  return out;
}
