// Bearer-token authentication. Each route declares its access level in its fastify config:
// "public" (health), "decision" (decisions, metrics, OpenAPI) or "management" (policies, data
// writes, config). With `token`, every non-public route needs it; with `management_token`,
// management routes need that token alone, so decision clients cannot change policy.
import { createHash, timingSafeEqual } from "node:crypto";
import type { FastifyInstance } from "fastify";
import { ApiError, messages } from "./errors.js";

export type Access = "public" | "decision" | "management";

declare module "fastify" {
  interface FastifyContextConfig {
    /** Who may call the route; "decision" when absent. */
    access?: Access;
  }
}

export interface AuthOptions {
  readonly token?: string;
  readonly managementToken?: string;
}

const digest = (token: string): Buffer => createHash("sha256").update(token).digest();

/** Checks tokens in constant time (over their SHA-256 digests, so lengths leak nothing either). */
function matches(presented: string, allowed: readonly Buffer[]): boolean {
  const d = digest(presented);
  let ok = false;
  for (const a of allowed) ok = timingSafeEqual(d, a) || ok;
  return ok;
}

/** The token of an `Authorization: Bearer <token>` header. */
export function bearerToken(header: string | undefined): string | undefined {
  const m = header === undefined ? null : /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
  return m?.[1];
}

export function registerAuth(app: FastifyInstance, options: AuthOptions): void {
  const { token, managementToken } = options;
  if (token === undefined && managementToken === undefined) return;
  const decision = token === undefined ? null : [token, managementToken].filter((t) => t !== undefined).map(digest);
  const management = [managementToken ?? token!].map(digest);
  app.addHook("onRequest", async (req, reply) => {
    const access = req.routeOptions.config?.access ?? "decision";
    if (access === "public") return;
    const allowed = access === "management" ? management : decision;
    if (allowed === null) return; // no decision token configured: decision APIs are open
    const presented = bearerToken(req.headers.authorization);
    if (presented !== undefined && matches(presented, allowed)) return;
    reply.header("www-authenticate", 'Bearer realm="verdict"');
    const wrongKind = access === "management" && presented !== undefined && decision && matches(presented, decision);
    throw new ApiError(401, "unauthorized", wrongKind ? messages.management : messages.unauthorized);
  });
}
