// base64, base64url, hex and URL query encoding. Text is encoded as UTF-8; decoded bytes that
// are not valid UTF-8 turn into U+FFFD, since Verdict strings are Unicode.
import { BuiltinError } from "../errors.js";
import { isArray, isSet, newObject, sortedKeys } from "../value.js";
import type { ObjectValue, Value } from "../value.js";
import { arg, def, objectArg, stringArg } from "./args.js";
import { base64Decode, base64Encode, hexDecode, hexEncode, utf8Decode, utf8Encode } from "./bytes.js";
import type { Builtin } from "./types.js";

function decodeOrFail(bytes: Uint8Array | null, what: string): string {
  if (bytes === null) throw new BuiltinError(`invalid ${what} input`);
  return utf8Decode(bytes);
}

const UNRESERVED = /^[A-Za-z0-9\-_.~]$/;

/** Go's url.QueryEscape: space becomes '+', other reserved bytes %XX (upper case). */
export function queryEscape(s: string): string {
  let out = "";
  for (const c of s) {
    if (UNRESERVED.test(c)) out += c;
    else if (c === " ") out += "+";
    else for (const b of utf8Encode(c)) out += "%" + b.toString(16).toUpperCase().padStart(2, "0");
  }
  return out;
}

/** Go's url.QueryUnescape: '+' is a space; every '%' must start a two-digit hex escape. */
export function queryUnescape(s: string): string {
  const bytes: number[] = [];
  for (let i = 0; i < s.length; i++) {
    const c = s[i] as string;
    if (c === "%") {
      const hex = s.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw new BuiltinError(`invalid URL escape ${JSON.stringify("%" + hex)}`);
      bytes.push(parseInt(hex, 16));
      i += 2;
    } else if (c === "+") {
      bytes.push(0x20);
    } else {
      // Copy the whole code point (two UTF-16 units for astral characters).
      const cp = s.codePointAt(i) as number;
      if (cp > 0xffff) i++;
      bytes.push(...utf8Encode(String.fromCodePoint(cp)));
    }
  }
  return utf8Decode(new Uint8Array(bytes));
}

/** Values of one query parameter: a string, or an array/set of strings. */
function parameterValues(key: string, v: Value): string[] {
  const items = typeof v === "string" ? [v] : isArray(v) ? v : isSet(v) ? v.sorted() : null;
  if (items === null || items.some((x) => typeof x !== "string")) {
    throw new BuiltinError(
      `operand 1 value for key ${JSON.stringify(key)} must be a string or a collection of strings`,
    );
  }
  return items as string[];
}

function encodeObject(o: ObjectValue): string {
  const pairs: string[] = [];
  for (const key of sortedKeys(o)) {
    for (const value of parameterValues(key, o[key] as Value)) pairs.push(queryEscape(key) + "=" + queryEscape(value));
  }
  return pairs.join("&");
}

/** Go's url.ParseQuery: key -> array of values, in order of appearance. */
function decodeObject(s: string): ObjectValue {
  const values = new Map<string, string[]>();
  for (const part of s.split("&")) {
    if (part === "") continue;
    if (part.includes(";")) throw new BuiltinError("invalid semicolon separator in query");
    const eq = part.indexOf("=");
    const key = queryUnescape(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? "" : queryUnescape(part.slice(eq + 1));
    const list = values.get(key);
    if (list === undefined) values.set(key, [value]);
    else list.push(value);
  }
  const out = newObject();
  for (const [key, list] of values) out[key] = list;
  return out;
}

const isValidBase64 = (v: Value): boolean => typeof v === "string" && base64Decode(v, false, "required") !== null;

export const encodingBuiltins: readonly Builtin[] = [
  def("base64.encode", 1, "base64.encode(x) -> string", (args) =>
    base64Encode(utf8Encode(stringArg(args, 0)), false, true),
  ),
  def("base64.decode", 1, "base64.decode(x) -> string", (args) =>
    decodeOrFail(base64Decode(stringArg(args, 0), false, "required"), "base64"),
  ),
  def("base64.is_valid", 1, "base64.is_valid(x) -> boolean", (args) => isValidBase64(arg(args, 0))),
  def("base64url.encode", 1, "base64url.encode(x) -> string", (args) =>
    base64Encode(utf8Encode(stringArg(args, 0)), true, true),
  ),
  def("base64url.encode_no_pad", 1, "base64url.encode_no_pad(x) -> string", (args) =>
    base64Encode(utf8Encode(stringArg(args, 0)), true, false),
  ),
  def("base64url.decode", 1, "base64url.decode(x) -> string", (args) =>
    decodeOrFail(base64Decode(stringArg(args, 0), true, "optional"), "base64url"),
  ),
  def("hex.encode", 1, "hex.encode(x) -> string", (args) => hexEncode(utf8Encode(stringArg(args, 0)))),
  def("hex.decode", 1, "hex.decode(x) -> string", (args) => decodeOrFail(hexDecode(stringArg(args, 0)), "hex")),
  def("urlquery.encode", 1, "urlquery.encode(x) -> string", (args) => queryEscape(stringArg(args, 0))),
  def("urlquery.decode", 1, "urlquery.decode(x) -> string", (args) => queryUnescape(stringArg(args, 0))),
  def("urlquery.encode_object", 1, "urlquery.encode_object(object) -> string", (args) =>
    encodeObject(objectArg(args, 0)),
  ),
  def("urlquery.decode_object", 1, "urlquery.decode_object(x) -> object", (args) => decodeObject(stringArg(args, 0))),
];
