// sprintf with Go's fmt verbs, as OPA passes its arguments to Go: integral numbers format as
// ints, other numbers as float64, strings as strings and composite values in Verdict syntax.
// Where Go would print a "%!d(string=x)" marker we raise an error instead, so a typo in a
// message template is found rather than shipped in a decision.
import { BuiltinError } from "../errors.js";
import { show, typeName } from "../value.js";
import type { Value } from "../value.js";
import { arrayArg, codePoints, def, stringArg } from "./args.js";
import { hexEncode, utf8Encode } from "./bytes.js";
import { fixedDigits, generalDigits, scientific, significantDigits } from "./decimal.js";
import type { Builtin } from "./types.js";

interface Directive {
  readonly minus: boolean; // left-justify
  readonly plus: boolean; // always print a sign
  readonly space: boolean; // leave a space for the sign of positive numbers
  readonly zero: boolean; // pad numbers with zeros after the sign
  readonly sharp: boolean; // alternate form: 0x for %x, 0 for %o
  readonly width: number | null;
  readonly precision: number | null;
  readonly verb: string;
}

// Integral values in int64 range are Go ints in OPA; beyond that they are float64.
const INT64_LIMIT = 2 ** 63;
const isInt = (n: number): boolean => Number.isInteger(n) && Math.abs(n) < INT64_LIMIT;

function fail(d: Directive, v: Value, expected: string): never {
  const shown = show(v);
  const brief = shown.length > 40 ? shown.slice(0, 40) + "…" : shown;
  throw new BuiltinError(`sprintf: %${d.verb} needs ${expected} but got ${typeName(v)} ${brief}`);
}

const NAMED_ESCAPES = new Map([
  ['"', '\\"'],
  ["\\", "\\\\"],
  ["\u0007", "\\a"],
  ["\b", "\\b"],
  ["\f", "\\f"],
  ["\n", "\\n"],
  ["\r", "\\r"],
  ["\t", "\\t"],
  ["\v", "\\v"],
]);

/** Go's strconv.Quote, close enough: escapes quotes, backslashes and non-printable characters. */
export function goQuote(s: string): string {
  let out = '"';
  for (const c of s) {
    const cp = c.codePointAt(0) as number;
    const escape = NAMED_ESCAPES.get(c);
    if (escape !== undefined) out += escape;
    else if (cp < 0x20 || cp === 0x7f) out += "\\x" + cp.toString(16).padStart(2, "0");
    else if (
      (cp >= 0x80 && cp < 0xa0) ||
      cp === 0x2028 ||
      cp === 0x2029 ||
      cp === 0xfeff ||
      (cp >= 0xd800 && cp < 0xe000)
    ) {
      out += "\\u" + cp.toString(16).padStart(4, "0");
    } else out += c;
  }
  return out + '"';
}

/** Applies sign flags and width; zero padding goes after the sign for numbers. */
function pad(d: Directive, body: string, negative: boolean | null): string {
  let sign = "";
  if (negative !== null) sign = negative ? "-" : d.plus ? "+" : d.space ? " " : "";
  const width = d.width ?? 0;
  const length = codePoints(sign + body).length;
  if (length >= width) return sign + body;
  const fill = width - length;
  if (d.minus) return sign + body + " ".repeat(fill);
  if (d.zero && negative !== null) return sign + "0".repeat(fill) + body;
  return " ".repeat(fill) + sign + body;
}

/** Radix and '#' prefix of each integer verb. */
const INTEGER_VERBS = new Map<string, readonly [number, string]>([
  ["d", [10, ""]],
  ["o", [8, "0"]],
  ["b", [2, ""]],
  ["x", [16, "0x"]],
  ["X", [16, "0X"]],
]);

function integerBody(d: Directive, n: number, radix: number, prefix: string): string {
  let digits = BigInt(Math.abs(n)).toString(radix);
  if (d.verb === "X") digits = digits.toUpperCase();
  if (d.precision !== null) digits = digits.padStart(d.precision, "0");
  return (d.sharp ? prefix : "") + digits;
}

