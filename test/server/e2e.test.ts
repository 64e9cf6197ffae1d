// End to end over real sockets: startServer() from a configuration, fetch as the client,
// raw HTTP for paths fetch would normalise, graceful shutdown, and TLS / mTLS with
// certificates made by the openssl CLI for this run.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, writeFileSync } from "node:fs";
import { request as httpRequest } from "node:http";
import { request as httpsRequest, type RequestOptions } from "node:https";
import { connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { buildServer } from "../../src/server/app.js";
import { defaultConfig, loadConfig } from "../../src/server/config.js";
import type { DecisionEvent, DecisionLogger } from "../../src/server/contracts.js";
import { startServer, type RunningServer } from "../../src/server/run.js";
import { examplePath, openStore, requests, users } from "./helpers.js";

const dir = mkdtempSync(join(tmpdir(), "verdict-e2e-"));
const usersFile = join(dir, "users.json");
writeFileSync(usersFile, JSON.stringify({ users }));

function config(extra: Record<string, unknown> = {}) {
  const loaded = loadConfig({
    overrides: { addr: "127.0.0.1:0", paths: [dirname(examplePath)], data_files: [usersFile], ...extra },
  });
  if (!loaded.ok) throw new Error(loaded.errors.join("\n"));
  return loaded.config;
}

/** A raw HTTP/1.1 exchange, so the path reaches the server exactly as written. */
function raw(port: number, text: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => socket.end(text));
    let out = "";
    socket.on("data", (d) => (out += d.toString()));
    socket.on("end", () => resolve(out));
    socket.on("error", reject);
  });
}

