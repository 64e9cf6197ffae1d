// Numeric helpers: abs, round, ceil, floor, to_number, format_int.
import { BuiltinError } from "../errors.js";
import type { Value } from "../value.js";
import { arg, def, finite, integerArg, numberArg, typeError } from "./args.js";
import type { Builtin } from "./types.js";

/** Half away from zero, as OPA does (Math.round alone rounds -2.5 to -2). */
const roundHalfAwayFromZero = (n: number): number => Math.sign(n) * Math.round(Math.abs(n));

// Decimal notation only: Go's ParseFloat would also take "Inf", "NaN" and hex floats, none of
// which are JSON numbers.
const DECIMAL = /^[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?$/;

function toNumber(v: Value): number {
  if (v === null) return 0;
  if (typeof v === "boolean") return v ? 1 : 0;
  if (typeof v === "number") return v;
  if (typeof v === "string") {
    if (!DECIMAL.test(v)) throw new BuiltinError(`invalid number: ${JSON.stringify(v)}`);
    return finite(Number(v));
  }
  throw typeError(0, "null, boolean, number or string", v);
}

const BASES = new Set([2, 8, 10, 16]);

function formatInt(n: number, base: number): string {
  if (!BASES.has(base)) throw new BuiltinError(`operand 2 must be one of 2, 8, 10 or 16 but got ${base}`);
  // BigInt avoids exponent notation for integers beyond 2^53 ("1e+21").
  return BigInt(Math.trunc(n)).toString(base);
}

export const numberBuiltins: readonly Builtin[] = [
  def("abs", 1, "abs(x) -> number", (args) => finite(Math.abs(numberArg(args, 0)))),
  def("round", 1, "round(x) -> number", (args) => finite(roundHalfAwayFromZero(numberArg(args, 0)))),
  def("ceil", 1, "ceil(x) -> number", (args) => finite(Math.ceil(numberArg(args, 0)))),
  def("floor", 1, "floor(x) -> number", (args) => finite(Math.floor(numberArg(args, 0)))),
  def("to_number", 1, "to_number(x) -> number", (args) => toNumber(arg(args, 0))),
  def("format_int", 2, "format_int(number, base) -> string", (args) =>
    formatInt(numberArg(args, 0), integerArg(args, 1)),
  ),
];
