// Exact decimal formatting of doubles, the way Go's strconv does it: rounding works on the
// double's exact binary value with ties to even, so sprintf("%.0f", [2.5]) is "2" as in OPA.
// (JS's toFixed rounds ties up and switches to exponent notation at 1e21.)

/** |x| as an exact fraction `int / 10^scale`; every finite double has one. */
function exactDecimal(x: number): { int: bigint; scale: number } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, Math.abs(x));
  const bits = view.getBigUint64(0);
  const biasedExponent = Number((bits >> 52n) & 0x7ffn);
  let mantissa = bits & ((1n << 52n) - 1n);
  let exponent = -1074; // subnormal
  if (biasedExponent !== 0) {
    mantissa |= 1n << 52n;
    exponent = biasedExponent - 1075;
  }
  if (exponent >= 0) return { int: mantissa << BigInt(exponent), scale: 0 };
  // m / 2^k == m * 5^k / 10^k
  return { int: mantissa * 5n ** BigInt(-exponent), scale: -exponent };
}

/** n / 10^drop rounded half to even. */
function divRoundEven(n: bigint, drop: number): bigint {
  if (drop <= 0) return n * 10n ** BigInt(-drop);
  const divisor = 10n ** BigInt(drop);
  const q = n / divisor;
  const twiceRemainder = (n % divisor) * 2n;
  if (twiceRemainder > divisor || (twiceRemainder === divisor && q % 2n === 1n)) return q + 1n;
  return q;
}

/** Digits of |x| with `places` digits after the point (like %.Nf without the sign). */
export function fixedDigits(x: number, places: number): string {
  const { int, scale } = exactDecimal(x);
  const digits = divRoundEven(int, scale - places)
    .toString()
    .padStart(places + 1, "0");
  if (places === 0) return digits;
  return digits.slice(0, digits.length - places) + "." + digits.slice(digits.length - places);
}

/** |x| rounded to `significant` digits: the digit string and the exponent of its first digit. */
export function significantDigits(x: number, significant: number): { digits: string; exponent: number } {
  if (x === 0) return { digits: "0".repeat(significant), exponent: 0 };
  const { int, scale } = exactDecimal(x);
  const length = int.toString().length;
  let exponent = length - 1 - scale;
  let rounded = divRoundEven(int, length - significant).toString();
  if (rounded.length > significant) {
    // Rounding carried into a new digit (9.99 -> 10.0): shift one place.
    rounded = rounded.slice(0, significant);
    exponent++;
  }
  return { digits: rounded, exponent };
}

/** The shortest digits that round-trip (what Go's %v uses), from JS's own shortest form. */
export function shortestDigits(x: number): { digits: string; exponent: number } {
  if (x === 0) return { digits: "0", exponent: 0 };
  const [mantissa = "0", exp = "0"] = Math.abs(x).toExponential().split("e");
  return { digits: mantissa.replace(".", ""), exponent: Number(exp) };
}

/** Go's exponent suffix: at least two digits, always signed ("e+06"). */
export function exponentSuffix(exponent: number, upper: boolean): string {
  const sign = exponent < 0 ? "-" : "+";
  return (upper ? "E" : "e") + sign + String(Math.abs(exponent)).padStart(2, "0");
}

/** Scientific notation from a digit string: d.ddd plus suffix. */
export function scientific(digits: string, exponent: number, upper: boolean): string {
  const head = digits.slice(0, 1);
  const tail = digits.slice(1);
  return head + (tail === "" ? "" : "." + tail) + exponentSuffix(exponent, upper);
}

/** Positional notation from a digit string with `decimals` digits after the point. */
function positional(digits: string, exponent: number, decimals: number): string {
  const pointAt = exponent + 1; // number of digits before the point
  const digitAt = (i: number): string => (i >= 0 && i < digits.length ? (digits[i] as string) : "0");
  let whole = "";
  for (let i = 0; i < pointAt; i++) whole += digitAt(i);
  if (whole === "") whole = "0";
  let fraction = "";
  for (let i = 0; i < decimals; i++) fraction += digitAt(pointAt + i);
  return decimals > 0 ? whole + "." + fraction : whole;
}

/**
 * Go's %g for |x|: `precision` significant digits (null for shortest), exponent notation when
 * the exponent is below -4 or at least the precision (6 when shortest).
 */
export function generalDigits(x: number, precision: number | null, upper: boolean): string {
  let prec = precision === null ? -1 : Math.max(precision, 1);
  const raw = precision === null ? shortestDigits(x) : significantDigits(x, prec);
  const digits = raw.digits.replace(/0+$/, "") || "0";
  const exponent = x === 0 ? 0 : raw.exponent;
  const count = digits.length;
  if (prec < 0) prec = count;
  let exponentLimit = prec;
  if (exponentLimit > count && count >= exponent + 1) exponentLimit = count;
  if (precision === null) exponentLimit = 6;
  if (exponent < -4 || exponent >= exponentLimit) {
    return scientific(digits.slice(0, Math.min(prec, count)), exponent, upper);
  }
  if (prec > exponent + 1) prec = count;
  return positional(digits, exponent, Math.max(prec - exponent - 1, 0));
}
