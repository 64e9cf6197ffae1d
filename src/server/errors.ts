// The HTTP API's one error envelope and the registry of its codes (OPA's API codes). Every
// error response, whatever produced it, has this shape:
//   {"code": "...", "message": "...", "errors": [{"code", "message", "location": {"file", "row", "col"}}]}
import type { Diagnostic } from "../lang/diagnostics.js";
import type { EvaluationError } from "../eval/errors.js";

/** The API codes, each with the HTTP status it is normally sent with and when it is used. */
export const apiCodes = {
  internal_error: { status: 500, use: "evaluation failed (see errors[]) or the server failed" },
  evaluation_error: { status: 500, use: "reserved (OPA reports evaluation errors as internal_error)" },
  unauthorized: { status: 401, use: "missing or wrong bearer token" },
  invalid_parameter: { status: 400, use: "malformed JSON, bad path, body too large, schema violation, compile errors" },
  invalid_operation: { status: 400, use: "an operation the target does not allow (e.g. a bundle-owned policy)" },
  resource_not_found: { status: 404, use: "no such route, policy or data document" },
  resource_conflict: { status: 409, use: "a JSON Patch `test` failed" },
  undefined_document: { status: 404, use: "v0 or default decision undefined" },
} as const;

export type ApiCode = keyof typeof apiCodes;

/** Messages shared with OPA, so clients matching on them keep working. */
export const messages = {
  evaluation: "error(s) occurred while evaluating query",
  compile: "error(s) occurred while compiling module(s)",
  undefined: "document missing or undefined",
  bodyTooLarge: "request body too large",
  unauthorized: "missing or invalid bearer token",
  management: "this API needs the management token",
} as const;

export interface ErrorLocation {
  readonly file: string;
  readonly row: number;
  readonly col: number;
}

export interface ErrorDetail {
  readonly code: string;
  readonly message: string;
  readonly location?: ErrorLocation;
  /** JSON pointer into the request (input schema violations). */
  readonly pointer?: string;
}

export interface ErrorEnvelope {
  readonly code: ApiCode;
  readonly message: string;
  readonly errors?: readonly ErrorDetail[];
}

/** Thrown by route handlers (never on the decision hot path) and turned into the envelope. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ApiCode,
    message: string,
    readonly errors?: readonly ErrorDetail[],
  ) {
    super(message);
    this.name = "ApiError";
  }

  envelope(): ErrorEnvelope {
    return envelope(this.code, this.message, this.errors);
  }
}

export function envelope(code: ApiCode, message: string, errors?: readonly ErrorDetail[]): ErrorEnvelope {
  return errors?.length ? { code, message, errors } : { code, message };
}

export const badRequest = (message: string, errors?: readonly ErrorDetail[]): ApiError =>
  new ApiError(400, "invalid_parameter", message, errors);

export const notFound = (message: string): ApiError => new ApiError(404, "resource_not_found", message);

/** Compile diagnostics (errors only), each located. */
export function fromDiagnostics(diagnostics: readonly Diagnostic[]): ErrorDetail[] {
  return diagnostics
    .filter((d) => d.severity === "error")
    .map((d) => ({
      code: d.code,
      message: d.hint ? `${d.message} (hint: ${d.hint})` : d.message,
      location: { file: d.loc.file, row: d.loc.line, col: d.loc.col },
    }));
}

/** Evaluation errors as envelope details; the code stays Verdict's (conflict, type_error, ...). */
export function fromEvaluationErrors(errors: readonly EvaluationError[]): ErrorDetail[] {
  return errors.map((e) =>
    e.loc
      ? { code: e.code, message: e.message, location: { file: e.loc.file, row: e.loc.line, col: e.loc.col } }
      : { code: e.code, message: e.message },
  );
}

/** The 500 an evaluation error becomes: fail closed, with every error located. */
export function evaluationFailure(errors: readonly EvaluationError[]): ApiError {
  return new ApiError(500, "internal_error", messages.evaluation, fromEvaluationErrors(errors));
}
