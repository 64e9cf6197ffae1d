// Set and array builtins: union, intersection, array.concat, array.slice, array.reverse.
import { BuiltinError } from "../errors.js";
import { isSet, SetValue, typeName } from "../value.js";
import type { Value } from "../value.js";
import { arrayArg, def, integerArg, setArg } from "./args.js";
import type { Builtin } from "./types.js";

/** Members of a set of sets, checked. */
function setsOf(args: readonly Value[]): SetValue[] {
  return setArg(args, 0)
    .sorted()
    .map((s, j) => {
      if (!isSet(s)) throw new BuiltinError(`operand 1 must contain only sets but element ${j} is ${typeName(s)}`);
      return s;
    });
}

function unionOf(sets: readonly SetValue[]): SetValue {
  const out = new SetValue();
  for (const s of sets) for (const v of s.sorted()) out.add(v);
  return out;
}

function intersectionOf(sets: readonly SetValue[]): SetValue {
  const [first, ...rest] = sets;
  if (first === undefined) return new SetValue();
  return new SetValue(first.sorted().filter((v) => rest.every((s) => s.has(v))));
}

/** OPA's clamping: negative start is 0, stop past the end is the end, start >= stop is empty. */
function slice(arr: readonly Value[], start: number, stop: number): Value[] {
  const from = Math.max(start, 0);
  const to = Math.min(stop, arr.length);
  return from >= to ? [] : arr.slice(from, to);
}

export const collectionBuiltins: readonly Builtin[] = [
  def("union", 1, "union(sets) -> set", (args) => unionOf(setsOf(args))),
  def("intersection", 1, "intersection(sets) -> set", (args) => intersectionOf(setsOf(args))),
  def("array.concat", 2, "array.concat(a, b) -> array", (args) => [...arrayArg(args, 0), ...arrayArg(args, 1)]),
  def("array.slice", 3, "array.slice(array, start, stop) -> array", (args) =>
    slice(arrayArg(args, 0), integerArg(args, 1), integerArg(args, 2)),
  ),
  def("array.reverse", 1, "array.reverse(array) -> array", (args) => [...arrayArg(args, 0)].reverse()),
];
