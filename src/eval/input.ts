// Converting caller documents into engine values. Base data is converted once when it is
// loaded: validated as JSON and copied into null-prototype objects.
import { newObject, type Value } from "./value.js";

/** Deepest nesting accepted in a document; deeper ones are rejected instead of overflowing the stack. */
export const MAX_DEPTH = 1000;

/** A base-data document that is not JSON (or nested too deeply); the message names where. */
export class DataError extends TypeError {
  override name = "DataError";
}

/** A JSON document as an engine value; throws a DataError naming the first non-JSON part. */
export function toData(doc: unknown, path = "data", depth = 0): Value {
  if (depth > MAX_DEPTH) throw new DataError(`${path} is nested more than ${MAX_DEPTH} levels deep`);
  if (doc === null || typeof doc === "boolean" || typeof doc === "string") return doc;
  if (typeof doc === "number") {
    if (!Number.isFinite(doc)) throw new DataError(`${path} is not a finite number`);
    return doc;
  }
  if (Array.isArray(doc)) return doc.map((item, i) => toData(item, `${path}[${i}]`, depth + 1));
  if (typeof doc === "object" && isPlain(doc)) {
    const out = newObject();
    for (const k of Object.keys(doc)) out[k] = toData((doc as Record<string, unknown>)[k], `${path}.${k}`, depth + 1);
    return out;
  }
  throw new DataError(`${path} is not JSON (found ${doc === undefined ? "undefined" : typeof doc})`);
}

function isPlain(o: object): boolean {
  const proto = Object.getPrototypeOf(o) as unknown;
  return proto === null || proto === Object.prototype;
}

/**
 * Deepest bracket nesting in JSON text (strings skipped), stopping early once past `limit`.
 * Linear, allocation-free, and safe on malformed text (JSON.parse reports those errors).
 */
export function nestingDepth(text: string, limit = Infinity): number {
  let depth = 0;
  let max = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 0x5c)
        i++; // backslash: skip the escaped character
      else if (c === 0x22) inString = false;
    } else if (c === 0x22) inString = true;
    else if (c === 0x5b || c === 0x7b) {
      if (++depth > max) {
        max = depth;
        if (max > limit) return max;
      }
    } else if (c === 0x5d || c === 0x7d) depth--;
  }
  return max;
}
