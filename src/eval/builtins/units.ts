// Quantities with unit suffixes, as in OPA: units.parse_bytes("10KiB") and units.parse("10m").
// Amounts are scaled in exact decimal arithmetic so "4.35KB" is 4350, not 4349.999….
import { BuiltinError } from "../errors.js";
import { def, finite, stringArg } from "./args.js";
import type { Builtin } from "./types.js";

const K = 1000n;
const KI = 1024n;

const BYTE_UNITS = new Map<string, bigint>([
  ["", 1n],
  ...["k", "m", "g", "t", "p", "e"].flatMap((prefix, i): [string, bigint][] => {
    const decimal = K ** BigInt(i + 1);
    const binary = KI ** BigInt(i + 1);
    return [
      [prefix, decimal],
      [prefix + "b", decimal],
      [prefix + "i", binary],
      [prefix + "ib", binary],
    ];
  }),
]);

// For units.parse, 'm' is milli and 'M' mega; other letters are case-insensitive (OPA keeps the
// first letter's case and lowers the rest before the lookup).
const MILLI = "m";
const SI_UNITS = new Map<string, bigint>([
  ["", 1n],
  ["M", K ** 2n],
  ...[..."kgtpe"].flatMap((prefix): [string, bigint][] => {
    const power = BigInt("kmgtpe".indexOf(prefix) + 1);
    const upper = prefix.toUpperCase();
    return [
      [prefix, K ** power],
      [upper, K ** power],
      [prefix + "i", KI ** power],
      [upper + "i", KI ** power],
    ];
  }),
  ["mi", KI ** 2n],
  ["Mi", KI ** 2n],
]);

// The amount: optional sign, decimal digits, optional exponent (whose 'e' must be followed by a
// digit or sign, so "1e" and "1eb" read as exa units).
const AMOUNT = /^([+-]?)(\d*)(?:\.(\d*))?(?:[eE]([+-]?\d{1,6}))?/;

interface Amount {
  readonly digits: bigint; // signed significand
  readonly exponent: number; // value = digits * 10^exponent
  readonly unit: string;
}

function splitAmount(raw: string): Amount {
  // OPA strips double quotes so that quoted quantities from YAML still parse.
  const s = raw.replaceAll('"', "");
  if (s.includes(" ")) throw new BuiltinError("spaces not allowed in resource strings");
  const m = AMOUNT.exec(s) as RegExpExecArray;
  const [, sign = "", whole = "", fraction = "", exponent = "0"] = m;
  if (whole === "" && fraction === "") throw new BuiltinError("no amount provided");
  const digits = BigInt((sign === "-" ? "-" : "") + (whole + fraction || "0"));
  return { digits, exponent: Number(exponent) - fraction.length, unit: s.slice(m[0].length) };
}

/** digits * 10^exponent truncated toward zero, like Go's big.Float.Int. */
function truncateScaled(digits: bigint, exponent: number): number {
  if (digits === 0n) return 0;
  if (exponent > 400) throw new BuiltinError("amount out of range");
  if (exponent >= 0) return finite(Number(digits * 10n ** BigInt(exponent)));
  if (-exponent > digits.toString().length + 1) return 0; // |value| < 1
  return finite(Number(digits / 10n ** BigInt(-exponent)));
}

function parseBytes(raw: string): number {
  const { digits, exponent, unit } = splitAmount(raw.toLowerCase());
  const multiplier = BYTE_UNITS.get(unit);
  if (multiplier === undefined) throw new BuiltinError(`byte unit ${unit} not recognized`);
  return truncateScaled(digits * multiplier, exponent);
}

function parseUnits(raw: string): number {
  const amount = splitAmount(raw);
  const unit = amount.unit.slice(0, 1) + amount.unit.slice(1).toLowerCase();
  if (unit === MILLI) return finite(Number(`${amount.digits}e${amount.exponent - 3}`));
  const multiplier = SI_UNITS.get(unit);
  if (multiplier === undefined) throw new BuiltinError(`unit ${unit} not recognized`);
  // Number() of decimal text rounds correctly, unlike multiplying doubles.
  return finite(Number(`${amount.digits * multiplier}e${amount.exponent}`));
}

export const unitBuiltins: readonly Builtin[] = [
  def("units.parse_bytes", 1, "units.parse_bytes(x) -> number", (args) => parseBytes(stringArg(args, 0))),
  def("units.parse", 1, "units.parse(x) -> number", (args) => parseUnits(stringArg(args, 0))),
];
