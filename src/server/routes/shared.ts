// Pieces the route files share: OpenAPI schemas (documentation: bodies are parsed by json.ts
// and responses serialised by sendJSON) and the common decision query flags.
import type { FastifyReply, FastifyRequest } from "fastify";
import type { ApiError } from "../errors.js";
import { flag, sendJSON } from "../json.js";

const str = { type: "string" } as const;

export const errorSchema = {
  type: "object",
  description: "The error envelope",
  properties: {
    code: str,
    message: str,
    decision_id: str,
    errors: {
      type: "array",
      items: {
        type: "object",
        properties: {
          code: str,
          message: str,
          pointer: str,
          location: { type: "object", properties: { file: str, row: { type: "integer" }, col: { type: "integer" } } },
        },
      },
    },
  },
} as const;

export const pathParams = {
  type: "object",
  properties: { "*": { type: "string", description: "A slash-separated path below data" } },
} as const;

/** A query flag: given once (a string) or repeated (an array; the last one wins, as in OPA). */
export const queryFlag = { anyOf: [str, { type: "array", items: str }] } as const;

export const decisionQuery = {
  type: "object",
  properties: {
    pretty: { ...queryFlag, description: "Indent the JSON response" },
    explain: {
      ...queryFlag,
      description: "Add Verdict's structured explanation (rules, definitions, failed literals)",
    },
    metrics: { ...queryFlag, description: "Add timings in nanoseconds" },
    instrument: { ...queryFlag, description: "Same as metrics" },
    provenance: { ...queryFlag, description: "Add the server version and bundle revisions" },
    "strict-builtin-errors": { ...queryFlag, description: "Accepted; Verdict builtin errors are always errors" },
  },
} as const;

export const anyJSON = { description: "Any JSON value" } as const;

export interface DecisionFlags {
  readonly pretty: boolean;
  readonly explain: boolean;
  readonly metrics: boolean;
  readonly provenance: boolean;
}

export function decisionFlags(req: FastifyRequest): DecisionFlags {
  const q = req.query;
  const e = (q as Record<string, unknown>).explain;
  const explain = flag(q, "explain") && (Array.isArray(e) ? e[e.length - 1] : e) !== "off";
  return {
    pretty: flag(q, "pretty"),
    explain,
    metrics: flag(q, "metrics") || flag(q, "instrument"),
    provenance: flag(q, "provenance"),
  };
}

/** Sends an ApiError as the envelope, with the decision id when one was assigned. */
export function sendError(reply: FastifyReply, err: ApiError, pretty = false, decisionId?: string): FastifyReply {
  const body = decisionId === undefined ? err.envelope() : { ...err.envelope(), decision_id: decisionId };
  return sendJSON(reply, err.status, body, pretty);
}
