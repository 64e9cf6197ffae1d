// `GET /metrics`: Prometheus text format from the server's own registry.
import type { FastifyInstance, FastifyReply } from "fastify";
import type { ServerContext } from "../decide.js";

export function metricsRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const registry = ctx.metrics.registry;
  const schema = { summary: "Prometheus metrics", tags: ["operations"], response: { 200: { type: "string" } } };
  app.get("/metrics", { schema }, async (_req, reply: FastifyReply) => {
    const text = await registry.metrics();
    return reply.type(registry.contentType).send(text);
  });
}
