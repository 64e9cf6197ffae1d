// io.jwt.decode_verify: signature plus claim checks, following OPA. A token that fails any
// check yields [false, {}, {}]; malformed tokens and constraints are errors.
import { BuiltinError } from "../errors.js";
import { getKey, isArray, newObject, typeName } from "../value.js";
import type { ObjectValue, Value } from "../value.js";
import { def, objectArg, stringArg } from "./args.js";
import { utf8Decode } from "./bytes.js";
import type { KeyMaterial } from "./jwt.js";
import {
  decodeObjectSegment,
  decodeSegment,
  headerString,
  parseKeys,
  splitToken,
  verifyTokenSignature,
} from "./jwt.js";
import type { Builtin, BuiltinContext } from "./types.js";

interface Constraints {
  readonly material: KeyMaterial;
  readonly alg: string;
  readonly iss: string;
  readonly aud: string;
  readonly timeNs: number;
}

const CONSTRAINT_NAMES = new Set(["cert", "secret", "alg", "iss", "aud", "time"]);

function parseConstraints(ctx: BuiltinContext, o: ObjectValue): Constraints {
  for (const name of Object.keys(o)) {
    if (!CONSTRAINT_NAMES.has(name)) throw new BuiltinError(`unknown token validation constraint: ${name}`);
  }
  const text = (name: string): string => {
    const v = getKey(o, name);
    if (v === undefined) return "";
    if (typeof v !== "string") throw new BuiltinError(`${name} constraint must be a string but got ${typeName(v)}`);
    return v;
  };
  const time = getKey(o, "time");
  if (time !== undefined && (typeof time !== "number" || time < 0)) {
    throw new BuiltinError("time constraint must be a non-negative number of nanoseconds");
  }
  const [cert, secret] = [text("cert"), text("secret")];
  if (cert !== "" && secret !== "") throw new BuiltinError("duplicate key constraints: give cert or secret, not both");
  if (cert === "" && secret === "") throw new BuiltinError("no key constraint: give cert or secret");
  return {
    material: cert !== "" ? { keys: parseKeys(ctx, cert) } : { secret },
    alg: text("alg"),
    iss: text("iss"),
    aud: text("aud"),
    timeNs: time ?? ctx.nowNs,
  };
}

// Header parameters this implementation understands; a `crit` naming any other one makes the
// token invalid (RFC 7515 section 4.1.11).
const UNDERSTOOD_HEADERS = new Set(["alg", "kid", "typ", "cty", "crit"]);

function criticalHeadersUnderstood(header: ObjectValue): boolean {
  const crit = getKey(header, "crit");
  if (crit === undefined) return true;
  if (!isArray(crit) || crit.length === 0 || crit.some((c) => typeof c !== "string")) {
    throw new BuiltinError("JWT header crit must be a non-empty list of strings");
  }
  return crit.every((c) => UNDERSTOOD_HEADERS.has(c as string) || getKey(header, c as string) === undefined);
}

// A nested token (cty "JWT") is verified layer by layer; this bounds the layers.
const MAX_NESTING = 8;

/** Verifies every layer; returns the innermost header and payload, or null if unverified. */
function verifiedParts(ctx: BuiltinContext, jwt: string, c: Constraints): [ObjectValue, ObjectValue] | null {
  let current = jwt;
  for (let layer = 0; layer < MAX_NESTING; layer++) {
    const token = splitToken(current);
    const header = decodeObjectSegment(token.header, "header");
    const alg = headerString(header, "alg");
    const kid = headerString(header, "kid");
    headerString(header, "typ"); // only type-checked, as in OPA
    const cty = headerString(header, "cty");
    if (alg === "" || !criticalHeadersUnderstood(header)) return null;
    if (c.alg !== "" && c.alg !== alg) return null;
    if (!verifyTokenSignature(ctx, token, alg, kid, c.material)) return null;
    if (cty.toUpperCase() !== "JWT") return [header, decodeObjectSegment(token.payload, "payload")];
    // jwt.io wraps nested tokens in quotes; OPA trims them too.
    current = utf8Decode(decodeSegment(token.payload, "payload")).replace(/^["']+|["']+$/g, "");
  }
  throw new BuiltinError(`JWT nested more than ${MAX_NESTING} levels`);
}

function audienceMatches(aud: Value, expected: string): boolean {
  if (typeof aud === "string") return aud === expected;
  return isArray(aud) && aud.some((a) => a === expected);
}

/** Registered claims: iss and aud against the constraints, exp and nbf against the time. */
function claimsValid(payload: ObjectValue, c: Constraints): boolean {
  if (c.iss !== "" && getKey(payload, "iss") !== c.iss) return false;
  const aud = getKey(payload, "aud");
  // A token meant for some audience is only accepted by a caller that names one.
  if (aud !== undefined ? !audienceMatches(aud, c.aud) : c.aud !== "") return false;
  const nowSeconds = c.timeNs / 1e9;
  const exp = getKey(payload, "exp");
  if (exp !== undefined) {
    if (typeof exp !== "number") throw new BuiltinError("exp value must be a number");
    if (nowSeconds >= exp) return false;
  }
  const nbf = getKey(payload, "nbf");
  if (nbf !== undefined) {
    if (typeof nbf !== "number") throw new BuiltinError("nbf value must be a number");
    if (nowSeconds < nbf) return false;
  }
  return true;
}

function decodeVerify(ctx: BuiltinContext, jwt: string, constraintsObject: ObjectValue): Value {
  const constraints = parseConstraints(ctx, constraintsObject);
  const parts = verifiedParts(ctx, jwt, constraints);
  if (parts === null || !claimsValid(parts[1], constraints)) return [false, newObject(), newObject()];
  return [true, parts[0], parts[1]];
}

export const jwtVerifyBuiltins: readonly Builtin[] = [
  def(
    "io.jwt.decode_verify",
    2,
    "io.jwt.decode_verify(jwt, constraints) -> [valid, header, payload]",
    (args, ctx) => decodeVerify(ctx, stringArg(args, 0), objectArg(args, 1)),
    // Without a "time" constraint the result depends on the evaluation's clock.
    { impure: true },
  ),
];
