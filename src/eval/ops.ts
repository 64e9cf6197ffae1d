// Operators and collection access. Type errors are evaluation errors: a policy that compares a
// string with a number, or adds a string to a number, fails closed instead of guessing.
import type { BinaryOp, Loc } from "../lang/ast.js";
import type { V } from "./context.js";
import { EvalError } from "./errors.js";
import {
  compare,
  equals,
  getKey,
  isObject,
  SetValue,
  sortedKeys,
  typeName,
  type ObjectValue,
  type Value,
} from "./value.js";

export type BinaryFn = (a: Value, b: Value) => V;

/** The implementation of a binary operator (`and`/`or` are compiled separately: they short-circuit). */
export function binaryOp(op: Exclude<BinaryOp, "and" | "or">, loc: Loc): BinaryFn {
  switch (op) {
    case "==":
      return (a, b) => equals(a, b);
    case "!=":
      return (a, b) => !equals(a, b);
    case "<":
      return (a, b) => ordered(a, b, loc, op) < 0;
    case "<=":
      return (a, b) => ordered(a, b, loc, op) <= 0;
    case ">":
      return (a, b) => ordered(a, b, loc, op) > 0;
    case ">=":
      return (a, b) => ordered(a, b, loc, op) >= 0;
    case "in":
      return (a, b) => member(a, b, loc);
    case "+":
      return (a, b) => arith(numbers(a, b, op, loc) && (a as number) + (b as number), loc);
    case "*":
      return (a, b) => arith(numbers(a, b, op, loc) && (a as number) * (b as number), loc);
    case "-":
      return (a, b) => {
        if (a instanceof SetValue && b instanceof SetValue) return new SetValue(a.sorted().filter((x) => !b.has(x)));
        return arith(numbers(a, b, op, loc) && (a as number) - (b as number), loc);
      };
    case "/":
      return (a, b) => {
        numbers(a, b, op, loc);
        if (b === 0) throw new EvalError("division_by_zero", "division by zero", loc);
        return arith((a as number) / (b as number), loc);
      };
    case "%":
      return (a, b) => {
        numbers(a, b, op, loc);
        if (b === 0) throw new EvalError("division_by_zero", "modulo by zero", loc);
        return arith((a as number) % (b as number), loc);
      };
  }
}

function numbers(a: Value, b: Value, op: string, loc: Loc): true {
  if (typeof a === "number" && typeof b === "number") return true;
  throw new EvalError("type_error", `'${op}' needs two numbers but got ${typeName(a)} and ${typeName(b)}`, loc);
}

function arith(n: number | true, loc: Loc): number {
  if (typeof n !== "number" || !Number.isFinite(n))
    throw new EvalError("type_error", "arithmetic result is not a finite number", loc);
  return n;
}

function ordered(a: Value, b: Value, loc: Loc, op: string): number {
  const ta = typeName(a);
  const tb = typeName(b);
  if (ta !== tb) throw new EvalError("type_error", `cannot compare ${ta} with ${tb} using '${op}'`, loc);
  return compare(a, b);
}

/** `x in c`: membership among an array's or set's elements or an object's values. */
function member(x: Value, c: Value, loc: Loc): boolean {
  if (c instanceof SetValue) return c.has(x);
  if (Array.isArray(c)) {
    for (const item of c) if (equals(item, x)) return true;
    return false;
  }
  if (isObject(c)) {
    for (const k in c) if (Object.prototype.hasOwnProperty.call(c, k) && equals(c[k]!, x)) return true;
    return false;
  }
  throw new EvalError("type_error", `the right side of 'in' must be a collection, not ${typeName(c)}`, loc);
}

/** `v[key]`: object field, array index or set membership; undefined when absent. */
export function index(v: V, key: Value): V {
  if (v === undefined || v === null || typeof v !== "object") return undefined;
  if (Array.isArray(v)) {
    return typeof key === "number" && Number.isInteger(key) && key >= 0 && key < v.length
      ? (v[key] as Value)
      : undefined;
  }
  if (v instanceof SetValue) return v.has(key) ? key : undefined;
  return typeof key === "string" ? getKey(v as ObjectValue, key) : undefined;
}

/** `v.name` */
export function field(v: V, name: string): V {
  if (v === undefined || v === null || typeof v !== "object" || Array.isArray(v) || v instanceof SetValue)
    return undefined;
  return getKey(v as ObjectValue, name);
}

const keyCache = new WeakMap<object, string[]>();

/** Object keys in canonical order, cached per object (data documents are iterated often). */
function keysOf(o: ObjectValue): string[] {
  let keys = keyCache.get(o);
  if (!keys) {
    keys = sortedKeys(o);
    keyCache.set(o, keys);
  }
  return keys;
}

/**
 * Calls `each(key, value)` for every element of a collection in canonical order; stops when it
 * returns true. Non-collections are a type error: iterating a string where a list was expected
 * must not quietly succeed or fail.
 */
export function iterate(c: Value, loc: Loc, step: () => void, each: (key: Value, value: Value) => boolean): boolean {
  if (Array.isArray(c)) {
    for (let i = 0; i < c.length; i++) {
      step();
      if (each(i, c[i] as Value)) return true;
    }
    return false;
  }
  if (c instanceof SetValue) {
    for (const x of c.sorted()) {
      step();
      if (each(x, x)) return true;
    }
    return false;
  }
  if (isObject(c)) {
    for (const k of keysOf(c)) {
      step();
      if (each(k, c[k] as Value)) return true;
    }
    return false;
  }
  throw new EvalError("type_error", `cannot iterate over ${typeName(c)}; expected an array, set or object`, loc);
}
