// `POST /`: the configured default decision (`default_decision`, "system/main" like OPA).
// The raw body is the input and the raw value the reply; 404 when it is undefined.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { decide, type ServerContext } from "../decide.js";
import { flag, readJSONBody } from "../json.js";
import { decisionPath } from "../paths.js";
import { rawAnswer } from "./data.js";
import { anyJSON, errorSchema } from "./shared.js";

export function defaultRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const path = decisionPath(ctx.config.default_decision);
  const depth = ctx.config.limits.max_json_depth;
  const schema = {
    summary: `Evaluate the default decision (data.${path.join(".")})`,
    tags: ["decisions"],
    body: anyJSON,
    response: { 200: anyJSON, 400: errorSchema, 404: errorSchema, 500: errorSchema },
  };
  app.post("/", { schema }, (req: FastifyRequest, reply: FastifyReply) => {
    const input = readJSONBody(req, depth);
    return rawAnswer(reply, decide(ctx, req, path, input), path, flag(req.query, "pretty"));
  });
}
