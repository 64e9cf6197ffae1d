// Request validation against the input schema a package declares (`schema input := {...}`).
// Validators are compiled with ajv once per compiled program and reused by every request.
import { Ajv, type ErrorObject, type ValidateFunction } from "ajv";
import type { Program } from "../lang/program.js";
import type { ErrorDetail } from "./errors.js";

/** Most violations reported for one input. */
const MAX_REPORTED = 20;

const cache = new WeakMap<Program, Map<string, ValidateFunction>>();

/** Compiles a program's input schemas now (the server calls it whenever a new policy is swapped in). */
export function prepareInputSchemas(program: Program): void {
  validators(program);
}

function validators(program: Program): Map<string, ValidateFunction> {
  let v = cache.get(program);
  if (!v) {
    v = new Map();
    if (program.inputSchemas.size > 0) {
      const ajv = new Ajv({ allErrors: true, strict: false });
      for (const [pkg, schema] of program.inputSchemas) v.set(pkg, ajv.compile(toPlain(schema) as object));
    }
    cache.set(program, v);
  }
  return v;
}

/** Schemas come out of the compiler as null-prototype objects; ajv expects plain JSON. */
function toPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toPlain);
  if (typeof v !== "object" || v === null) return v;
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(v))
    Object.defineProperty(out, k, {
      value: toPlain((v as Record<string, unknown>)[k]),
      enumerable: true,
      writable: true,
      configurable: true,
    });
  return out;
}

/** The validator of the package that contains `path` (the longest package prefix), if any. */
function validatorFor(program: Program, path: readonly string[]): ValidateFunction | undefined {
  const table = validators(program);
  if (table.size === 0) return undefined;
  for (let n = path.length; n > 0; n--) {
    const v = table.get(path.slice(0, n).join("."));
    if (v) return v;
  }
  return undefined;
}

/** Violations of the declared input schema for a decision at `path`; empty when valid or no schema. */
export function checkInput(program: Program, path: readonly string[], input: unknown): ErrorDetail[] {
  if (input === undefined) return [];
  const validate = validatorFor(program, path);
  if (!validate || validate(input)) return [];
  return (validate.errors ?? []).slice(0, MAX_REPORTED).map(violation);
}

function violation(e: ErrorObject): ErrorDetail {
  const extra =
    e.keyword === "additionalProperties"
      ? `: '${String((e.params as { additionalProperty?: string }).additionalProperty)}'`
      : e.keyword === "enum"
        ? `: ${JSON.stringify((e.params as { allowedValues?: unknown[] }).allowedValues)}`
        : "";
  // The pointer is into the input document ("" = the whole input).
  const pointer = e.instancePath;
  return { code: "input_schema_violation", message: `input${pointer} ${e.message ?? "is invalid"}${extra}`, pointer };
}
