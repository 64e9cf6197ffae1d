// Argument checking shared by all builtins. Operand positions in messages are 1-based, as in
// OPA ("operand 1 must be string but got number"), so policy authors can find the culprit.
import { BuiltinError } from "../errors.js";
import { isArray, isObject, isSet, typeName } from "../value.js";
import type { ObjectValue, SetValue, Value } from "../value.js";
import type { Builtin, BuiltinContext } from "./types.js";

/** The argument at 0-based index `i`; the evaluator guarantees arity, so a gap is a bug. */
export function arg(args: readonly Value[], i: number): Value {
  const v = args[i];
  if (v === undefined) throw new BuiltinError(`operand ${i + 1} is missing`);
  return v;
}

export function typeError(i: number, expected: string, got: Value): BuiltinError {
  return new BuiltinError(`operand ${i + 1} must be ${expected} but got ${typeName(got)}`);
}

export function stringArg(args: readonly Value[], i: number): string {
  const v = arg(args, i);
  if (typeof v !== "string") throw typeError(i, "string", v);
  return v;
}

export function numberArg(args: readonly Value[], i: number): number {
  const v = arg(args, i);
  if (typeof v !== "number") throw typeError(i, "number", v);
  return v;
}

/** A number that must be a whole number (OPA demands integers for indexes, bases, counts). */
export function integerArg(args: readonly Value[], i: number): number {
  const v = arg(args, i);
  if (typeof v !== "number") throw typeError(i, "integer", v);
  if (!Number.isInteger(v)) throw new BuiltinError(`operand ${i + 1} must be integer but got ${v}`);
  return v;
}

export function booleanArg(args: readonly Value[], i: number): boolean {
  const v = arg(args, i);
  if (typeof v !== "boolean") throw typeError(i, "boolean", v);
  return v;
}

export function arrayArg(args: readonly Value[], i: number): readonly Value[] {
  const v = arg(args, i);
  if (!isArray(v)) throw typeError(i, "array", v);
  return v;
}

export function objectArg(args: readonly Value[], i: number): ObjectValue {
  const v = arg(args, i);
  if (!isObject(v)) throw typeError(i, "object", v);
  return v;
}

export function setArg(args: readonly Value[], i: number): SetValue {
  const v = arg(args, i);
  if (!isSet(v)) throw typeError(i, "set", v);
  return v;
}

/** Members of an array or set argument (sets in canonical order). */
export function collectionArg(args: readonly Value[], i: number): readonly Value[] {
  return members(arg(args, i), i, "array or set");
}

function members(v: Value, i: number, expected: string): readonly Value[] {
  if (isArray(v)) return v;
  if (isSet(v)) return v.sorted();
  throw typeError(i, expected, v);
}

/** Members of an array or set argument, each of which must be a string. */
export function stringsArg(args: readonly Value[], i: number): string[] {
  return collectionArg(args, i).map((v, j) => {
    if (typeof v !== "string") {
      throw new BuiltinError(`operand ${i + 1} must contain only strings but element ${j} is ${typeName(v)}`);
    }
    return v;
  });
}

/** Members of an array or set argument, each of which must be a number. */
export function numbersArg(args: readonly Value[], i: number): number[] {
  return collectionArg(args, i).map((v, j) => {
    if (typeof v !== "number") {
      throw new BuiltinError(`operand ${i + 1} must contain only numbers but element ${j} is ${typeName(v)}`);
    }
    return v;
  });
}

/** Keys named by an array, set or object (its keys) argument, as used by object.remove/filter. */
export function keysArg(args: readonly Value[], i: number): Set<string> {
  const v = arg(args, i);
  if (isObject(v)) return new Set(Object.keys(v));
  // Only string keys can name an object's members; other values simply match nothing.
  const keys = new Set<string>();
  for (const k of members(v, i, "array, set or object")) if (typeof k === "string") keys.add(k);
  return keys;
}

/** Upper bound on ctx.cache entries; compiled regexes and globs are the main tenants. */
export const CACHE_LIMIT = 1000;

/**
 * Returns the cached value for `key`, building it with `make` on a miss. The map is shared
 * across evaluations, so it is bounded: once full, the oldest entry (insertion order) goes.
 * Keys should carry a prefix naming their kind ("regex:", "glob:") since the map is shared.
 */
export function cached<T>(ctx: BuiltinContext, key: string, make: () => T): T {
  const cache = ctx.cache;
  if (cache.has(key)) return cache.get(key) as T;
  const value = make();
  while (cache.size >= CACHE_LIMIT) {
    const oldest = cache.keys().next();
    if (oldest.done === true) break;
    cache.delete(oldest.value);
  }
  cache.set(key, value);
  return value;
}

/** Shorthand for declaring a builtin; keeps each module's table compact. */
export function def(
  name: string,
  arity: number,
  signature: string,
  impl: Builtin["impl"],
  options: { impure?: boolean } = {},
): Builtin {
  return options.impure === true ? { name, arity, signature, impl, impure: true } : { name, arity, signature, impl };
}

/** Code points of a string; Verdict counts and indexes strings by code point like OPA. */
export const codePoints = (s: string): string[] => Array.from(s);

/** Numbers must stay JSON numbers: overflow to ±Infinity (or NaN) is an error, not a value. */
export function finite(n: number): number {
  if (!Number.isFinite(n)) throw new BuiltinError("numeric result out of range");
  return n === 0 ? 0 : n; // -0 is indistinguishable in JSON; keep it out of results
}
