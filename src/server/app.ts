// The decision server as a fastify app, built separately from listening (tests use inject()).
// Every error, from any layer (router, body parser, auth, routes), leaves as the JSON envelope.
import swagger from "@fastify/swagger";
import { Ajv } from "ajv";
import Fastify, {
  type FastifyError,
  type FastifyInstance,
  type FastifyRequest,
  type FastifyServerOptions,
} from "fastify";
import type { Duplex } from "node:stream";
import { defaultConfig, type ServerConfig } from "./config.js";
import type { DecisionLogger } from "./contracts.js";
import { evaluateOptions, type ServerContext } from "./decide.js";
import { ApiError, envelope, messages } from "./errors.js";
import { registerAuth } from "./auth.js";
import { prepareInputSchemas } from "./input-schema.js";
import { registerBodyParser, sendJSON } from "./json.js";
import { ServerMetrics } from "./metrics.js";
import type { PolicyStore } from "./store.js";
import { httpsOptions } from "./tls.js";
import { batchRoutes } from "./routes/batch.js";
import { configRoutes } from "./routes/config.js";
import { dataRoutes, VERSION } from "./routes/data.js";
import { dataWriteRoutes } from "./routes/data-write.js";
import { defaultRoutes } from "./routes/default.js";
import { healthRoutes } from "./routes/health.js";
import { metricsRoutes } from "./routes/metrics.js";
import { policyRoutes } from "./routes/policies.js";

export interface ServerOptions {
  readonly store: PolicyStore;
  /** Defaults to `defaultConfig()`. */
  readonly config?: ServerConfig;
  /** Receives every decision; flushed and closed when the server closes. */
  readonly decisionLogger?: DecisionLogger;
  /** Created here when absent; pass one to wire other components (decision-log drops) to it. */
  readonly metrics?: ServerMetrics;
  /** fastify's (pino) logger option; defaults to JSON logs at the configured level. */
  readonly logger?: FastifyServerOptions["logger"];
  /** Node process metrics in /metrics (default true). */
  readonly processMetrics?: boolean;
}

export async function buildServer(options: ServerOptions): Promise<FastifyInstance> {
  const config = options.config ?? defaultConfig();
  const https = httpsOptions(config.tls);
  const app = Fastify({
    ...(https ? { https } : {}),
    logger: withRequestSerializer(options.logger ?? { level: config.log_level }),
    bodyLimit: config.limits.max_body_bytes,
    // HEAD would evaluate (and log) a decision only to drop the answer; /health opts back in.
    exposeHeadRoutes: false,
    clientErrorHandler: answerClientError,
    // While closing, requests already on open connections are still answered (with
    // `Connection: close`); no new connections are accepted.
    return503OnClosing: false,
    forceCloseConnections: "idle",
    routerOptions: { maxParamLength: 2048 },
    frameworkErrors: (err, _req, reply) => {
      sendJSON(reply, 400, envelope("invalid_parameter", `bad request: ${err.message}`));
    },
  }) as unknown as FastifyInstance;

  const metrics = options.metrics ?? new ServerMetrics({ processMetrics: options.processMetrics !== false });
  options.store.onEvent((e) => {
    metrics.storeEvent(e);
    if (e.type === "swapped") prepareInputSchemas(options.store.policy.program);
  });
  prepareInputSchemas(options.store.policy.program);
  const ctx: ServerContext = {
    store: options.store,
    config,
    metrics,
    evaluate: evaluateOptions(config),
    ...(options.decisionLogger ? { decisionLogger: options.decisionLogger } : {}),
  };

  // Route schemas validate params and query strings; bodies are parsed and checked by the
  // routes themselves, and responses are serialised by sendJSON (schemas document them).
  const ajv = new Ajv({ strict: false });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === "body" ? () => true : ajv.compile(schema)));
  app.setSerializerCompiler(() => (data) => JSON.stringify(data));
  registerBodyParser(app, { maxBodyBytes: config.limits.max_body_bytes, maxDepth: config.limits.max_json_depth });

  registerAuth(app, {
    ...(config.auth.token ? { token: config.auth.token } : {}),
    ...(config.auth.management_token ? { managementToken: config.auth.management_token } : {}),
  });
  app.addHook("onResponse", (req, reply, done) => {
    metrics.request(req.routeOptions.url ?? "unmatched", req.method, reply.statusCode, reply.elapsedTime / 1000);
    done();
  });
  drainOnClose(app);
  // close() flushes within the logger's own deadline; a separate flush() first could wait twice.
  app.addHook("onClose", async () => {
    await options.decisionLogger?.close();
  });
  app.setErrorHandler((err: FastifyError, req, reply) => {
    const e = toApiError(err, config.limits.max_body_bytes);
    if (e.status >= 500 && !(err instanceof ApiError)) req.log.error({ err }, "request failed");
    return sendJSON(reply, e.status, e.envelope());
  });
  app.setNotFoundHandler((req, reply) => {
    const where = req.url.length > 200 ? req.url.slice(0, 200) + "…" : req.url;
    return sendJSON(reply, 404, envelope("resource_not_found", `no such route: ${req.method} ${where}`));
  });

  await app.register(swagger, {
    openapi: {
      info: { title: "Verdict decision server", version: VERSION, description: "OPA-compatible decision API" },
      components: { securitySchemes: { bearer: { type: "http", scheme: "bearer" } } },
      security: [{ bearer: [] }],
    },
  });
  dataRoutes(app, ctx);
  dataWriteRoutes(app, ctx);
  batchRoutes(app, ctx);
  defaultRoutes(app, ctx);
  policyRoutes(app, ctx);
  healthRoutes(app, ctx);
  metricsRoutes(app, ctx);
  configRoutes(app, ctx);
  app.get("/openapi.json", { schema: { hide: true } }, () => app.swagger());
  await app.ready();
  return app;
}

