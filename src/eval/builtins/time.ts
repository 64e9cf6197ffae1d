// Time builtins. Timestamps are nanoseconds since the Unix epoch held in JS doubles: exact up
// to 2^53 ns (~104 days after 1970), so present-day values are rounded to a multiple of 256 ns.
// Calendar arithmetic is done on BigInt so only the final conversion rounds.
import { BuiltinError } from "../errors.js";
import { isArray } from "../value.js";
import type { Value } from "../value.js";
import { arg, cached, def, finite, stringArg, typeError } from "./args.js";
import type { Builtin, BuiltinContext } from "./types.js";

const NS_PER_SECOND = 1_000_000_000n;
/** The range of a JS Date (±100 million days), which zone lookups need anyway. */
const MAX_TIMESTAMP_NS = 8.64e21;
const SECONDS_PER_DAY = 86_400n;

const floorDiv = (a: bigint, b: bigint): bigint => {
  const q = a / b;
  return a % b !== 0n && a < 0n !== b < 0n ? q - 1n : q;
};

/** Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil). */
export function daysFromCivil(year: number, month: number, day: number): number {
  const y = month <= 2 ? year - 1 : year;
  const era = Math.floor(y / 400);
  const yearOfEra = y - era * 400;
  const dayOfYear = Math.floor((153 * (month + (month > 2 ? -3 : 9)) + 2) / 5) + day - 1;
  const dayOfEra = yearOfEra * 365 + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100) + dayOfYear;
  return era * 146097 + dayOfEra - 719468;
}

/** The inverse: [year, month, day] of a day count since 1970-01-01. */
export function civilFromDays(days: number): [number, number, number] {
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const dayOfEra = z - era * 146097;
  const yearOfEra = Math.floor(
    (dayOfEra - Math.floor(dayOfEra / 1460) + Math.floor(dayOfEra / 36524) - Math.floor(dayOfEra / 146096)) / 365,
  );
  const dayOfYear = dayOfEra - (365 * yearOfEra + Math.floor(yearOfEra / 4) - Math.floor(yearOfEra / 100));
  const mp = Math.floor((5 * dayOfYear + 2) / 153);
  const day = dayOfYear - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  return [yearOfEra + era * 400 + (month <= 2 ? 1 : 0), month, day];
}

const isLeap = (y: number): boolean => (y % 4 === 0 && y % 100 !== 0) || y % 400 === 0;
const daysInMonth = (y: number, m: number): number =>
  m === 2 ? (isLeap(y) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;

// Go's time.RFC3339 layout; a fractional second is accepted when parsing, as Go does.
const RFC3339 = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2}):(\d{2})(?:\.(\d+))?(?:Z|([+-])(\d{2}):(\d{2}))$/;

export function parseRFC3339(s: string): number {
  const m = RFC3339.exec(s);
  const invalid = (why: string): never => {
    throw new BuiltinError(`invalid RFC 3339 time ${JSON.stringify(s)}: ${why}`);
  };
  if (m === null) return invalid("expected YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)");
  const [year, month, day, hour, minute, second] = m.slice(1, 7).map(Number) as [
    number,
    number,
    number,
    number,
    number,
    number,
  ];
  if (month < 1 || month > 12) invalid("month out of range");
  if (day < 1 || day > daysInMonth(year, month)) invalid("day out of range");
  if (hour > 23 || minute > 59 || second > 59) invalid("time of day out of range");
  let offsetSeconds = 0;
  if (m[8] !== undefined) {
    const [offsetHours, offsetMinutes] = [Number(m[9]), Number(m[10])];
    if (offsetHours > 23 || offsetMinutes > 59) invalid("offset out of range");
    offsetSeconds = (m[8] === "-" ? -1 : 1) * (offsetHours * 3600 + offsetMinutes * 60);
  }
  // Digits past nanoseconds are dropped, as Go does.
  const fraction = BigInt((m[7] ?? "").slice(0, 9).padEnd(9, "0"));
  const seconds =
    BigInt(daysFromCivil(year, month, day)) * SECONDS_PER_DAY +
    BigInt(hour * 3600 + minute * 60 + second - offsetSeconds);
  return Number(seconds * NS_PER_SECOND + fraction);
}

const DURATION_UNITS = new Map<string, number>([
  ["ns", 1],
  ["us", 1e3],
  ["µs", 1e3], // U+00B5 micro sign
  ["μs", 1e3], // U+03BC Greek mu
  ["ms", 1e6],
  ["s", 1e9],
  ["m", 60e9],
  ["h", 3600e9],
]);

