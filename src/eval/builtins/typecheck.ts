// Type predicates. Unlike OPA, whose is_* builtins are undefined for a mismatch, these return
// false, so `not is_string(x)` and `is_string(x) == false` both behave as one would expect.
import { isArray, isObject, isSet, typeName } from "../value.js";
import type { Value } from "../value.js";
import { arg, def } from "./args.js";
import type { Builtin } from "./types.js";

const predicate = (name: string, test: (v: Value) => boolean): Builtin =>
  def(name, 1, `${name}(x) -> boolean`, (args) => test(arg(args, 0)));

export const typeCheckBuiltins: readonly Builtin[] = [
  predicate("is_string", (v) => typeof v === "string"),
  predicate("is_number", (v) => typeof v === "number"),
  predicate("is_boolean", (v) => typeof v === "boolean"),
  predicate("is_array", isArray),
  predicate("is_set", isSet),
  predicate("is_object", isObject),
  predicate("is_null", (v) => v === null),
  def("type_name", 1, "type_name(x) -> string", (args) => typeName(arg(args, 0))),
];
