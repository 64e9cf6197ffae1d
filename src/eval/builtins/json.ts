// JSON in and out. Parsed objects get a null prototype so keys such as "__proto__" stay plain
// data, and nesting is capped before parsing so hostile input cannot exhaust the stack.
import { BuiltinError } from "../errors.js";
import { canonicalJSON, newObject } from "../value.js";
import type { Value } from "../value.js";
import { nestingDepth } from "../input.js";
import { arg, def, stringArg } from "./args.js";
import type { Builtin } from "./types.js";

export const MAX_JSON_DEPTH = 1000;

/** Copies JSON.parse output into engine values with null-prototype objects. */
function fromParsed(v: unknown): Value {
  if (v === null || typeof v === "string" || typeof v === "boolean") return v;
  if (typeof v === "number") {
    if (!Number.isFinite(v)) throw new BuiltinError("invalid JSON: number out of range");
    return v;
  }
  if (Array.isArray(v)) return v.map(fromParsed);
  const out = newObject();
  for (const [k, member] of Object.entries(v as Record<string, unknown>)) out[k] = fromParsed(member);
  return out;
}

/** Parses JSON text into a Value; throws BuiltinError for invalid or too deeply nested input. */
export function parseJSON(text: string): Value {
  if (nestingDepth(text) > MAX_JSON_DEPTH) {
    throw new BuiltinError(`invalid JSON: nested deeper than ${MAX_JSON_DEPTH} levels`);
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (e) {
    throw new BuiltinError(`invalid JSON: ${e instanceof Error ? e.message : String(e)}`);
  }
  return fromParsed(parsed);
}

function isValidJSON(v: Value): boolean {
  if (typeof v !== "string") return false;
  try {
    parseJSON(v);
    return true;
  } catch {
    return false;
  }
}

export const jsonBuiltins: readonly Builtin[] = [
  def("json.marshal", 1, "json.marshal(x) -> string", (args) => canonicalJSON(arg(args, 0))),
  def("json.unmarshal", 1, "json.unmarshal(s) -> any", (args) => parseJSON(stringArg(args, 0))),
  def("json.is_valid", 1, "json.is_valid(s) -> boolean", (args) => isValidJSON(arg(args, 0))),
];
