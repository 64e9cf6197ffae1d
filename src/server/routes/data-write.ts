// Management writes to base data: `PUT` (replace), `PATCH` (JSON Patch), `DELETE`. Each
// change re-binds the data of the current policy atomically; paths a bundle owns are refused.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ServerContext } from "../decide.js";
import { ApiError, badRequest, fromDiagnostics, messages, notFound } from "../errors.js";
import { applyPatch, parsePatch } from "../json-patch.js";
import { readJSONBody } from "../json.js";
import { dataPath } from "../paths.js";
import type { Change } from "../store.js";
import { anyJSON, errorSchema, pathParams } from "./shared.js";

type PathRequest = FastifyRequest<{ Params: { "*"?: string } }>;

/** A store refusal as the API error OPA would send. */
export function changeError(change: Exclude<Change, { ok: true }>): ApiError {
  switch (change.kind) {
    case "not_found":
      return notFound(change.message);
    case "owned":
    case "invalid":
      return badRequest(change.message);
    case "compile":
      return change.diagnostics?.length
        ? badRequest(messages.compile, fromDiagnostics(change.diagnostics))
        : badRequest(change.message);
  }
}

const done = (reply: FastifyReply, change: Change): FastifyReply => {
  if (!change.ok) throw changeError(change);
  return reply.code(204).send();
};

export function dataWriteRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const depth = ctx.config.limits.max_json_depth;
  const store = ctx.store;

  const put = (req: PathRequest, reply: FastifyReply) => {
    const path = dataPath(req.params["*"]);
    const value = readJSONBody(req, depth);
    if (value === undefined) throw badRequest("PUT needs a JSON document as its body");
    if (req.headers["if-none-match"] === "*" && store.getData(path) !== undefined) return reply.code(304).send();
    return done(reply, store.putData(path, value));
  };

  const patch = (req: PathRequest, reply: FastifyReply) => {
    const path = dataPath(req.params["*"]);
    const parsed = parsePatch(readJSONBody(req, depth));
    if (!parsed.ok) throw badRequest(parsed.message);
    for (const op of parsed.ops) {
      const refused =
        store.checkWrite([...path, ...op.path]) ?? ("from" in op ? store.checkWrite([...path, ...op.from]) : null);
      if (refused && !refused.ok) throw changeError(refused);
    }
    const result = applyPatch(store.getData(path), parsed.ops);
    if (!result.ok) {
      if (result.kind === "not_found") throw notFound(result.message);
      if (result.kind === "test_failed") throw new ApiError(409, "resource_conflict", result.message);
      throw badRequest(result.message);
    }
    return done(reply, result.doc === undefined ? store.deleteData(path) : store.putData(path, result.doc));
  };

  const remove = (req: PathRequest, reply: FastifyReply) => done(reply, store.deleteData(dataPath(req.params["*"])));

  const schema = (summary: string, body?: object) => ({
    summary,
    tags: ["data"],
    params: pathParams,
    ...(body ? { body } : {}),
    response: { 204: { description: "Done", type: "null" }, 400: errorSchema, 401: errorSchema, 404: errorSchema },
  });
  const patchBody = {
    type: "array",
    description: "RFC 6902 operations (add, remove, replace, move, copy, test); paths are relative to the URL path",
    items: {
      type: "object",
      properties: { op: { type: "string" }, path: { type: "string" }, from: { type: "string" }, value: anyJSON },
    },
  };
  const config = { access: "management" as const };
  for (const url of ["/v1/data", "/v1/data/*"]) {
    app.put(url, { config, schema: schema("Create or replace a base data document", anyJSON) }, put);
    app.patch(url, { config, schema: schema("Apply a JSON Patch to a base data document", patchBody) }, patch);
    app.delete(url, { config, schema: schema("Delete a base data document") }, remove);
  }
}