/** Go's time.ParseDuration, e.g. "1h30m", "-1.5s", "300ms"; the result is in nanoseconds. */
export function parseDuration(s: string): number {
  const invalid = (): never => {
    throw new BuiltinError(`invalid duration ${JSON.stringify(s)}`);
  };
  const m = /^([+-]?)(.*)$/s.exec(s) as RegExpExecArray;
  const body = m[2] as string;
  if (body === "0") return 0;
  if (body === "") invalid();
  let total = 0;
  const component = /(\d+\.?\d*|\.\d+)([^\d.]+)/y;
  let at = 0;
  while (at < body.length) {
    component.lastIndex = at;
    const c = component.exec(body);
    const unit = c === null ? undefined : DURATION_UNITS.get(c[2] as string);
    if (c === null || unit === undefined) return invalid();
    total += Number(c[1]) * unit;
    at = component.lastIndex;
  }
  return finite(m[1] === "-" ? -total : total);
}

/** Offset from UTC in seconds of an IANA zone at an instant, via Intl (works in browsers too). */
function zoneOffsetSeconds(ctx: BuiltinContext, zone: string, epochSeconds: bigint): number {
  const format = cached(ctx, "tz:" + zone, () => {
    try {
      return new Intl.DateTimeFormat("en-US", {
        timeZone: zone === "Local" ? undefined : zone,
        hourCycle: "h23",
        year: "numeric",
        month: "numeric",
        day: "numeric",
        hour: "numeric",
        minute: "numeric",
        second: "numeric",
        era: "short",
      });
    } catch {
      throw new BuiltinError(`unknown time zone ${JSON.stringify(zone)}`);
    }
  });
  const date = new Date(Number(epochSeconds) * 1000);
  const parts = format.formatToParts(date);
  const text = (type: string): string | undefined => parts.find((p) => p.type === type)?.value;
  const part = (type: string): number => Number(text(type));
  const year = text("era") === "BC" ? 1 - part("year") : part("year");
  const wallClock = part("hour") * 3600 + part("minute") * 60 + part("second");
  const local = daysFromCivil(year, part("month"), part("day")) * 86400 + wallClock;
  return local - Number(epochSeconds);
}

/** Seconds since the epoch in the requested zone, from `ns` or `[ns, zone]`. */
function localSeconds(ctx: BuiltinContext, v: Value): bigint {
  let ns: Value | undefined = v;
  let zone = "UTC";
  if (isArray(v)) {
    if (v.length !== 2 || typeof v[1] !== "string") throw typeError(0, "number or [number, string]", v);
    ns = v[0];
    zone = v[1];
  }
  if (typeof ns !== "number") throw typeError(0, "number or [number, string]", v);
  if (Math.abs(ns) > MAX_TIMESTAMP_NS) throw new BuiltinError("time outside the supported range");
  const seconds = floorDiv(BigInt(Math.floor(ns)), NS_PER_SECOND);
  if (zone === "" || zone === "UTC") return seconds;
  return seconds + BigInt(zoneOffsetSeconds(ctx, zone, seconds));
}

function dateOf(seconds: bigint): [number, number, number] {
  return civilFromDays(Number(floorDiv(seconds, SECONDS_PER_DAY)));
}

function clockOf(seconds: bigint): [number, number, number] {
  const ofDay = Number(seconds - floorDiv(seconds, SECONDS_PER_DAY) * SECONDS_PER_DAY);
  return [Math.floor(ofDay / 3600), Math.floor((ofDay % 3600) / 60), ofDay % 60];
}

const WEEKDAYS = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"];

function weekdayOf(seconds: bigint): string {
  const days = Number(floorDiv(seconds, SECONDS_PER_DAY));
  return WEEKDAYS[(((days + 4) % 7) + 7) % 7] as string; // 1970-01-01 was a Thursday
}

export const timeBuiltins: readonly Builtin[] = [
  def("time.now_ns", 0, "time.now_ns() -> number", (_args, ctx) => ctx.nowNs, { impure: true }),
  def("time.parse_rfc3339_ns", 1, "time.parse_rfc3339_ns(value) -> number", (args) => parseRFC3339(stringArg(args, 0))),
  def("time.parse_duration_ns", 1, "time.parse_duration_ns(duration) -> number", (args) =>
    parseDuration(stringArg(args, 0)),
  ),
  def("time.date", 1, "time.date(ns) -> [year, month, day]", (args, ctx) => dateOf(localSeconds(ctx, arg(args, 0)))),
  def("time.clock", 1, "time.clock(ns) -> [hour, minute, second]", (args, ctx) =>
    clockOf(localSeconds(ctx, arg(args, 0))),
  ),
  def("time.weekday", 1, "time.weekday(ns) -> string", (args, ctx) => weekdayOf(localSeconds(ctx, arg(args, 0)))),
];
