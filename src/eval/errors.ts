// Evaluation errors. Inside the evaluator they are thrown (they are rare and abort the whole
// decision); at the decision boundary they become `EvaluationError` values and callers deny.
import type { Loc } from "../lang/ast.js";

export type EvalErrorCode =
  | "conflict"
  | "type_error"
  | "builtin_error"
  | "budget_exceeded"
  | "division_by_zero"
  | "with_error"
  | "internal_error";

/** The structured error a caller sees. */
export interface EvaluationError {
  readonly code: EvalErrorCode;
  readonly message: string;
  readonly loc?: Loc;
  readonly related?: readonly { readonly message: string; readonly loc: Loc }[];
}

/** Thrown inside the evaluator; caught once at the decision boundary. */
export class EvalError extends Error {
  constructor(
    readonly code: EvalErrorCode,
    message: string,
    readonly loc?: Loc,
    readonly related?: readonly { readonly message: string; readonly loc: Loc }[],
  ) {
    super(message);
    this.name = "EvalError";
  }

  toValue(): EvaluationError {
    const e: { -readonly [K in keyof EvaluationError]: EvaluationError[K] } = {
      code: this.code,
      message: this.message,
    };
    if (this.loc) e.loc = this.loc;
    if (this.related?.length) e.related = this.related;
    return e;
  }
}

/** Thrown by a builtin for bad arguments; the call site adds the builtin's name and location. */
export class BuiltinError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "BuiltinError";
  }
}
