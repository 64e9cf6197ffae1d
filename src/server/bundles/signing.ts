// Bundle signatures in OPA's format: `.signatures.json` holds `{"signatures": ["<JWT>"]}`; the
// JWT's payload lists every other file of the bundle with its SHA-256 hash.
import { createHash, createPrivateKey, createPublicKey, type KeyObject } from "node:crypto";
import { readFileSync } from "node:fs";
import { jwtVerify, SignJWT, type JWTPayload } from "jose";
import { BundleError, errorMessage } from "./common.js";
import { checkEntryPath } from "./tarball.js";

export const SIGNATURES_FILE = ".signatures.json";
export const signingAlgorithms = ["HS256", "RS256", "ES256"] as const;
export type SigningAlgorithm = (typeof signingAlgorithms)[number];
const HASH_ALGORITHM = "SHA-256";

/** A signing or verification key that cannot be used (wrong type, unreadable, empty). */
export class KeyError extends Error {
  override readonly name = "KeyError";
}

/** How to verify a bundle: the `signing` section of a bundle's configuration. */
export interface BundleSigningConfig {
  readonly algorithm: SigningAlgorithm;
  /** When set, a token naming another key (header `kid` or payload `keyid`) is refused. */
  readonly keyid?: string;
  /** A file: the PEM public key (RS256, ES256) or the shared secret (HS256). */
  readonly key?: string;
  /** The shared secret itself (HS256 only). */
  readonly secret?: string;
  /** When set, the payload's `scope` must equal it. */
  readonly scope?: string;
}

/** A verification key loaded and checked once, when a source starts. */
export interface VerificationKey {
  readonly algorithm: SigningAlgorithm;
  readonly keyid?: string;
  readonly scope?: string;
  readonly key: KeyObject | Uint8Array;
}

export function isSigningAlgorithm(alg: string): alg is SigningAlgorithm {
  return (signingAlgorithms as readonly string[]).includes(alg);
}

/** Reads a secret file; one trailing newline (as `echo` writes) is not part of the secret. */
function readSecretFile(file: string): Uint8Array {
  const bytes = readFileSync(file);
  let end = bytes.length;
  if (bytes[end - 1] === 0x0a) end--;
  if (bytes[end - 1] === 0x0d) end--;
  if (end === 0) throw new KeyError(`${file}: the secret is empty`);
  return bytes.subarray(0, end);
}

export function loadVerificationKey(cfg: BundleSigningConfig): VerificationKey {
  if (!isSigningAlgorithm(cfg.algorithm))
    throw new KeyError(`signing algorithm must be one of ${signingAlgorithms.join(", ")}, not '${cfg.algorithm}'`);
  let key: KeyObject | Uint8Array;
  if (cfg.algorithm === "HS256") {
    if ((cfg.secret === undefined) === (cfg.key === undefined))
      throw new KeyError("HS256 verification needs exactly one of 'secret' or 'key' (a file holding the secret)");
    key = cfg.secret !== undefined ? new TextEncoder().encode(cfg.secret) : readSecretFile(cfg.key!);
    if (key.length === 0) throw new KeyError("the HS256 secret is empty");
  } else {
    if (cfg.key === undefined || cfg.secret !== undefined)
      throw new KeyError(`${cfg.algorithm} verification needs 'key' (a PEM public key file) and no 'secret'`);
    key = publicKeyFor(readFileSync(cfg.key, "utf8"), cfg.algorithm, cfg.key);
  }
  return {
    algorithm: cfg.algorithm,
    key,
    ...(cfg.keyid !== undefined ? { keyid: cfg.keyid } : {}),
    ...(cfg.scope !== undefined ? { scope: cfg.scope } : {}),
  };
}

function publicKeyFor(pem: string, alg: "RS256" | "ES256", file: string): KeyObject {
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (err) {
    throw new KeyError(`${file}: not a PEM public key: ${errorMessage(err)}`);
  }
  checkKeyType(key, alg, file);
  return key;
}

function checkKeyType(key: KeyObject, alg: "RS256" | "ES256", file: string): void {
  const want = alg === "RS256" ? "rsa" : "ec";
  if (key.asymmetricKeyType !== want) throw new KeyError(`${file}: ${alg} needs an ${want.toUpperCase()} key`);
  if (alg === "ES256" && key.asymmetricKeyDetails?.namedCurve !== "prime256v1")
    throw new KeyError(`${file}: ES256 needs a P-256 key`);
}

