// String builtins. Lengths, offsets and reversal work on Unicode code points, like OPA (Go
// runes), never on UTF-16 units, so an emoji counts as one character.
import { BuiltinError } from "../errors.js";
import { isObject } from "../value.js";
import type { Value } from "../value.js";
import { arg, codePoints, def, integerArg, stringArg, stringsArg, typeError } from "./args.js";
import type { Builtin } from "./types.js";

/** Go's unicode.IsSpace set; JS's trim() differs (it strips U+FEFF and keeps U+0085). */
const GO_SPACE = new Set(
  "\t\n\v\f\r \u0085\u00a0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000",
);

/** Strips leading and/or trailing code points that `drop` accepts. */
function trimWhere(s: string, drop: (c: string) => boolean, left: boolean, right: boolean): string {
  const cps = codePoints(s);
  let start = 0;
  let end = cps.length;
  if (left) while (start < end && drop(cps[start] as string)) start++;
  if (right) while (end > start && drop(cps[end - 1] as string)) end--;
  return cps.slice(start, end).join("");
}

function trimCutset(args: readonly Value[], left: boolean, right: boolean): string {
  const cutset = new Set(codePoints(stringArg(args, 1)));
  return trimWhere(stringArg(args, 0), (c) => cutset.has(c), left, right);
}

/** Go's strings.Split: an empty delimiter splits into code points. */
function split(s: string, delimiter: string): string[] {
  return delimiter === "" ? codePoints(s) : s.split(delimiter);
}

/** Go's strings.ReplaceAll: an empty `old` inserts `replacement` around every code point. */
function replaceAll(s: string, old: string, replacement: string): string {
  if (old !== "") return s.split(old).join(replacement);
  return (
    replacement +
    codePoints(s)
      .map((c) => c + replacement)
      .join("")
  );
}

function substring(s: string, start: number, length: number): string {
  if (start < 0) throw new BuiltinError(`operand 2 must not be negative but got ${start}`);
  const cps = codePoints(s);
  if (start >= cps.length) return "";
  return cps.slice(start, length < 0 ? undefined : start + length).join("");
}

/** Code point offset of the first occurrence of `sub`, or -1. */
function indexOf(s: string, sub: string): number {
  if (sub === "") throw new BuiltinError("operand 2 must not be an empty string");
  const unit = s.indexOf(sub);
  return unit < 0 ? -1 : codePoints(s.slice(0, unit)).length;
}

/** Every code point offset at which `sub` starts (overlapping matches included, as in OPA). */
function indexOfAll(s: string, sub: string): number[] {
  if (sub === "") throw new BuiltinError("operand 2 must not be an empty string");
  const found: number[] = [];
  let codePoint = 0;
  let previousUnit = 0;
  for (let unit = s.indexOf(sub); unit >= 0; unit = s.indexOf(sub, unit + 1)) {
    codePoint += codePoints(s.slice(previousUnit, unit)).length;
    previousUnit = unit;
    found.push(codePoint);
  }
  return found;
}

/** strings.replace_n: applies every old -> new pair of the object, in key order, in one pass. */
function replaceEach(patterns: Value, s: string): string {
  if (!isObject(patterns)) throw typeError(0, "object", patterns);
  const pairs: [string, string][] = [];
  for (const [old, replacement] of Object.entries(patterns)) {
    if (typeof replacement !== "string") {
      throw new BuiltinError(
        `operand 1 must map strings to strings but key ${JSON.stringify(old)} maps to a non-string`,
      );
    }
    if (old !== "") pairs.push([old, replacement]);
  }
  pairs.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
  let out = "";
  let i = 0;
  // Like Go's strings.Replacer: at each position the first matching pair (in key order) wins.
  outer: while (i < s.length) {
    for (const [old, replacement] of pairs) {
      if (s.startsWith(old, i)) {
        out += replacement;
        i += old.length;
        continue outer;
      }
    }
    out += s[i];
    i++;
  }
  return out;
}

/** A builtin mapping one string to another. */
const stringToString = (name: string, f: (s: string) => string): Builtin =>
  def(name, 1, `${name}(s) -> string`, (args) => f(stringArg(args, 0)));

export const stringBuiltins: readonly Builtin[] = [
  def("concat", 2, "concat(delimiter, collection) -> string", (args) => stringsArg(args, 1).join(stringArg(args, 0))),
  def("contains", 2, "contains(s, substring) -> boolean", (args) => stringArg(args, 0).includes(stringArg(args, 1))),
  def("startswith", 2, "startswith(s, prefix) -> boolean", (args) => stringArg(args, 0).startsWith(stringArg(args, 1))),
  def("endswith", 2, "endswith(s, suffix) -> boolean", (args) => stringArg(args, 0).endsWith(stringArg(args, 1))),
  stringToString("lower", (s) => s.toLowerCase()),
  stringToString("upper", (s) => s.toUpperCase()),
  def("split", 2, "split(s, delimiter) -> array", (args) => split(stringArg(args, 0), stringArg(args, 1))),
  def("replace", 3, "replace(s, old, new) -> string", (args) =>
    replaceAll(stringArg(args, 0), stringArg(args, 1), stringArg(args, 2)),
  ),
  def("strings.replace_n", 2, "strings.replace_n(patterns, s) -> string", (args) =>
    replaceEach(arg(args, 0), stringArg(args, 1)),
  ),
  def("trim", 2, "trim(s, cutset) -> string", (args) => trimCutset(args, true, true)),
  def("trim_left", 2, "trim_left(s, cutset) -> string", (args) => trimCutset(args, true, false)),
  def("trim_right", 2, "trim_right(s, cutset) -> string", (args) => trimCutset(args, false, true)),
  def("trim_prefix", 2, "trim_prefix(s, prefix) -> string", (args) => {
    const [s, prefix] = [stringArg(args, 0), stringArg(args, 1)];
    return s.startsWith(prefix) ? s.slice(prefix.length) : s;
  }),
  def("trim_suffix", 2, "trim_suffix(s, suffix) -> string", (args) => {
    const [s, suffix] = [stringArg(args, 0), stringArg(args, 1)];
    return s.endsWith(suffix) ? s.slice(0, s.length - suffix.length) : s;
  }),
  stringToString("trim_space", (s) => trimWhere(s, (c) => GO_SPACE.has(c), true, true)),
  def("substring", 3, "substring(s, start, length) -> string", (args) =>
    substring(stringArg(args, 0), integerArg(args, 1), integerArg(args, 2)),
  ),
  def("indexof", 2, "indexof(s, substring) -> number", (args) => indexOf(stringArg(args, 0), stringArg(args, 1))),
  def("indexof_n", 2, "indexof_n(s, substring) -> array", (args) => indexOfAll(stringArg(args, 0), stringArg(args, 1))),
  stringToString("strings.reverse", (s) => codePoints(s).reverse().join("")),
];