/**
 * Request log lines show the path only: query strings carry inputs (`GET /v1/data/x?input=…`),
 * which must not reach the logs unmasked.
 */
function withRequestSerializer(logger: FastifyServerOptions["logger"]): FastifyServerOptions["logger"] {
  if (logger === false || logger === undefined) return logger;
  const base = logger === true ? {} : logger;
  return { ...base, serializers: { req: serializeRequest, ...base.serializers } };
}

export function serializeRequest(req: FastifyRequest): Record<string, unknown> {
  const q = req.url.indexOf("?");
  return {
    method: req.method,
    url: q === -1 ? req.url : req.url.slice(0, q),
    host: req.host,
    remoteAddress: req.ip,
    remotePort: req.socket?.remotePort,
  };
}

/**
 * What Node's HTTP parser refuses (a malformed header, a bad Content-Length, oversized headers)
 * never reaches a route: answer it with the JSON envelope and close the connection.
 */
function answerClientError(err: Error & { code?: string }, socket: Duplex): void {
  if (err.code === "ECONNRESET" || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, reason, message] =
    err.code === "HPE_HEADER_OVERFLOW"
      ? [431, "Request Header Fields Too Large", "request headers too large"]
      : err.code === "ERR_HTTP_REQUEST_TIMEOUT"
        ? [408, "Request Timeout", "request timed out"]
        : [400, "Bad Request", `malformed HTTP request${err.code ? ` (${err.code})` : ""}`];
  const body = JSON.stringify(envelope("invalid_parameter", message));
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Any error as an ApiError: client mistakes are 400s with a clear message, the rest 500s. */
function toApiError(err: FastifyError, maxBody: number): ApiError {
  if (err instanceof ApiError) return err;
  if (err.code === "FST_ERR_CTP_BODY_TOO_LARGE")
    return new ApiError(400, "invalid_parameter", `${messages.bodyTooLarge} (limit ${maxBody} bytes)`);
  if (err.validation) return new ApiError(400, "invalid_parameter", `bad request: ${err.message}`);
  const status = err.statusCode ?? 500;
  if (status >= 400 && status < 500) return new ApiError(400, "invalid_parameter", `bad request: ${err.message}`);
  return new ApiError(500, "internal_error", "internal server error");
}

/**
 * Graceful shutdown: once closing starts, every response asks the client to close its
 * connection, and idle keep-alive connections are closed as they become idle, so `close()`
 * ends when the in-flight requests are answered instead of waiting for clients to hang up.
 */
function drainOnClose(app: FastifyInstance): void {
  let closing = false;
  let timer: NodeJS.Timeout | undefined;
  app.addHook("preClose", (done) => {
    closing = true;
    const server = app.server as { closeIdleConnections?: () => void };
    timer = setInterval(() => server.closeIdleConnections?.(), 50);
    timer.unref();
    done();
  });
  app.addHook("onSend", (_req, reply, payload, done) => {
    if (closing) reply.header("connection", "close");
    done(null, payload);
  });
  app.addHook("onClose", (_app, done) => {
    clearInterval(timer);
    done();
  });
}
