// Shared set-up for the server tests: the example policy with a few users, and servers built
// for inject() (no sockets) from a config override.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import type { FastifyInstance, LightMyRequestResponse } from "fastify";
import { buildServer, type ServerOptions } from "../../src/server/app.js";
import { defaultConfig } from "../../src/server/config.js";
import { PolicyStore, type StoreOptions } from "../../src/server/store.js";

export const examplePath = fileURLToPath(new URL("../../policies/http/example.verdict", import.meta.url));
export const exampleSource = readFileSync(examplePath, "utf8");

export const users = {
  alice: { id: "alice", roles: ["admin"], verified: true },
  bob: { id: "bob", roles: ["dev"], verified: true },
};

/** Inputs for data.http.authz.allow and the result each must give. */
export const requests = {
  publicGet: { input: { request: { method: "GET", path: "/public/docs", user: "bob", tls: true } }, allow: true },
  adminPost: { input: { request: { method: "POST", path: "/admin", user: "alice", tls: true } }, allow: true },
  devPost: { input: { request: { method: "POST", path: "/admin", user: "bob", tls: true } }, allow: false },
} as const;

export function openStore(options: StoreOptions = {}): PolicyStore {
  const opened = PolicyStore.open({
    sources: [{ file: "http/example.verdict", source: exampleSource }],
    data: { users },
    ...options,
  });
  if (!opened.ok) throw new Error(opened.message + "\n" + opened.diagnostics.map((d) => d.message).join("\n"));
  return opened.store;
}

export interface TestServer {
  readonly app: FastifyInstance;
  readonly store: PolicyStore;
}

export async function makeServer(
  config: Record<string, unknown> = {},
  options: Partial<ServerOptions> & { storeOptions?: StoreOptions } = {},
): Promise<TestServer> {
  const store = options.store ?? openStore(options.storeOptions);
  const app = await buildServer({
    logger: false,
    processMetrics: false,
    ...options,
    store,
    config: defaultConfig(config),
  });
  return { app, store };
}

/** The parsed JSON body of a response. */
export const json = (res: LightMyRequestResponse): Record<string, unknown> => res.json<Record<string, unknown>>();

/** Checks the error envelope every error response must have; returns it. */
export function envelopeOf(res: LightMyRequestResponse, status: number, code: string): Record<string, unknown> {
  if (res.statusCode !== status) throw new Error(`expected ${status}, got ${res.statusCode}: ${res.body}`);
  if (!String(res.headers["content-type"]).startsWith("application/json")) throw new Error("not JSON: " + res.body);
  const body = json(res);
  if (body.code !== code) throw new Error(`expected code ${code}: ${res.body}`);
  if (typeof body.message !== "string" || body.message === "") throw new Error("no message: " + res.body);
  for (const e of (body.errors as Record<string, unknown>[] | undefined) ?? []) {
    if (typeof e.code !== "string" || typeof e.message !== "string") throw new Error("bad error detail: " + res.body);
    const loc = e.location as Record<string, unknown> | undefined;
    if (loc && (typeof loc.file !== "string" || !Number.isInteger(loc.row) || !Number.isInteger(loc.col)))
      throw new Error("bad location: " + res.body);
  }
  return body;
}