function floatBody(d: Directive, n: number): string {
  const upper = d.verb === "E" || d.verb === "G";
  switch (d.verb) {
    case "f":
    case "F":
      return fixedDigits(n, d.precision ?? 6);
    case "e":
    case "E": {
      const p = d.precision ?? 6;
      const { digits, exponent } = significantDigits(n, p + 1);
      return scientific(digits, exponent, upper);
    }
    default:
      return generalDigits(n, d.precision, upper);
  }
}

/** %v: the value as OPA prints it. */
function plain(v: Value): string {
  if (typeof v === "string") return v;
  if (typeof v !== "number") return show(v);
  if (isInt(v)) return BigInt(v).toString();
  return (v < 0 ? "-" : "") + generalDigits(v, null, false);
}

function utf8Hex(s: string, upper: boolean): string {
  const hex = hexEncode(utf8Encode(s));
  return upper ? hex.toUpperCase() : hex;
}

function formatValue(d: Directive, v: Value): string {
  switch (d.verb) {
    case "v":
    case "s": {
      let text = plain(v);
      if (d.precision !== null) text = codePoints(text).slice(0, d.precision).join("");
      return pad(d, text, null);
    }
    case "q":
      return pad(d, goQuote(plain(v)), null);
    case "t":
      if (typeof v !== "boolean") fail(d, v, "a boolean");
      return pad(d, String(v), null);
    case "d":
    case "o":
    case "b":
    case "x":
    case "X": {
      if ((d.verb === "x" || d.verb === "X") && typeof v === "string") return pad(d, utf8Hex(v, d.verb === "X"), null);
      if (typeof v !== "number" || !Number.isInteger(v)) fail(d, v, "an integer");
      const [radix, prefix] = INTEGER_VERBS.get(d.verb) ?? [10, ""];
      return pad(d, integerBody(d, v, radix, prefix), v < 0);
    }
    case "f":
    case "F":
    case "e":
    case "E":
    case "g":
    case "G":
      if (typeof v !== "number") fail(d, v, "a number");
      return pad(d, floatBody(d, v), v < 0);
    default:
      throw new BuiltinError(`sprintf: unsupported verb %${d.verb}`);
  }
}

// Bounds the work and memory one directive can ask for.
const MAX_WIDTH = 1000;

const DIRECTIVE = /%([-+# 0]*)(\d+)?(?:\.(\d*))?([a-zA-Z%])?/y;

export function sprintf(format: string, values: readonly Value[]): string {
  let out = "";
  let next = 0;
  let i = 0;
  while (i < format.length) {
    const percent = format.indexOf("%", i);
    if (percent < 0) {
      out += format.slice(i);
      break;
    }
    out += format.slice(i, percent);
    DIRECTIVE.lastIndex = percent;
    const m = DIRECTIVE.exec(format) as RegExpExecArray; // always matches at a '%'
    i = DIRECTIVE.lastIndex;
    const [, flags = "", width, precision, verb] = m;
    if (verb === undefined) throw new BuiltinError(`sprintf: missing verb at offset ${percent} of the format`);
    if (verb === "%") {
      out += "%";
      continue;
    }
    const d: Directive = {
      minus: flags.includes("-"),
      plus: flags.includes("+"),
      space: flags.includes(" "),
      zero: flags.includes("0"),
      sharp: flags.includes("#"),
      width: width === undefined ? null : Number(width),
      precision: precision === undefined ? null : Number(precision || "0"),
      verb,
    };
    if ((d.width ?? 0) > MAX_WIDTH || (d.precision ?? 0) > MAX_WIDTH) {
      throw new BuiltinError(`sprintf: width and precision must not exceed ${MAX_WIDTH}`);
    }
    if (next >= values.length) throw new BuiltinError(`sprintf: too few values for the format (%${verb} has none)`);
    out += formatValue(d, values[next] as Value);
    next++;
  }
  if (next < values.length) {
    throw new BuiltinError(`sprintf: ${values.length - next} more value(s) than the format uses`);
  }
  return out;
}

export const sprintfBuiltins: readonly Builtin[] = [
  def("sprintf", 2, "sprintf(format, values) -> string", (args) => sprintf(stringArg(args, 0), arrayArg(args, 1))),
];
