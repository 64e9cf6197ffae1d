// Configuration: file < environment < flags, ajv validation with messages naming the source,
// token files, and redaction for GET /v1/config.
import { mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { loadConfig, parseAddr, redactConfig, redactUrl, type ServerConfig } from "../../src/server/config.js";

const dir = mkdtempSync(join(tmpdir(), "verdict-config-"));
const file = (name: string, text: string): string => {
  const p = join(dir, name);
  writeFileSync(p, text);
  return p;
};

function ok(options: Parameters<typeof loadConfig>[0]): ServerConfig {
  const loaded = loadConfig(options);
  if (!loaded.ok) throw new Error(loaded.errors.join("\n"));
  return loaded.config;
}

function errors(options: Parameters<typeof loadConfig>[0]): string[] {
  const loaded = loadConfig(options);
  if (loaded.ok) throw new Error("expected errors");
  return loaded.errors;
}

describe("loadConfig", () => {
  it("fills in defaults", () => {
    const c = ok({});
    expect(c.addr).toBe("127.0.0.1:8181");
    expect(c.default_decision).toBe("system/main");
    expect(c.input_validation).toBe("enforce");
    expect(c.limits).toEqual({
      max_body_bytes: 1048576,
      max_json_depth: 256,
      eval_max_steps: 10_000_000,
      eval_timeout_ms: 500,
    });
  });

  it("reads YAML and JSON files", () => {
    const yaml = file("c.yaml", "addr: ':9000'\nlimits:\n  max_body_bytes: 2048\n");
    expect(ok({ file: yaml }).limits.max_body_bytes).toBe(2048);
    const json = file("c.json", '{"log_level": "debug", "paths": ["policies"]}');
    expect(ok({ file: json })).toMatchObject({ log_level: "debug", paths: ["policies"] });
  });

  it("lets environment variables override the file, and flags override both", () => {
    const yaml = file("p.yaml", "addr: 127.0.0.1:1000\nlimits:\n  max_json_depth: 10\n  eval_timeout_ms: 50\n");
    const env = { VERDICT_ADDR: "127.0.0.1:2000", VERDICT_MAX_JSON_DEPTH: "20" };
    const c = ok({ file: yaml, env, overrides: { addr: "127.0.0.1:3000" } });
    expect(c.addr).toBe("127.0.0.1:3000");
    expect(c.limits).toMatchObject({ max_json_depth: 20, eval_timeout_ms: 50, max_body_bytes: 1048576 });
  });

  it("reports every problem with where it came from", () => {
    const yaml = file("bad.yaml", "addr: nowhere\nlimits:\n  max_body_bytes: -1\nlog_levle: info\n");
    const errs = errors({ file: yaml, env: { VERDICT_MAX_JSON_DEPTH: "deep" } });
    expect(errs).toEqual(
      expect.arrayContaining([
        expect.stringMatching(/bad\.yaml: \/addr must match pattern/),
        expect.stringMatching(/bad\.yaml: \/limits\/max_body_bytes must be >= 1/),
        expect.stringMatching(/bad\.yaml: \(top level\) must NOT have additional properties 'log_levle'/),
        expect.stringMatching(/environment variable VERDICT_MAX_JSON_DEPTH: \/limits\/max_json_depth must be integer/),
      ]),
    );
  });

  it("refuses unreadable files, bad YAML and non-mapping documents clearly", () => {
    expect(errors({ file: join(dir, "missing.yaml") })[0]).toMatch(/missing\.yaml: ENOENT/);
    expect(errors({ file: file("x.yaml", "a: [") })[0]).toMatch(/x\.yaml:/);
    expect(errors({ file: file("l.yaml", "- 1\n") })[0]).toMatch(/must be a mapping/);
  });

  it("checks enums, ports and TLS pairs", () => {
    expect(errors({ overrides: { input_validation: "maybe" } })[0]).toMatch(/enforce, warn, off/);
    expect(errors({ overrides: { addr: "127.0.0.1:70000" } })[0]).toMatch(/above 65535/);
    expect(errors({ overrides: { tls: { cert_file: "c.pem" } } })[0]).toMatch(/key_file/);
  });

  it("validates the bundles and decision_logs sections with their modules' schemas", () => {
    expect(
      ok({ overrides: { bundles: { main: { resource: "bundle.tar.gz" } }, decision_logs: { console: true } } }).bundles,
    ).toEqual({
      main: { resource: "bundle.tar.gz" },
    });
    expect(errors({ overrides: { bundles: { main: { url: "x" } } } }).join("\n")).toMatch(/resource/);
    expect(errors({ overrides: { decision_logs: { service: {} } } }).join("\n")).toMatch(/url/);
  });

  it("reads tokens from files", () => {
    const t = file("token", "s3cret-token-value\n");
    expect(ok({ overrides: { auth: { token_file: t } } }).auth.token).toBe("s3cret-token-value");
    expect(errors({ overrides: { auth: { token_file: join(dir, "none") } } })[0]).toMatch(/auth\.token_file/);
    expect(errors({ overrides: { auth: { token: "short" } } })[0]).toMatch(/auth\/token/);
  });
});

describe("redactConfig", () => {
  it("removes tokens, secrets and credentials at any depth but keeps file paths", () => {
    const c = {
      auth: { token: "a-secret-token", token_file: "/etc/verdict/token", management_token: "x" },
      bundles: {
        b: { resource: "https://x", headers: { Authorization: "Bearer y" }, signing: { secret: "z", key: "k.pem" } },
      },
      decision_logs: { service: { url: "https://logs", headers: { authorization: "Bearer q", "x-team": "t" } } },
      list: [{ password: "p", user: "u" }],
    };
    expect(redactConfig(c)).toEqual({
      auth: { token_file: "/etc/verdict/token" },
      bundles: { b: { resource: "https://x", headers: {}, signing: { key: "k.pem" } } },
      decision_logs: { service: { url: "https://logs", headers: { "x-team": "(redacted)" } } },
      list: [{ user: "u" }],
    });
  });

  it("hides every header value, drops API-key and cookie keys, and strips user:password from URLs", () => {
    const c = {
      decision_logs: {
        service: {
          url: "https://user:pw@logs.example.com/v1/logs",
          headers: { "X-Api-Key": "k", Cookie: "c", "X-Custom": "also-secret" },
        },
      },
      bundles: { b: { resource: "https://bundler:pw2@cdn.example.com/b.tar.gz" } },
      api_key: "dropped",
      session_cookie: "dropped",
    };
    expect(redactConfig(c)).toEqual({
      decision_logs: { service: { url: "https://logs.example.com/v1/logs", headers: { "X-Custom": "(redacted)" } } },
      bundles: { b: { resource: "https://cdn.example.com/b.tar.gz" } },
    });
  });
});

describe("redactUrl", () => {
  it("removes user:password from every URL in a text, even with @ in the password", () => {
    expect(redactUrl("get https://u:p@h/x failed; see http://a:b@c@d:1/y?q=e@f")).toBe(
      "get https://h/x failed; see http://d:1/y?q=e@f",
    );
    expect(redactUrl("no credentials: https://h/x, user@example.com")).toBe(
      "no credentials: https://h/x, user@example.com",
    );
  });
});

describe("parseAddr", () => {
  it("splits host and port", () => {
    expect(parseAddr("127.0.0.1:8181")).toEqual({ host: "127.0.0.1", port: 8181 });
    expect(parseAddr(":8181")).toEqual({ host: "0.0.0.0", port: 8181 });
    expect(parseAddr("[::1]:9")).toEqual({ host: "::1", port: 9 });
    expect(parseAddr("localhost:0")).toEqual({ host: "localhost", port: 0 });
  });
});
