// Aggregates over collections: count, sum, product, max, min, sort.
import { compare, isArray, isObject, isSet } from "../value.js";
import type { Value } from "../value.js";
import { arg, codePoints, collectionArg, def, finite, numbersArg, typeError } from "./args.js";
import type { Builtin } from "./types.js";

function count(v: Value): number {
  if (typeof v === "string") return codePoints(v).length;
  if (isArray(v)) return v.length;
  if (isSet(v)) return v.size;
  if (isObject(v)) return Object.keys(v).length;
  throw typeError(0, "array, object, set or string", v);
}

/** The extreme member under the canonical order, or undefined for an empty collection. */
function extreme(items: readonly Value[], sign: 1 | -1): Value | undefined {
  let best: Value | undefined;
  for (const item of items) if (best === undefined || sign * compare(item, best) > 0) best = item;
  return best;
}

export const aggregateBuiltins: readonly Builtin[] = [
  def("count", 1, "count(collection) -> number", (args) => count(arg(args, 0))),
  def("sum", 1, "sum(collection) -> number", (args) => finite(numbersArg(args, 0).reduce((a, b) => a + b, 0))),
  def("product", 1, "product(collection) -> number", (args) => finite(numbersArg(args, 0).reduce((a, b) => a * b, 1))),
  def("max", 1, "max(collection) -> any", (args) => extreme(collectionArg(args, 0), 1)),
  def("min", 1, "min(collection) -> any", (args) => extreme(collectionArg(args, 0), -1)),
  def("sort", 1, "sort(collection) -> array", (args) => [...collectionArg(args, 0)].sort(compare)),
];
