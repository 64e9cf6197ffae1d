// JSON Web Tokens (JWS compact serialization): decoding and signature checks. HMAC runs here on
// @noble/hashes; asymmetric algorithms go through ctx.platform.verifySignature, which only the
// Node platform provides.
import { hmac } from "@noble/hashes/hmac.js";
import { sha256, sha384, sha512 } from "@noble/hashes/sha2.js";
import type { CHash } from "@noble/hashes/utils.js";
import { BuiltinError } from "../errors.js";
import { getKey, isArray, isObject, toJSON } from "../value.js";
import type { ObjectValue, Value } from "../value.js";
import { cached, def, stringArg } from "./args.js";
import { base64Decode, hexEncode, utf8Decode, utf8Encode } from "./bytes.js";
import { constantTimeEqual } from "./crypto.js";
import { parseJSON } from "./json.js";
import type { Builtin, BuiltinContext } from "./types.js";

const HMAC_HASHES = new Map<string, CHash>([
  ["HS256", sha256],
  ["HS384", sha384],
  ["HS512", sha512],
]);

const ASYMMETRIC = new Set(["RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512", "EdDSA"]);

export const isKnownAlgorithm = (alg: string): boolean => HMAC_HASHES.has(alg) || ASYMMETRIC.has(alg);

/** A token split into its three base64url segments. */
export interface Token {
  readonly header: string;
  readonly payload: string;
  readonly signature: string;
}

export function splitToken(token: string): Token {
  const parts = token.split(".");
  if (parts.length !== 3) throw new BuiltinError(`encoded JWT must have 3 sections, found ${parts.length}`);
  const [header, payload, signature] = parts as [string, string, string];
  return { header, payload, signature };
}

export function decodeSegment(segment: string, what: string): Uint8Array {
  const bytes = base64Decode(segment, true, "optional");
  if (bytes === null) throw new BuiltinError(`JWT ${what} had invalid encoding`);
  return bytes;
}

/** A segment holding a JSON object (header or payload). */
export function decodeObjectSegment(segment: string, what: string): ObjectValue {
  const value = parseJSON(utf8Decode(decodeSegment(segment, what)));
  if (!isObject(value)) throw new BuiltinError(`JWT ${what} must be a JSON object`);
  return value;
}

function decode(token: string): Value {
  const parts = splitToken(token);
  const header = decodeObjectSegment(parts.header, "header");
  const payload = decodeObjectSegment(parts.payload, "payload");
  return [header, payload, hexEncode(decodeSegment(parts.signature, "signature"))];
}

/** A verification key from a PEM block or a JWK; JWKs may pin an algorithm and key id. */
export interface VerificationKey {
  readonly key: string | Record<string, unknown>;
  readonly alg: string;
  readonly kid: string;
}

const PUBLIC_KEY_TYPES = new Set(["RSA", "EC", "OKP"]);

const stringMember = (o: ObjectValue, k: string): string => {
  const v = getKey(o, k);
  return typeof v === "string" ? v : "";
};

function parseKeysUncached(material: string): VerificationKey[] {
  if (material.trimStart().startsWith("-----BEGIN")) return [{ key: material, alg: "", kid: "" }];
  let parsed: Value;
  try {
    parsed = parseJSON(material);
  } catch {
    throw new BuiltinError("key must be a PEM certificate or public key, a JWK or a JWKS");
  }
  const set = isObject(parsed) ? getKey(parsed, "keys") : undefined;
  const jwks = set !== undefined && isArray(set) ? set : [parsed];
  const keys: VerificationKey[] = [];
  for (const jwk of jwks) {
    if (!isObject(jwk) || typeof getKey(jwk, "kty") !== "string") throw new BuiltinError("invalid JWK in key set");
    const alg = stringMember(jwk, "alg");
    // As OPA, skip keys we cannot use: unknown algorithms, and symmetric ("oct") keys, since
    // `cert` holds public keys only (secrets go in `secret`).
    if (alg !== "" && !isKnownAlgorithm(alg)) continue;
    if (!PUBLIC_KEY_TYPES.has(stringMember(jwk, "kty"))) continue;
    keys.push({ key: toJSON(jwk) as Record<string, unknown>, alg, kid: stringMember(jwk, "kid") });
  }
  return keys;
}

/** Parses `cert` material once per distinct string (cached; key sets are reused across calls). */
export function parseKeys(ctx: BuiltinContext, material: string): VerificationKey[] {
  return cached(ctx, "jwtkeys:" + material, () => parseKeysUncached(material));
}

/** What a signature is checked against: an HMAC secret or a set of public keys. */
export type KeyMaterial = { readonly secret: string } | { readonly keys: readonly VerificationKey[] };

/**
 * Checks the signature of `token` made with `alg` (taken from the header, or fixed by a
 * verify_* builtin). HMAC algorithms need a secret, all others need keys: a public key is
 * never used as an HMAC secret, which is what the classic algorithm-confusion attack relies on.
 */
export function verifyTokenSignature(
  ctx: BuiltinContext,
  token: Token,
  alg: string,
  kid: string,
  material: KeyMaterial,
): boolean {
  const signature = decodeSegment(token.signature, "signature");
  const signingInput = utf8Encode(token.header + "." + token.payload);
  const hash = HMAC_HASHES.get(alg);
  if (hash !== undefined) {
    if (!("secret" in material)) return false;
    return constantTimeEqual(hmac(hash, utf8Encode(material.secret), signingInput), signature);
  }
  if (!ASYMMETRIC.has(alg) || !("keys" in material)) return false;
  const verify = ctx.platform.verifySignature;
  if (verify === null) throw new BuiltinError("asymmetric algorithms need the Node platform");
  // A key whose id matches the token's is the only one tried; otherwise any key that fits.
  const byId = kid === "" ? undefined : material.keys.find((k) => k.kid === kid);
  const candidates = byId !== undefined ? [byId] : material.keys.filter((k) => k.alg === "" || k.alg === alg);
  return candidates.some((k) => verify(alg, k.key, signingInput, signature));
}

/** The header's string member `name` ("" when absent); other types are an error, as in OPA. */
export function headerString(header: ObjectValue, name: string): string {
  const v = getKey(header, name);
  if (v === undefined) return "";
  if (typeof v !== "string") throw new BuiltinError(`JWT header ${name} must be a string`);
  return v;
}

/** io.jwt.verify_<alg>(token, key): only the signature, with the algorithm fixed by the name. */
function verifier(alg: string): Builtin {
  const name = `io.jwt.verify_${alg.toLowerCase()}`;
  const keyName = HMAC_HASHES.has(alg) ? "secret" : "certificate";
  return def(name, 2, `${name}(jwt, ${keyName}) -> boolean`, (args, ctx) => {
    const token = splitToken(stringArg(args, 0));
    const key = stringArg(args, 1);
    const kid = headerString(decodeObjectSegment(token.header, "header"), "kid");
    const material: KeyMaterial = HMAC_HASHES.has(alg) ? { secret: key } : { keys: parseKeys(ctx, key) };
    return verifyTokenSignature(ctx, token, alg, kid, material);
  });
}

export const jwtBuiltins: readonly Builtin[] = [
  def("io.jwt.decode", 1, "io.jwt.decode(jwt) -> [header, payload, signature]", (args) => decode(stringArg(args, 0))),
  ...[...HMAC_HASHES.keys(), ...ASYMMETRIC].map(verifier),
];
