// `GET /v1/config`: the running configuration with secrets removed (management access).
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { redactConfig } from "../config.js";
import type { ServerContext } from "../decide.js";
import { flag, sendJSON } from "../json.js";

export function configRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const redacted = redactConfig(ctx.config);
  const schema = {
    summary: "The configuration, without secrets",
    tags: ["operations"],
    response: { 200: { type: "object", properties: { result: { type: "object" } } } },
  };
  app.get("/v1/config", { config: { access: "management" }, schema }, (req: FastifyRequest, reply: FastifyReply) =>
    sendJSON(reply, 200, { result: redacted }, flag(req.query, "pretty")),
  );
}