describe("over HTTP", () => {
  let server: RunningServer;
  beforeAll(async () => {
    server = await startServer(config(), { logger: false });
  });
  afterAll(() => server.close());

  it("answers decisions from the policies and data files it was started with", async () => {
    for (const { input, allow } of Object.values(requests)) {
      const res = await fetch(`${server.url}/v1/data/http/authz/allow`, {
        method: "POST",
        body: JSON.stringify({ input }),
      });
      expect(res.status).toBe(200);
      expect(((await res.json()) as { result: boolean }).result).toBe(allow);
    }
  });

  it("serves health, metrics and OpenAPI", async () => {
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
    expect(await (await fetch(`${server.url}/metrics`)).text()).toContain("verdict_decisions_total");
    expect(((await (await fetch(`${server.url}/openapi.json`)).json()) as { openapi: string }).openapi).toMatch(/^3\./);
  });

  it("refuses dot segments sent raw", async () => {
    const port = new URL(server.url).port;
    const reply = await raw(
      Number(port),
      `POST /v1/data/http/../authz HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}`,
    );
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect(reply).toContain('"code":"invalid_parameter"');
  });

  it("answers garbage on the socket with 400, and keeps serving", async () => {
    const reply = await raw(Number(new URL(server.url).port), "NOT HTTP AT ALL\r\n\r\n");
    expect(reply).toMatch(/^HTTP\/1\.1 400/);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it.each([
    ["a malformed header line", "GET /health HTTP/1.1\r\nHost: x\r\nNo colon here\r\n\r\n"],
    ["a bad Content-Length", "POST /v1/data/x HTTP/1.1\r\nHost: x\r\nContent-Length: 1x\r\n\r\n{}"],
    [
      "two different Content-Lengths",
      "POST /v1/data/x HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\nContent-Length: 3\r\n\r\n{}",
    ],
  ])("answers a request that is not valid HTTP (%s) with the JSON envelope and closes", async (_name, text) => {
    const reply = await raw(Number(new URL(server.url).port), text);
    const [head, body] = reply.split("\r\n\r\n") as [string, string];
    expect(head).toMatch(/^HTTP\/1\.1 400 Bad Request\r\n/);
    expect(head).toMatch(/\r\nConnection: close(\r\n|$)/i);
    expect(head).toMatch(/\r\nContent-Type: application\/json/i);
    expect(JSON.parse(body)).toEqual({
      code: "invalid_parameter",
      message: expect.stringMatching(/^malformed HTTP request/),
    });
  });
});

describe("request logs", () => {
  it("show the path without the query string, so inputs in ?input= never reach them", async () => {
    const lines: string[] = [];
    const stream = { write: (line: string) => lines.push(line) };
    const logged = await startServer(config(), { logger: { level: "info", stream } });
    try {
      const input = encodeURIComponent(JSON.stringify({ password: "hunter2-secret" }));
      const res = await fetch(`${logged.url}/v1/data/http/authz/allow?input=${input}&pretty`);
      expect(res.status).toBe(200);
    } finally {
      await logged.close();
    }
    const requests = lines.map((l) => JSON.parse(l) as { req?: { url: string; method: string } }).filter((l) => l.req);
    expect(requests.map((l) => l.req)).toContainEqual(
      expect.objectContaining({ method: "GET", url: "/v1/data/http/authz/allow" }),
    );
    expect(lines.join("")).not.toContain("hunter2");
    expect(lines.join("")).not.toContain("password");
  });
});

describe("with bundles", () => {
  function bundleDir(policy: string): string {
    const b = mkdtempSync(join(tmpdir(), "verdict-bundle-"));
    mkdirSync(join(b, "acl"));
    writeFileSync(join(b, ".manifest"), JSON.stringify({ revision: "rev-7", roots: ["acl"] }));
    writeFileSync(join(b, "acl", "policy.verdict"), policy);
    writeFileSync(join(b, "acl", "data.json"), JSON.stringify({ owner: "carol" }));
    return b;
  }

  it("serves a local bundle from start, refuses writes under its roots, and reports it", async () => {
    const b = bundleDir("package acl\n\nallow if input.user == data.acl.owner\n");
    const server = await startServer(config({ bundles: { acl: { resource: b } } }), { logger: false });
    const res = await fetch(`${server.url}/v1/data/acl/allow`, {
      method: "POST",
      body: '{"input": {"user": "carol"}}',
    });
    expect(await res.json()).toMatchObject({ result: true });
    const put = await fetch(`${server.url}/v1/data/acl/owner`, { method: "PUT", body: '"mallory"' });
    expect(put.status).toBe(400);
    const health = await fetch(`${server.url}/health?bundles`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ bundles: { acl: { revision: "rev-7" } } });
    expect(await (await fetch(`${server.url}/metrics`)).text()).toContain(
      'verdict_bundle_revision{bundle="acl",revision="rev-7"} 1',
    );
    await server.close();
  });

  it("does not start with a local bundle that does not compile", async () => {
    const b = bundleDir("package acl\n\nallow if {\n");
    await expect(startServer(config({ bundles: { acl: { resource: b } } }), { logger: false })).rejects.toThrow();
  });
});

describe("graceful shutdown", () => {
  it("finishes in-flight requests, refuses new connections, and flushes decision logs", async () => {
    const calls: string[] = [];
    const events: DecisionEvent[] = [];
    const logger: DecisionLogger = {
      log: (e) => void events.push(e),
      flush: async () => void calls.push("flush"),
      close: async () => void calls.push("close"),
    };
    const app = await buildServer({
      store: openStore(),
      config: defaultConfig(),
      logger: false,
      decisionLogger: logger,
    });
    await app.listen({ host: "127.0.0.1", port: 0 });
    const port = (app.server.address() as { port: number }).port;
    const body = JSON.stringify({ input: requests.adminPost.input });
    const inflight = new Promise<{ status: number; body: string; connection?: string }>((resolve, reject) => {
      const req = httpRequest(
        {
          host: "127.0.0.1",
          port,
          method: "POST",
          path: "/v1/data/http/authz/allow",
          headers: { "content-length": body.length },
        },
        (res) => {
          let text = "";
          res.on("data", (d) => (text += d));
          res.on("end", () => resolve({ status: res.statusCode ?? 0, body: text, connection: res.headers.connection }));
        },
      );
      req.on("error", reject);
      // Once the server has the request (headers and part of the body), close, then finish it.
      app.server.once("request", () => {
        closing = app.close();
        setTimeout(() => req.end(body.slice(5)), 50);
      });
      req.write(body.slice(0, 5));
    });
    let closing: Promise<void> | undefined;
    const done = await inflight;
    expect(done.status).toBe(200);
    // The client is told to hang up, so close() does not wait for an idle keep-alive socket.
    expect(done.connection).toBe("close");
    expect(JSON.parse(done.body).result).toBe(true);
    await closing;
    expect(calls).toEqual(["close"]);
    expect(events).toHaveLength(1);
    await expect(fetch(`http://127.0.0.1:${port}/health`)).rejects.toThrow();
  });
});

describe("TLS", () => {
  const certs = mkdtempSync(join(tmpdir(), "verdict-tls-"));
  const f = (name: string) => join(certs, name);
  const openssl = (...args: string[]) => execFileSync("openssl", args, { cwd: certs, stdio: "pipe" });

  /** A CA, and a certificate it signs (server: SAN 127.0.0.1; client: clientAuth). */
  function makeCA(name: string): void {
    openssl(
      "req",
      "-x509",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      f(`${name}.key`),
      "-out",
      f(`${name}.pem`),
      "-days",
      "2",
      "-subj",
      `/CN=${name}`,
    );
  }
  function makeCert(name: string, ca: string, ext: string): void {
    openssl(
      "req",
      "-newkey",
      "rsa:2048",
      "-nodes",
      "-keyout",
      f(`${name}.key`),
      "-out",
      f(`${name}.csr`),
      "-subj",
      `/CN=${name}`,
    );
    writeFileSync(f(`${name}.ext`), ext);
    openssl(
      "x509",
      "-req",
      "-in",
      f(`${name}.csr`),
      "-CA",
      f(`${ca}.pem`),
      "-CAkey",
      f(`${ca}.key`),
      "-CAcreateserial",
      "-out",
      f(`${name}.pem`),
      "-days",
      "2",
      "-extfile",
      f(`${name}.ext`),
    );
  }

  beforeAll(() => {
    makeCA("ca");
    makeCA("other-ca");
    makeCert("server", "ca", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n");
    makeCert("client", "ca", "extendedKeyUsage=clientAuth\n");
    makeCert("stranger", "other-ca", "extendedKeyUsage=clientAuth\n");
  });

  const read = (name: string) => execFileSync("cat", [f(name)]);

  function get(url: string, options: RequestOptions = {}): Promise<number> {
    return new Promise((resolve, reject) => {
      const req = httpsRequest(url, { ca: read("ca.pem"), agent: false, ...options }, (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      });
      req.on("error", reject);
      req.end();
    });
  }

  it("serves HTTPS with the configured certificate", async () => {
    const server = await startServer(config({ tls: { cert_file: f("server.pem"), key_file: f("server.key") } }), {
      logger: false,
    });
    expect(server.url).toMatch(/^https:/);
    expect(await get(`${server.url}/health`)).toBe(200);
    await expect(fetch(server.url.replace("https", "http") + "/health")).rejects.toThrow();
    await server.close();
  });

  it("requires a client certificate signed by the configured CA (mTLS)", async () => {
    const tls = { cert_file: f("server.pem"), key_file: f("server.key"), client_ca_file: f("ca.pem") };
    const server = await startServer(config({ tls }), { logger: false });
    const url = `${server.url}/v1/data/http/authz/allow`;
    expect(await get(url, { cert: read("client.pem"), key: read("client.key") })).toBe(200);
    await expect(get(url)).rejects.toThrow();
    await expect(get(url, { cert: read("stranger.pem"), key: read("stranger.key") })).rejects.toThrow();
    await server.close();
  });

  it("fails to start with a clear message when a file is missing", async () => {
    await expect(
      startServer(config({ tls: { cert_file: f("nope.pem"), key_file: f("server.key") } }), { logger: false }),
    ).rejects.toThrow(/tls: cannot read the certificate/);
  });
});
