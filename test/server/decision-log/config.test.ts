import { Ajv } from "ajv";
import { describe, expect, it } from "vitest";
import {
  DECISION_LOG_DEFAULTS,
  DecisionLogConfigError,
  createDecisionLogger,
  decisionLogConfigSchema,
  resolveDecisionLogConfig,
  type DecisionLogConfig,
} from "../../../src/server/decision-log/index.js";

const validate = new Ajv({ strict: true, allErrors: true }).compile(decisionLogConfigSchema);

const full: DecisionLogConfig = {
  console: true,
  close_timeout_ms: 2000,
  mask: ["/input/password", "/input/headers/authorization", "/result/token", "/input/a~1b/~0c/0"],
  service: {
    url: "https://logs.example.com/v1/logs",
    headers: { authorization: "Bearer abc" },
    timeout_ms: 5000,
    batch_max_events: 100,
    batch_max_bytes: 65536,
    flush_interval_ms: 500,
    buffer_max_events: 1000,
    buffer_max_bytes: 1048576,
    retry: { min_delay_ms: 100, max_delay_ms: 10000 },
  },
};

describe("decision_logs config", () => {
  it("the schema accepts a full config and an empty one, and resolve agrees", () => {
    expect(validate(full), JSON.stringify(validate.errors)).toBe(true);
    expect(validate({})).toBe(true);
    expect(resolveDecisionLogConfig(full).service?.batch_max_events).toBe(100);
  });

  it("fills in defaults", () => {
    const r = resolveDecisionLogConfig({ service: { url: "http://127.0.0.1:9/logs" } });
    expect(r.console).toBe(false);
    expect(r.mask).toEqual([]);
    expect(r.close_timeout_ms).toBe(DECISION_LOG_DEFAULTS.close_timeout_ms);
    expect(r.service).toMatchObject({ ...DECISION_LOG_DEFAULTS.service, headers: {} });
    expect(resolveDecisionLogConfig(undefined).service).toBeUndefined();
  });

  const invalid: [string, unknown][] = [
    ["a mask outside input and result", { mask: ["/decision_id"] }],
    ["a bad escape in a mask", { mask: ["/input/a~2"] }],
    ["a mask without a leading slash", { mask: ["input/a"] }],
    ["a service without url", { service: {} }],
    ["a non-http url", { service: { url: "ftp://x/logs" } }],
    ["a zero retry delay", { service: { url: "http://x/", retry: { min_delay_ms: 0 } } }],
    ["a negative batch size", { service: { url: "http://x/", batch_max_events: -1 } }],
    ["a fractional timeout", { service: { url: "http://x/", timeout_ms: 1.5 } }],
  ];

  it.each(invalid)("both the schema and resolve reject %s", (_what, config) => {
    expect(validate(config)).toBe(false);
    expect(() => resolveDecisionLogConfig(config as DecisionLogConfig)).toThrow(DecisionLogConfigError);
  });

  it("the schema rejects unknown keys", () => {
    expect(validate({ consol: true })).toBe(false);
    expect(validate({ service: { url: "http://x/", retries: 3 } })).toBe(false);
  });

  it("resolve also checks that max_delay_ms is not below min_delay_ms", () => {
    expect(() =>
      resolveDecisionLogConfig({ service: { url: "http://x/", retry: { min_delay_ms: 500, max_delay_ms: 100 } } }),
    ).toThrow(/max_delay_ms/);
  });

  it("the mask pattern does not backtrack on long hostile strings", () => {
    const hostile = `/input${"/a".repeat(20_000)}~`;
    expect(validate({ mask: [hostile] })).toBe(false);
  });

  it("createDecisionLogger refuses an invalid config with every problem listed", () => {
    const bad = { mask: ["/x"], service: { url: "nope" } } as DecisionLogConfig;
    expect(() => createDecisionLogger(bad)).toThrow(/mask\[0\].*url/);
  });
});
