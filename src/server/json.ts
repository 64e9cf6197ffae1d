// Request bodies in, JSON out. Bodies arrive as raw bytes (any content type, as OPA accepts,
// so `curl -d` works) and are parsed here: UTF-8 checked, nesting depth checked *before*
// parsing, then JSON.parse, which makes keys such as `__proto__` plain own properties.
// (fastify's default parser, secure-json-parse, rejects or strips them; OPA clients may send
// them as data.) Nothing here copies parsed objects with plain assignment.
import { nestingDepth } from "../eval/input.js";
import { gunzipSync } from "node:zlib";
import type { FastifyInstance, FastifyReply, FastifyRequest } from "fastify";
import { badRequest, messages } from "./errors.js";

export interface BodyLimits {
  readonly maxBodyBytes: number;
  readonly maxDepth: number;
}

export type Parsed = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly message: string };

const utf8 = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Every request body becomes a Buffer (gzip-decoded when sent with `Content-Encoding: gzip`). */
export function registerBodyParser(app: FastifyInstance, limits: BodyLimits): void {
  app.removeAllContentTypeParsers();
  app.addContentTypeParser("*", { parseAs: "buffer", bodyLimit: limits.maxBodyBytes }, (req, body, done) => {
    if (!isGzip(req)) return done(null, body);
    try {
      done(null, gunzipSync(body as Buffer, { maxOutputLength: limits.maxBodyBytes }));
    } catch (err) {
      const tooLarge = (err as NodeJS.ErrnoException).code === "ERR_BUFFER_TOO_LARGE";
      done(badRequest(tooLarge ? messages.bodyTooLarge : "request body is not valid gzip"), undefined);
    }
  });
  // An empty Content-Type header would otherwise be refused with 415.
  // A callback hook: an async one would cost a promise per request on the decision path.
  app.addHook("onRequest", (req, _reply, done) => {
    if (req.headers["content-type"] === "") delete req.headers["content-type"];
    done();
  });
}

function isGzip(req: FastifyRequest): boolean {
  const enc = req.headers["content-encoding"];
  return typeof enc === "string" && enc.trim().toLowerCase() === "gzip";
}

/** The raw body as text; undefined when the request has none. */
export function bodyText(req: FastifyRequest): string | undefined {
  const body = req.body;
  if (body === undefined || body === null) return undefined;
  if (!Buffer.isBuffer(body)) throw badRequest("request body could not be read");
  if (body.length === 0) return undefined;
  try {
    return utf8.decode(body);
  } catch {
    throw badRequest("request body is not valid UTF-8");
  }
}

/**
 * Parses JSON text; refuses documents nested deeper than `maxDepth` without building them, and
 * numbers beyond a double's range (JSON.parse makes them ±Infinity, which would become null).
 */
export function parseJSON(text: string, maxDepth: number): Parsed {
  const depth = nestingDepth(text, maxDepth);
  if (depth > maxDepth) return { ok: false, message: `JSON nested more than ${maxDepth} levels deep` };
  let value: unknown;
  try {
    value = JSON.parse(text) as unknown;
  } catch (err) {
    return { ok: false, message: `malformed JSON: ${(err as Error).message}` };
  }
  // Only a 3-digit exponent or 309+ digits can overflow: the walk is skipped for nearly every body.
  if (MAY_OVERFLOW.test(text) && hasNonFinite(value)) return { ok: false, message: "number out of range" };
  return { ok: true, value };
}

const MAY_OVERFLOW = /[eE][+-]?\d{3}|\d{309}/;

function hasNonFinite(root: unknown): boolean {
  const stack: unknown[] = [root];
  while (stack.length) {
    const v = stack.pop();
    if (typeof v === "number") {
      if (!Number.isFinite(v)) return true;
    } else if (typeof v === "object" && v !== null) {
      // A loop, not push(...values): a spread of a huge array overflows the call stack.
      for (const item of Array.isArray(v) ? v : Object.values(v)) stack.push(item);
    }
  }
  return false;
}

/** The body as JSON, or undefined when empty; a 400 ApiError when it is not JSON. */
export function readJSONBody(req: FastifyRequest, maxDepth: number): unknown {
  const text = bodyText(req);
  if (text === undefined) return undefined;
  const parsed = parseJSON(text, maxDepth);
  if (!parsed.ok) throw badRequest(`request body: ${parsed.message}`);
  return parsed.value;
}

export const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/** Own-property read, so `__proto__` and friends are just keys. */
export function own(o: Record<string, unknown>, key: string): unknown {
  return Object.prototype.hasOwnProperty.call(o, key) ? o[key] : undefined;
}

/** Sends a JSON body (serialised here, so fastify never reshapes it); `pretty` indents it like OPA. */
export function sendJSON(reply: FastifyReply, status: number, body: unknown, pretty = false): FastifyReply {
  const text = pretty ? JSON.stringify(body, null, 2) + "\n" : JSON.stringify(body);
  return reply.code(status).type("application/json").send(text);
}

/** OPA's boolean query flags: present (`?pretty`, `?pretty=true`) means on, unless `false`/`0`. */
export function flag(query: unknown, name: string): boolean {
  if (!isPlainObject(query)) return false;
  const v = own(query, name);
  if (v === undefined) return false;
  const s = Array.isArray(v) ? String(v[v.length - 1]) : String(v);
  return s !== "false" && s !== "0";
}
