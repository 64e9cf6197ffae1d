// `GET /health`: 200 `{}` once policies are loaded (the store always holds a compiled policy
// after start-up); `?bundles` (or `?bundle`) is 500 until every configured bundle has been
// activated. When bundles exist, their revisions and last errors are included as details.
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import type { ServerContext } from "../decide.js";
import { flag, sendJSON } from "../json.js";
import { queryFlag } from "./shared.js";

export function healthRoutes(app: FastifyInstance, ctx: ServerContext): void {
  const handler = (req: FastifyRequest, reply: FastifyReply) => {
    const status = ctx.store.bundleStatus();
    const details = Object.keys(status).length ? { bundles: status } : {};
    if (flag(req.query, "bundles") || flag(req.query, "bundle")) {
      const pending = ctx.store.pendingBundles();
      if (pending.length)
        return sendJSON(reply, 500, { error: `bundles not activated yet: ${pending.join(", ")}`, ...details });
    }
    return sendJSON(reply, 200, details);
  };
  const schema = {
    summary: "Health check",
    tags: ["health"],
    querystring: {
      type: "object",
      properties: { bundles: queryFlag, bundle: queryFlag, plugins: queryFlag, "exclude-plugin": queryFlag },
    },
    response: {
      200: { type: "object", properties: { bundles: { type: "object" } } },
      500: { type: "object", properties: { error: { type: "string" }, bundles: { type: "object" } } },
    },
  };
  // HEAD is off for every other route (app.ts); probes may use it here.
  app.get("/health", { config: { access: "public" }, schema, exposeHeadRoute: true }, handler);
}
