// Server configuration: defaults < config file (YAML or JSON) < VERDICT_* environment
// variables < command-line flags, validated once with ajv at start-up. `redactConfig` is what
// `GET /v1/config` shows: the same document without secrets.
import { readFileSync } from "node:fs";
import { Ajv, type ErrorObject } from "ajv";
import YAML from "yaml";
import { MAX_DEPTH } from "../eval/input.js";
import { bundleConfigProperties, type BundlesConfig } from "./bundles/index.js";
import { decisionLogConfigSchema, type DecisionLogConfig } from "./decision-log/index.js";
import { redactUrl } from "./redact.js";

export { redactUrl } from "./redact.js";

/**
 * A configuration problem found only when a part starts (a TLS file that cannot be read):
 * reported like any invalid configuration (`verdict run` exits 2), never as a crash.
 */
export class ConfigurationError extends Error {
  override readonly name = "ConfigurationError";
}

export type LogLevel = "fatal" | "error" | "warn" | "info" | "debug" | "trace" | "silent";

export interface ServerConfig {
  /** host:port to listen on (":8181" = every interface). */
  readonly addr: string;
  /** Policy and data paths (files or directories) loaded at start. */
  readonly paths: readonly string[];
  /** Extra JSON/YAML documents merged at `data`. */
  readonly data_files: readonly string[];
  /** The decision `POST /` answers, as a slash path below data. */
  readonly default_decision: string;
  readonly log_level: LogLevel;
  /** What to do when an input breaks its package's declared schema. */
  readonly input_validation: "enforce" | "warn" | "off";
  readonly limits: {
    readonly max_body_bytes: number;
    readonly max_json_depth: number;
    readonly eval_max_steps: number;
    readonly eval_timeout_ms: number;
  };
  readonly auth: {
    readonly token?: string;
    readonly token_file?: string;
    readonly management_token?: string;
    readonly management_token_file?: string;
  };
  readonly tls?: { readonly cert_file: string; readonly key_file: string; readonly client_ca_file?: string };
  /** How long a graceful shutdown waits for in-flight requests and log flushing. */
  readonly shutdown_timeout_ms: number;
  /** Bundle sources by name (schema and semantics: src/server/bundles, docs/bundles.md). */
  readonly bundles?: BundlesConfig;
  /** Where remote bundles marked `persist` keep their last good copy. */
  readonly persistence_dir?: string;
  /** Decision-log sinks and masking (schema and semantics: src/server/decision-log). */
  readonly decision_logs?: DecisionLogConfig;
}

const positiveInt = (def: number, max?: number) => ({
  type: "integer",
  minimum: 1,
  default: def,
  ...(max ? { maximum: max } : {}),
});
const path = { type: "string", minLength: 1 };

export const configSchema = {
  type: "object",
  additionalProperties: false,
  properties: {
    addr: { type: "string", pattern: "^(\\[[0-9a-fA-F:.]+\\]|[^:\\s\\[\\]]*):[0-9]{1,5}$", default: "127.0.0.1:8181" },
    paths: { type: "array", items: path, default: [] },
    data_files: { type: "array", items: path, default: [] },
    default_decision: { type: "string", pattern: "^/?[^/]+(/[^/]+)*$", default: "system/main" },
    log_level: { enum: ["fatal", "error", "warn", "info", "debug", "trace", "silent"], default: "info" },
    input_validation: { enum: ["enforce", "warn", "off"], default: "enforce" },
    limits: {
      type: "object",
      additionalProperties: false,
      default: {},
      properties: {
        max_body_bytes: positiveInt(1024 * 1024),
        max_json_depth: positiveInt(256, MAX_DEPTH),
        eval_max_steps: positiveInt(10_000_000),
        eval_timeout_ms: positiveInt(500),
      },
    },
    auth: {
      type: "object",
      additionalProperties: false,
      default: {},
      properties: {
        token: { type: "string", minLength: 8 },
        token_file: path,
        management_token: { type: "string", minLength: 8 },
        management_token_file: path,
      },
    },
    tls: {
      type: "object",
      additionalProperties: false,
      required: ["cert_file", "key_file"],
      properties: { cert_file: path, key_file: path, client_ca_file: path },
    },
    shutdown_timeout_ms: positiveInt(10_000),
    ...bundleConfigProperties,
    decision_logs: decisionLogConfigSchema,
  },
} as const;

