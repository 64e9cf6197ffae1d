// Semantic Versioning 2.0.0: strict parsing (no "v" prefix, no leading zeros) and precedence.
// Numeric parts are compared as digit strings, so versions beyond 2^53 still order correctly.
import { BuiltinError } from "../errors.js";
import type { Value } from "../value.js";
import { arg, def, stringArg } from "./args.js";
import type { Builtin } from "./types.js";

interface Version {
  readonly core: readonly [string, string, string];
  readonly prerelease: readonly string[];
}

const NUMBER = "(0|[1-9]\\d*)";
const PRERELEASE_ID = "(?:0|[1-9]\\d*|\\d*[a-zA-Z-][0-9a-zA-Z-]*)";
const BUILD_ID = "[0-9a-zA-Z-]+";
const SEMVER = new RegExp(
  `^${NUMBER}\\.${NUMBER}\\.${NUMBER}` +
    `(?:-(${PRERELEASE_ID}(?:\\.${PRERELEASE_ID})*))?` +
    `(?:\\+${BUILD_ID}(?:\\.${BUILD_ID})*)?$`,
);

export function parseSemver(s: string): Version | null {
  const m = SEMVER.exec(s);
  if (m === null) return null;
  return {
    core: [m[1] as string, m[2] as string, m[3] as string],
    prerelease: m[4] === undefined ? [] : m[4].split("."),
  };
}

const isNumeric = (id: string): boolean => /^\d+$/.test(id);

/** Digit strings without leading zeros: longer is larger, else lexicographic. */
function compareDigits(a: string, b: string): number {
  if (a.length !== b.length) return a.length < b.length ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function compareIdentifiers(a: string, b: string): number {
  const [an, bn] = [isNumeric(a), isNumeric(b)];
  if (an && bn) return compareDigits(a, b);
  if (an !== bn) return an ? -1 : 1; // numeric identifiers sort before alphanumeric ones
  return a < b ? -1 : a > b ? 1 : 0;
}

export function compareSemver(a: Version, b: Version): number {
  for (let i = 0; i < 3; i++) {
    const c = compareDigits(a.core[i] as string, b.core[i] as string);
    if (c !== 0) return c;
  }
  // A pre-release sorts before the release itself.
  const [aIsPre, bIsPre] = [a.prerelease.length > 0, b.prerelease.length > 0];
  if (!aIsPre || !bIsPre) return aIsPre === bIsPre ? 0 : aIsPre ? -1 : 1;
  const n = Math.min(a.prerelease.length, b.prerelease.length);
  for (let i = 0; i < n; i++) {
    const c = compareIdentifiers(a.prerelease[i] as string, b.prerelease[i] as string);
    if (c !== 0) return c;
  }
  return Math.sign(a.prerelease.length - b.prerelease.length);
}

function versionArg(args: readonly Value[], i: number): Version {
  const s = stringArg(args, i);
  const v = parseSemver(s);
  if (v === null) throw new BuiltinError(`operand ${i + 1} is not a valid semantic version: ${JSON.stringify(s)}`);
  return v;
}

export const semverBuiltins: readonly Builtin[] = [
  def("semver.compare", 2, "semver.compare(a, b) -> number", (args) =>
    compareSemver(versionArg(args, 0), versionArg(args, 1)),
  ),
  def("semver.is_valid", 1, "semver.is_valid(vsn) -> boolean", (args) => {
    const v = arg(args, 0);
    return typeof v === "string" && parseSemver(v) !== null;
  }),
];
