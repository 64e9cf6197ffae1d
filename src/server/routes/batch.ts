// `POST /v1/batch/data/{path}` with `{"inputs": {"<id>": <input>, ...}}`: one decision per
// input, each with its own decision id. 200 when every decision succeeded; otherwise 207 with
// `http_status_code` on every response ("200", or "500" with the error envelope), the shape
// the @styra/opa SDK (and Enterprise OPA's batch API) expect. All decisions of a batch share
// one time budget (`limits.eval_timeout_ms`); once it is spent the rest fail with budget_exceeded.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { randomUUID } from "node:crypto";
import { decide, type ServerContext } from "../decide.js";
import { badRequest } from "../errors.js";
import { isPlainObject, own, readJSONBody, sendJSON } from "../json.js";
import { dataPath } from "../paths.js";
import { anyJSON, decisionFlags, decisionQuery, errorSchema, pathParams } from "./shared.js";

type PathRequest = FastifyRequest<{ Params: { "*"?: string } }>;

export function batchRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const handler = (req: PathRequest, reply: FastifyReply) => {
    const flags = decisionFlags(req);
    const path = dataPath(req.params["*"]);
    const body = readJSONBody(req, ctx.config.limits.max_json_depth);
    const inputs = isPlainObject(body) ? own(body, "inputs") : undefined;
    if (!isPlainObject(inputs)) throw badRequest('request body must be {"inputs": {"<id>": <input>, ...}}');
    const responses = Object.create(null) as Record<string, Record<string, unknown>>;
    let failures = 0;
    const ids = Object.keys(inputs);
    // The whole batch shares one evaluation time budget: a batch must not hold the server
    // longer than a single decision may.
    const deadline = Date.now() + ctx.config.limits.eval_timeout_ms;
    for (const id of ids) {
      const d = decide(ctx, req, path, inputs[id], flags.explain, deadline - Date.now());
      const r: Record<string, unknown> = {};
      if (d.failure) {
        failures++;
        Object.assign(r, d.failure.envelope());
      } else if (d.defined) r.result = d.result;
      r.decision_id = d.decisionId;
      if (d.warning) r.warning = d.warning;
      if (flags.explain && !d.failure) r.explanation = d.explanation ?? [];
      if (flags.metrics) r.metrics = { timer_rego_query_eval_ns: d.evalNs };
      responses[id] = r;
    }
    // Mixed results carry a status per response; the SDK only knows "200" and "500".
    if (failures > 0) for (const id of ids) responses[id]!.http_status_code = "code" in responses[id]! ? "500" : "200";
    const out: Record<string, unknown> = { batch_decision_id: randomUUID(), responses };
    if (flags.metrics) out.metrics = { timer_server_handler_ns: Math.round(reply.elapsedTime * 1e6) };
    return sendJSON(reply, failures > 0 ? 207 : 200, out, flags.pretty);
  };

  const schema = {
    summary: "Evaluate one decision per input",
    tags: ["decisions"],
    params: pathParams,
    querystring: decisionQuery,
    body: {
      type: "object",
      required: ["inputs"],
      properties: { inputs: { type: "object", additionalProperties: anyJSON } },
    },
    response: {
      200: { type: "object", properties: { batch_decision_id: { type: "string" }, responses: { type: "object" } } },
      207: {
        description: "Some decisions failed: each response has http_status_code",
        type: "object",
        properties: { batch_decision_id: { type: "string" }, responses: { type: "object" } },
      },
      400: errorSchema,
    },
  };
  for (const url of ["/v1/batch/data", "/v1/batch/data/*"]) app.post(url, { schema }, handler);
}
