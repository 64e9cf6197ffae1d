// Decisions through the Data API: `POST /v1/data/{path}` with `{"input": ...}`, `GET
// /v1/data/{path}` (optional `?input=<JSON>`), and `POST /v0/data/{path}` (the raw body is
// the input and the raw value the reply). Undefined is 200 without `result` (v1) or 404 (v0).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { decide, missingInputWarning, type DecisionOutcome, type ServerContext, type Warning } from "../decide.js";
import { ApiError, badRequest, messages } from "../errors.js";
import { isPlainObject, own, parseJSON, readJSONBody, sendJSON } from "../json.js";
import { dataPath, showPath } from "../paths.js";
import {
  anyJSON,
  decisionFlags,
  decisionQuery,
  errorSchema,
  pathParams,
  sendError,
  type DecisionFlags,
} from "./shared.js";

export const VERSION = "0.1.0";

type PathRequest = FastifyRequest<{ Params: { "*"?: string } }>;

const v1Response = {
  200: {
    description: "The decision; `result` is absent when the document is undefined (deny)",
    type: "object",
    properties: {
      result: anyJSON,
      decision_id: { type: "string" },
      warning: { type: "object", properties: { code: { type: "string" }, message: { type: "string" } } },
      metrics: { type: "object", additionalProperties: { type: "integer" } },
      explanation: { type: "array", items: { type: "object" } },
      provenance: { type: "object" },
    },
  },
  400: errorSchema,
  500: errorSchema,
} as const;

export function dataRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const depth = ctx.config.limits.max_json_depth;

  const post = (req: PathRequest, reply: FastifyReply) => {
    const flags = decisionFlags(req);
    const t0 = process.hrtime.bigint();
    const body = readJSONBody(req, depth);
    const parseNs = Number(process.hrtime.bigint() - t0);
    if (body !== undefined && !isPlainObject(body))
      throw badRequest('request body must be a JSON object: {"input": ...}');
    const input = body === undefined ? undefined : own(body, "input");
    const warning = input === undefined ? missingInputWarning : undefined;
    return answer(ctx, req, reply, dataPath(req.params["*"]), input, flags, parseNs, warning);
  };

  const get = (req: PathRequest, reply: FastifyReply) => {
    const flags = decisionFlags(req);
    const raw = own(req.query as Record<string, unknown>, "input");
    if (raw !== undefined && typeof raw !== "string") throw badRequest("the 'input' parameter must be given once");
    let input: unknown;
    const t0 = process.hrtime.bigint();
    if (raw !== undefined) {
      const parsed = parseJSON(raw, depth);
      if (!parsed.ok) throw badRequest(`the 'input' parameter: ${parsed.message}`);
      input = parsed.value;
    }
    const parseNs = Number(process.hrtime.bigint() - t0);
    return answer(ctx, req, reply, dataPath(req.params["*"]), input, flags, parseNs);
  };

  const v0 = (req: PathRequest, reply: FastifyReply) => {
    const path = dataPath(req.params["*"]);
    const input = readJSONBody(req, depth);
    return rawAnswer(reply, decide(ctx, req, path, input), path, decisionFlags(req).pretty);
  };

  const doc = (summary: string, extra: object = {}) => ({
    summary,
    tags: ["decisions"],
    params: pathParams,
    querystring: decisionQuery,
    response: v1Response,
    ...extra,
  });
  for (const url of ["/v1/data", "/v1/data/*"]) {
    app.post(
      url,
      { schema: doc("Evaluate a decision", { body: { type: "object", properties: { input: anyJSON } } }) },
      post,
    );
    const getQuery = { ...decisionQuery, properties: { ...decisionQuery.properties, input: { type: "string" } } };
    app.get(
      url,
      { schema: doc("Evaluate a decision (input as a JSON query parameter)", { querystring: getQuery }) },
      get,
    );
  }
  const v0Schema = {
    summary: "Evaluate a decision: the raw body is the input; the raw value is returned (404 when undefined)",
    tags: ["decisions"],
    params: pathParams,
    body: anyJSON,
    response: { 200: anyJSON, 400: errorSchema, 404: errorSchema, 500: errorSchema },
  };
  for (const url of ["/v0/data", "/v0/data/*"]) app.post(url, { schema: v0Schema }, v0);
}

function answer(
  ctx: ServerContext,
  req: FastifyRequest,
  reply: FastifyReply,
  path: readonly string[],
  input: unknown,
  flags: DecisionFlags,
  parseNs: number,
  warning?: Warning,
): FastifyReply {
  const d: DecisionOutcome = decide(ctx, req, path, input, flags.explain);
  if (d.failure) return sendError(reply, d.failure, flags.pretty, d.decisionId);
  const body: Record<string, unknown> = {};
  if (d.defined) body.result = d.result;
  body.decision_id = d.decisionId;
  const w = warning ?? d.warning;
  if (w) body.warning = w;
  if (flags.metrics)
    body.metrics = {
      timer_rego_input_parse_ns: parseNs,
      timer_rego_query_eval_ns: d.evalNs,
      timer_server_handler_ns: Math.round(reply.elapsedTime * 1e6),
    };
  if (flags.explain) body.explanation = d.explanation ?? [];
  if (flags.provenance) body.provenance = { version: VERSION, bundles: ctx.store.bundleRevisions() };
  return sendJSON(reply, 200, body, flags.pretty);
}

/** v0 and default-decision replies: the bare value, 404 when undefined, the envelope on errors. */
export function rawAnswer(
  reply: FastifyReply,
  d: DecisionOutcome,
  path: readonly string[],
  pretty: boolean,
): FastifyReply {
  if (d.failure) return sendError(reply, d.failure, pretty, d.decisionId);
  if (!d.defined)
    return sendError(
      reply,
      new ApiError(404, "undefined_document", `${messages.undefined}: ${showPath(path)}`),
      pretty,
    );
  return sendJSON(reply, 200, d.result, pretty);
}