/** Environment variables and the config field each one sets. */
export const envVars: Readonly<Record<string, readonly [string, ...string[]]>> = {
  VERDICT_ADDR: ["addr"],
  VERDICT_DEFAULT_DECISION: ["default_decision"],
  VERDICT_LOG_LEVEL: ["log_level"],
  VERDICT_INPUT_VALIDATION: ["input_validation"],
  VERDICT_MAX_BODY_BYTES: ["limits", "max_body_bytes"],
  VERDICT_MAX_JSON_DEPTH: ["limits", "max_json_depth"],
  VERDICT_EVAL_MAX_STEPS: ["limits", "eval_max_steps"],
  VERDICT_EVAL_TIMEOUT_MS: ["limits", "eval_timeout_ms"],
  VERDICT_TOKEN: ["auth", "token"],
  VERDICT_TOKEN_FILE: ["auth", "token_file"],
  VERDICT_MANAGEMENT_TOKEN: ["auth", "management_token"],
  VERDICT_MANAGEMENT_TOKEN_FILE: ["auth", "management_token_file"],
  VERDICT_TLS_CERT_FILE: ["tls", "cert_file"],
  VERDICT_TLS_KEY_FILE: ["tls", "key_file"],
  VERDICT_TLS_CLIENT_CA_FILE: ["tls", "client_ca_file"],
};

export interface LoadOptions {
  /** A YAML or JSON config file. */
  readonly file?: string;
  readonly env?: Readonly<Record<string, string | undefined>>;
  /** Values from command-line flags (highest precedence), in the config's own shape. */
  readonly overrides?: Readonly<Record<string, unknown>>;
}

export type Loaded =
  { readonly ok: true; readonly config: ServerConfig } | { readonly ok: false; readonly errors: string[] };

/** Builds and validates the configuration; every problem is reported, each naming its source. */
export function loadConfig(options: LoadOptions = {}): Loaded {
  const doc = Object.create(null) as Record<string, unknown>;
  const origin = new Map<string, string>();
  if (options.file !== undefined) {
    let parsed: unknown;
    try {
      parsed = YAML.parse(readFileSync(options.file, "utf8"));
    } catch (err) {
      return { ok: false, errors: [`${options.file}: ${(err as Error).message}`] };
    }
    if (parsed !== null && parsed !== undefined && (typeof parsed !== "object" || Array.isArray(parsed)))
      return { ok: false, errors: [`${options.file}: the configuration must be a mapping (an object)`] };
    merge(doc, (parsed ?? {}) as Record<string, unknown>, [], options.file, origin);
  }
  for (const [name, at] of Object.entries(envVars)) {
    const raw = options.env?.[name];
    if (raw === undefined || raw === "") continue;
    setAt(doc, at, /^[0-9]+$/.test(raw) && at[0] === "limits" ? Number(raw) : raw);
    origin.set("/" + at.join("/"), `environment variable ${name}`);
  }
  if (options.overrides) merge(doc, options.overrides, [], "command-line flag", origin);

  const ajv = new Ajv({ allErrors: true, useDefaults: true, strict: false });
  if (!ajv.validate(configSchema, doc))
    return { ok: false, errors: (ajv.errors ?? []).map((e) => describe(e, origin, options.file)) };
  const config = doc as unknown as ServerConfig;
  const errors: string[] = [];
  if (parseAddr(config.addr).port > 65535)
    errors.push(`${origin.get("/addr") ?? "configuration"}: /addr port is above 65535`);
  const auth = { ...config.auth };
  for (const [key, fileKey] of [
    ["token", "token_file"],
    ["management_token", "management_token_file"],
  ] as const) {
    const file = auth[fileKey];
    if (file === undefined) continue;
    try {
      auth[key] = readFileSync(file, "utf8").trim();
      if (auth[key].length < 8) errors.push(`auth.${fileKey}: the token in ${file} is shorter than 8 characters`);
    } catch (err) {
      errors.push(`auth.${fileKey}: ${(err as Error).message}`);
    }
  }
  return errors.length ? { ok: false, errors } : { ok: true, config: { ...config, auth } };
}

