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

export const decisionQuery = {
  type: "object",
  properties: {
    pretty: { ...str, description: "Indent the JSON response" },
    explain: { ...str, description: "Add Verdict's structured explanation (rules, definitions, failed literals)" },
    metrics: { ...str, description: "Add timings in nanoseconds" },
    instrument: { ...str, description: "Same as metrics" },
    provenance: { ...str, description: "Add the server version and bundle revisions" },
    "strict-builtin-errors": { ...str, description: "Accepted; Verdict builtin errors are always errors" },
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
  const explain = flag(q, "explain") && (q as Record<string, unknown>).explain !== "off";
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
