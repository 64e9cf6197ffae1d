// Object builtins. Every result is a fresh null-prototype object, and lookups go through
// getKey, so keys from policy input ("__proto__", "constructor") are only ever data.
import { BuiltinError } from "../errors.js";
import { getKey, isArray, isObject, isSet, newObject, SetValue, typeName } from "../value.js";
import type { ObjectValue, Value } from "../value.js";
import { arg, arrayArg, def, keysArg, objectArg } from "./args.js";
import type { Builtin } from "./types.js";

/** One step of a path: object key, array index or set member; undefined when absent. */
function step(current: Value, segment: Value): Value | undefined {
  if (isObject(current)) return typeof segment === "string" ? getKey(current, segment) : undefined;
  if (isArray(current)) {
    return typeof segment === "number" && Number.isInteger(segment) && segment >= 0 ? current[segment] : undefined;
  }
  if (isSet(current)) return current.has(segment) ? segment : undefined;
  return undefined;
}

/** object.get: a key, or (as in OPA) an array taken as a path into nested values. */
function get(obj: ObjectValue, key: Value, fallback: Value): Value {
  if (!isArray(key)) return step(obj, key) ?? fallback;
  let current: Value = obj;
  for (const segment of key) {
    const next = step(current, segment);
    if (next === undefined) return fallback;
    current = next;
  }
  return current;
}

function pick(obj: ObjectValue, keep: (key: string) => boolean): ObjectValue {
  const out = newObject();
  for (const [k, v] of Object.entries(obj)) if (keep(k)) out[k] = v;
  return out;
}

/** Recursive merge: nested objects merge, anything else from `b` replaces `a`. */
function union(a: ObjectValue, b: ObjectValue): ObjectValue {
  const out = newObject();
  for (const [k, v] of Object.entries(a)) out[k] = v;
  for (const [k, v] of Object.entries(b)) {
    const existing = getKey(a, k);
    out[k] = existing !== undefined && isObject(existing) && isObject(v) ? union(existing, v) : v;
  }
  return out;
}

function unionAll(objects: readonly Value[]): ObjectValue {
  let out: ObjectValue = newObject();
  objects.forEach((o, j) => {
    if (!isObject(o)) throw new BuiltinError(`operand 1 must contain only objects but element ${j} is ${typeName(o)}`);
    out = union(out, o);
  });
  return out;
}

export const objectBuiltins: readonly Builtin[] = [
  def("object.get", 3, "object.get(object, key, default) -> any", (args) =>
    get(objectArg(args, 0), arg(args, 1), arg(args, 2)),
  ),
  def("object.keys", 1, "object.keys(object) -> set", (args) => new SetValue(Object.keys(objectArg(args, 0)))),
  def("object.remove", 2, "object.remove(object, keys) -> object", (args) => {
    const obj = objectArg(args, 0);
    const drop = keysArg(args, 1);
    return pick(obj, (k) => !drop.has(k));
  }),
  def("object.filter", 2, "object.filter(object, keys) -> object", (args) => {
    const obj = objectArg(args, 0);
    const keep = keysArg(args, 1);
    return pick(obj, (k) => keep.has(k));
  }),
  def("object.union", 2, "object.union(a, b) -> object", (args) => union(objectArg(args, 0), objectArg(args, 1))),
  def("object.union_n", 1, "object.union_n(objects) -> object", (args) => unionAll(arrayArg(args, 0))),
];
