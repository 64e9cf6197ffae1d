// The builtin function library: every builtin by name, and the platform used when no host
// services are plugged in (browsers, tests). Node callers use nodePlatform from src/node/platform.ts.
import { aggregateBuiltins } from "./aggregates.js";
import { collectionBuiltins } from "./collections.js";
import { cryptoBuiltins } from "./crypto.js";
import { debugBuiltins } from "./debug.js";
import { encodingBuiltins } from "./encoding.js";
import { globBuiltins } from "./glob.js";
import { jsonBuiltins } from "./json.js";
import { jwtBuiltins } from "./jwt.js";
import { jwtVerifyBuiltins } from "./jwt_verify.js";
import { netBuiltins } from "./net.js";
import { numberBuiltins } from "./numbers.js";
import { objectBuiltins } from "./objects.js";
import { regexBuiltins } from "./regex.js";
import { semverBuiltins } from "./semver.js";
import { sprintfBuiltins } from "./sprintf.js";
import { stringBuiltins } from "./strings.js";
import { timeBuiltins } from "./time.js";
import type { Builtin, Platform } from "./types.js";
import { typeCheckBuiltins } from "./typecheck.js";
import { unitBuiltins } from "./units.js";

export type { Builtin, BuiltinContext, Platform } from "./types.js";

const all: readonly (readonly Builtin[])[] = [
  debugBuiltins,
  aggregateBuiltins,
  numberBuiltins,
  typeCheckBuiltins,
  stringBuiltins,
  sprintfBuiltins,
  regexBuiltins,
  globBuiltins,
  netBuiltins,
  timeBuiltins,
  encodingBuiltins,
  jsonBuiltins,
  cryptoBuiltins,
  objectBuiltins,
  collectionBuiltins,
  semverBuiltins,
  unitBuiltins,
  jwtBuiltins,
  jwtVerifyBuiltins,
];

function index(groups: readonly (readonly Builtin[])[]): ReadonlyMap<string, Builtin> {
  const byName = new Map<string, Builtin>();
  for (const b of groups.flat()) {
    if (byName.has(b.name)) throw new Error(`builtin ${b.name} is defined twice`);
    byName.set(b.name, b);
  }
  return byName;
}

/** Every builtin, keyed by its dotted name ("glob.match"). */
export const builtins: ReadonlyMap<string, Builtin> = index(all);

/** No host services: asymmetric JWT verification reports that it needs the Node platform. */
export const defaultPlatform: Platform = { verifySignature: null };