function describe(e: ErrorObject, origin: ReadonlyMap<string, string>, file?: string): string {
  const where = e.instancePath || "(top level)";
  const extra =
    e.keyword === "additionalProperties"
      ? ` '${String((e.params as { additionalProperty?: string }).additionalProperty)}'`
      : e.keyword === "enum"
        ? `: ${(e.params as { allowedValues?: unknown[] }).allowedValues?.join(", ")}`
        : "";
  const from = origin.get(e.instancePath) ?? file ?? "configuration";
  return `${from}: ${where} ${e.message ?? "is invalid"}${extra}`;
}

function merge(
  target: Record<string, unknown>,
  source: Readonly<Record<string, unknown>>,
  at: readonly string[],
  from: string,
  origin: Map<string, string>,
): void {
  for (const k of Object.keys(source)) {
    const v = source[k];
    if (v === undefined) continue;
    const here = [...at, k];
    const existing = Object.prototype.hasOwnProperty.call(target, k) ? target[k] : undefined;
    if (isObject(v) && isObject(existing)) merge(existing, v, here, from, origin);
    else if (isObject(v)) {
      const fresh = Object.create(null) as Record<string, unknown>;
      merge(fresh, v, here, from, origin);
      target[k] = fresh;
    } else {
      target[k] = v;
      origin.set("/" + here.join("/"), from);
    }
  }
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

function setAt(doc: Record<string, unknown>, path: readonly string[], value: unknown): void {
  let t = doc;
  for (const seg of path.slice(0, -1)) {
    if (!isObject(t[seg])) t[seg] = Object.create(null) as Record<string, unknown>;
    t = t[seg] as Record<string, unknown>;
  }
  t[path[path.length - 1]!] = value;
}

/** Keys whose values are secrets (a `*_file` key holds a path, which is shown). */
const SECRET = /(token|secret|password|passphrase|credentials?|private_key|api[_-]?key|authorization|bearer|cookie)$/i;

/**
 * The configuration without secrets, for `GET /v1/config`: secret-looking keys are dropped,
 * header values (which carry API keys in any name) are hidden, and URLs lose their user:password.
 */
export function redactConfig(value: unknown, key = ""): unknown {
  if (typeof value === "string") return redactUrl(value);
  if (Array.isArray(value)) return value.map((v) => redactConfig(v));
  if (!isObject(value)) return value;
  const out = Object.create(null) as Record<string, unknown>;
  for (const k of Object.keys(value)) {
    if (SECRET.test(k)) continue;
    out[k] = key === "headers" ? "(redacted)" : redactConfig(value[k], k);
  }
  return out;
}

/** Splits "host:port" ("[::1]:8181", ":8181" for every interface). */
export function parseAddr(addr: string): { host: string; port: number } {
  const i = addr.lastIndexOf(":");
  const host = addr.slice(0, i).replace(/^\[(.*)\]$/, "$1");
  return { host: host === "" ? "0.0.0.0" : host, port: Number(addr.slice(i + 1)) };
}

/** A complete configuration from defaults plus `overrides` (for tests and embedding); throws on errors. */
export function defaultConfig(overrides: Readonly<Record<string, unknown>> = {}): ServerConfig {
  const loaded = loadConfig({ overrides });
  if (!loaded.ok) throw new Error(loaded.errors.join("\n"));
  return loaded.config;
}
