// Reads constant expressions (literals only) as plain JSON, e.g. for `schema input := {...}`.
import type * as A from "./ast.js";

export type Json = null | boolean | number | string | Json[] | { [key: string]: Json };

/** The JSON value of a constant expression (sets become arrays). Call only where isConstant(e) holds. */
export function constantValue(e: A.Expr): Json {
  switch (e.kind) {
    case "scalar":
      return e.value;
    case "paren":
      return constantValue(e.expr);
    case "neg":
      return -(constantValue(e.operand) as number);
    case "array":
    case "set":
      return e.items.map(constantValue);
    case "object": {
      const out = Object.create(null) as { [key: string]: Json };
      for (const en of e.entries) out[String(constantValue(en.key))] = constantValue(en.value);
      return out;
    }
    default:
      throw new Error(`not a constant: ${e.kind}`);
  }
}
