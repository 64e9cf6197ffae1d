// The Policies API: `PUT /v1/policies/{id}` (the module's text; 400 with every compile error
// located), `GET` and `DELETE` by id, and `GET /v1/policies`. Policies from bundles are listed
// but cannot be changed here. Ids may contain slashes (they are usually file paths).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ServerContext } from "../decide.js";
import { badRequest, notFound } from "../errors.js";
import { bodyText, flag, sendJSON } from "../json.js";
import type { PolicyEntry } from "../store.js";
import { changeError } from "./data-write.js";
import { errorSchema } from "./shared.js";

type IdRequest = FastifyRequest<{ Params: { "*"?: string } }>;

const view = (p: PolicyEntry) =>
  p.bundle === undefined ? { id: p.id, raw: p.source } : { id: p.id, raw: p.source, bundle: p.bundle };

function policyId(req: IdRequest): string {
  const id = req.params["*"] ?? "";
  if (id === "") throw badRequest("a policy id is required: /v1/policies/{id}");
  return id;
}

export function policyRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const store = ctx.store;
  const pretty = (req: FastifyRequest) => flag(req.query, "pretty");

  const list = (req: FastifyRequest, reply: FastifyReply) =>
    sendJSON(reply, 200, { result: store.listPolicies().map(view) }, pretty(req));

  const get = (req: IdRequest, reply: FastifyReply) => {
    const id = policyId(req);
    const p = store.getPolicy(id);
    if (!p) throw notFound(`policy id '${id}' not found`);
    return sendJSON(reply, 200, { result: view(p) }, pretty(req));
  };

  const put = (req: IdRequest, reply: FastifyReply) => {
    const id = policyId(req);
    const started = process.hrtime.bigint();
    const change = store.putPolicy(id, bodyText(req) ?? "");
    if (!change.ok) throw changeError(change);
    const body = flag(req.query, "metrics")
      ? { metrics: { timer_rego_module_compile_ns: Number(process.hrtime.bigint() - started) } }
      : {};
    return sendJSON(reply, 200, body, pretty(req));
  };

  const remove = (req: IdRequest, reply: FastifyReply) => {
    const change = store.deletePolicy(policyId(req));
    if (!change.ok) throw changeError(change);
    return sendJSON(reply, 200, {}, pretty(req));
  };

  const config = { access: "management" as const };
  const params = { type: "object", properties: { "*": { type: "string", description: "The policy id" } } };
  const policy = {
    type: "object",
    properties: { id: { type: "string" }, raw: { type: "string" }, bundle: { type: "string" } },
  };
  const tags = ["policies"];
  app.get(
    "/v1/policies",
    {
      config,
      schema: {
        summary: "List policies",
        tags,
        response: { 200: { type: "object", properties: { result: { type: "array", items: policy } } } },
      },
    },
    list,
  );
  app.get(
    "/v1/policies/*",
    {
      config,
      schema: {
        summary: "Get a policy",
        tags,
        params,
        response: { 200: { type: "object", properties: { result: policy } }, 404: errorSchema },
      },
    },
    get,
  );
  app.put(
    "/v1/policies/*",
    {
      config,
      schema: {
        summary:
          "Create or replace a policy (the body is the module text); compile errors are 400 with every error located",
        tags,
        params,
        body: { type: "string" },
        response: { 200: { type: "object" }, 400: errorSchema },
      },
    },
    put,
  );
  app.delete(
    "/v1/policies/*",
    {
      config,
      schema: {
        summary: "Delete a policy",
        tags,
        params,
        response: { 200: { type: "object" }, 400: errorSchema, 404: errorSchema },
      },
    },
    remove,
  );
}