/** Loads the private key (RS256, ES256) or secret (HS256) `verdict build` signs with. */
export function loadSigningKey(file: string, alg: SigningAlgorithm): KeyObject | Uint8Array {
  if (alg === "HS256") return readSecretFile(file);
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(file, "utf8"));
  } catch (err) {
    throw new KeyError(`${file}: not a PEM private key: ${errorMessage(err)}`);
  }
  checkKeyType(key, alg, file);
  return key;
}

export function sha256Hex(bytes: Uint8Array): string {
  return createHash("sha256").update(bytes).digest("hex");
}

interface FileHash {
  readonly name: string;
  readonly hash: string;
  readonly algorithm: string;
}

/**
 * The contents of `.signatures.json` for `files` (every file of the bundle but the signatures
 * file itself). HS256 and RS256 signatures are deterministic; ES256 ones are not.
 */
export async function signFiles(
  files: ReadonlyMap<string, Uint8Array>,
  key: KeyObject | Uint8Array,
  alg: SigningAlgorithm,
  keyid?: string,
): Promise<string> {
  const names = [...files.keys()].filter((n) => n !== SIGNATURES_FILE).sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const payload: JWTPayload = {
    files: names.map((name): FileHash => ({ name, hash: sha256Hex(files.get(name)!), algorithm: HASH_ALGORITHM })),
    ...(keyid !== undefined ? { keyid } : {}),
  };
  const token = await new SignJWT(payload)
    .setProtectedHeader(keyid !== undefined ? { alg, kid: keyid } : { alg })
    .sign(key);
  return JSON.stringify({ signatures: [token] }, null, 2) + "\n";
}

/**
 * Checks `.signatures.json` against the key and against every file of the bundle: a file
 * missing from the bundle, a file the signature does not list, or a changed file rejects it.
 */
export async function verifyFiles(files: ReadonlyMap<string, Uint8Array>, key: VerificationKey): Promise<void> {
  const raw = files.get(SIGNATURES_FILE);
  if (raw === undefined) throw new BundleError(`bundle is not signed (no ${SIGNATURES_FILE})`);
  let doc: unknown;
  try {
    doc = JSON.parse(Buffer.from(raw).toString("utf8"));
  } catch (err) {
    throw new BundleError(`${SIGNATURES_FILE}: not valid JSON: ${errorMessage(err)}`);
  }
  const signatures = (doc as { signatures?: unknown } | null)?.signatures;
  if (!Array.isArray(signatures) || signatures.length !== 1 || typeof signatures[0] !== "string")
    throw new BundleError(`${SIGNATURES_FILE}: 'signatures' must be an array holding exactly one JWT`);
  let payload: JWTPayload;
  let kid: unknown;
  try {
    const verified = await jwtVerify(signatures[0], key.key, { algorithms: [key.algorithm] });
    payload = verified.payload;
    kid = verified.protectedHeader.kid;
  } catch (err) {
    throw new BundleError(`signature verification failed: ${errorMessage(err)}`);
  }
  if (key.keyid !== undefined) {
    for (const named of [kid, payload.keyid])
      if (named !== undefined && named !== key.keyid)
        throw new BundleError(`signature is for key '${String(named)}', expected '${key.keyid}'`);
  }
  if (key.scope !== undefined && payload.scope !== key.scope)
    throw new BundleError(`signature scope '${String(payload.scope)}' does not match '${key.scope}'`);
  const listed = signedHashes(payload.files);
  for (const [name, bytes] of files) {
    if (name === SIGNATURES_FILE) continue;
    const want = listed.get(name);
    if (want === undefined) throw new BundleError(`file '${name}' is not covered by the signature`);
    if (want !== sha256Hex(bytes)) throw new BundleError(`file '${name}' does not match its signed hash`);
  }
  for (const name of listed.keys())
    if (!files.has(name)) throw new BundleError(`signed file '${name}' is missing from the bundle`);
}

function signedHashes(files: unknown): Map<string, string> {
  if (!Array.isArray(files)) throw new BundleError("signature payload has no 'files' list");
  const out = new Map<string, string>();
  for (const f of files as unknown[]) {
    const { name, hash, algorithm } = (f ?? {}) as Partial<Record<keyof FileHash, unknown>>;
    if (typeof name !== "string" || typeof hash !== "string")
      throw new BundleError("signature payload: each file needs a 'name' and a 'hash'");
    if (algorithm !== HASH_ALGORITHM)
      throw new BundleError(`signature payload: file '${name}': hash algorithm must be ${HASH_ALGORITHM}`);
    const path = checkEntryPath(name);
    if (out.has(path)) throw new BundleError(`signature payload lists '${path}' twice`);
    out.set(path, hash.toLowerCase());
  }
  return out;
}
