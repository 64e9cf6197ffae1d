// Platform services backed by node:crypto: synchronous JWS signature verification for the
// asymmetric algorithms (RS*, PS*, ES*, EdDSA). Kept out of src/eval so the engine itself
// still runs in browsers.
import { constants, createPublicKey, verify, X509Certificate } from "node:crypto";
import type { JsonWebKey, KeyObject } from "node:crypto";
import { BuiltinError } from "../eval/errors.js";
import type { Platform } from "../eval/builtins/types.js";

const HASH_BYTES = new Map([
  ["sha256", 32],
  ["sha384", 48],
  ["sha512", 64],
]);

/** Digest per algorithm; EdDSA hashes internally (null). */
const DIGEST = new Map<string, string | null>([
  ["RS256", "sha256"],
  ["RS384", "sha384"],
  ["RS512", "sha512"],
  ["PS256", "sha256"],
  ["PS384", "sha384"],
  ["PS512", "sha512"],
  ["ES256", "sha256"],
  ["ES384", "sha384"],
  ["ES512", "sha512"],
  ["EdDSA", null],
]);

/** The curve each ECDSA algorithm is defined for (RFC 7518 section 3.4). */
const CURVE = new Map([
  ["ES256", "prime256v1"],
  ["ES384", "secp384r1"],
  ["ES512", "secp521r1"],
]);

// Parsing a key is far costlier than verifying with it, and policies reuse a handful of keys.
const KEY_CACHE_LIMIT = 100;
const keyCache = new Map<string, KeyObject>();

function importKey(key: string | Record<string, unknown>): KeyObject {
  if (typeof key === "string") {
    if (key.includes("-----BEGIN CERTIFICATE-----")) return new X509Certificate(key).publicKey;
    return createPublicKey(key);
  }
  return createPublicKey({ key: key as JsonWebKey, format: "jwk" });
}

function publicKey(key: string | Record<string, unknown>): KeyObject {
  const cacheKey = typeof key === "string" ? "pem:" + key : "jwk:" + JSON.stringify(key);
  let k = keyCache.get(cacheKey);
  if (k === undefined) {
    try {
      k = importKey(key);
    } catch (e) {
      throw new BuiltinError(`invalid verification key: ${e instanceof Error ? e.message : String(e)}`);
    }
    if (keyCache.size >= KEY_CACHE_LIMIT) keyCache.delete(keyCache.keys().next().value as string);
    keyCache.set(cacheKey, k);
  }
  return k;
}

/** Refuses keys of the wrong type for the algorithm (an RSA key for ES256, P-384 for ES256...). */
function keyFitsAlgorithm(alg: string, key: KeyObject): boolean {
  const type = key.asymmetricKeyType;
  if (alg.startsWith("RS")) return type === "rsa";
  if (alg.startsWith("PS")) return type === "rsa" || type === "rsa-pss";
  if (alg.startsWith("ES")) return type === "ec" && key.asymmetricKeyDetails?.namedCurve === CURVE.get(alg);
  return alg === "EdDSA" && (type === "ed25519" || type === "ed448");
}

function verifySignature(
  alg: string,
  key: string | Record<string, unknown>,
  data: Uint8Array,
  signature: Uint8Array,
): boolean {
  const digest = DIGEST.get(alg);
  if (digest === undefined) return false;
  const k = publicKey(key);
  if (!keyFitsAlgorithm(alg, k)) return false;
  try {
    if (digest === null) return verify(null, data, k, signature);
    if (alg.startsWith("PS")) {
      const options = { key: k, padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: HASH_BYTES.get(digest) };
      return verify(digest, data, options, signature);
    }
    if (alg.startsWith("ES")) return verify(digest, data, { key: k, dsaEncoding: "ieee-p1363" }, signature);
    return verify(digest, data, k, signature);
  } catch {
    return false; // e.g. a signature of the wrong length: simply not valid
  }
}

export const nodePlatform: Platform = { verifySignature };
