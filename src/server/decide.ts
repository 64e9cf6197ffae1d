// One decision, as every decision route makes it: check the input against its package's
// schema, evaluate once on the policy current at that moment, count it, log it. Synchronous
// and exception-free on the hot path; errors come back as values and routes fail closed.
import { randomUUID } from "node:crypto";
import type { FastifyRequest } from "fastify";
import type { EvaluationError } from "../eval/errors.js";
import type { Decision, EvaluateOptions } from "../eval/policy.js";
import type { RuleTrace } from "../eval/trace.js";
import type { ServerConfig } from "./config.js";
import type { DecisionEvent, DecisionLogger } from "./contracts.js";
import { ApiError, evaluationFailure, type ErrorDetail } from "./errors.js";
import { checkInput } from "./input-schema.js";
import { classify, type ServerMetrics } from "./metrics.js";
import type { PolicyStore } from "./store.js";

/** What the routes share: built once per server. */
export interface ServerContext {
  readonly store: PolicyStore;
  readonly config: ServerConfig;
  readonly metrics: ServerMetrics;
  readonly decisionLogger?: DecisionLogger;
  /** Evaluation options with the configured per-decision budget, made once. */
  readonly evaluate: { readonly plain: EvaluateOptions; readonly explain: EvaluateOptions };
}

export function evaluateOptions(config: ServerConfig): ServerContext["evaluate"] {
  const limits = { maxSteps: config.limits.eval_max_steps, timeoutMs: config.limits.eval_timeout_ms };
  return { plain: { limits }, explain: { limits, explain: true } };
}

export interface Warning {
  readonly code: string;
  readonly message: string;
}

export interface DecisionOutcome {
  readonly decisionId: string;
  readonly defined: boolean;
  readonly result?: unknown;
  /** Set when the decision failed: evaluation errors or (enforced) input schema violations. */
  readonly failure?: ApiError;
  readonly warning?: Warning;
  readonly explanation?: readonly RuleTrace[];
  readonly evalNs: number;
}

export const missingInputWarning: Warning = {
  code: "api_usage_warning",
  message: "'input' key missing from the request",
};

export function decide(
  ctx: ServerContext,
  req: FastifyRequest,
  path: readonly string[],
  input: unknown,
  explain = false,
  /** Milliseconds left for this decision when it shares a budget (a batch); the configured limit otherwise. */
  timeLeftMs?: number,
): DecisionOutcome {
  const decisionId = randomUUID();
  const policy = ctx.store.policy;
  const mode = ctx.config.input_validation;
  const violations = mode === "off" ? [] : checkInput(policy.program, path, input);
  if (violations.length && mode === "enforce") {
    const failure = new ApiError(
      400,
      "invalid_parameter",
      "input does not match the declared input schema",
      violations,
    );
    ctx.metrics.decision("error", 0);
    log(
      ctx,
      req,
      decisionId,
      path,
      input,
      undefined,
      { code: "invalid_parameter", message: violations[0]!.message },
      0,
    );
    return { decisionId, defined: false, failure, evalNs: 0 };
  }
  const start = process.hrtime.bigint();
  let options = explain ? ctx.evaluate.explain : ctx.evaluate.plain;
  if (timeLeftMs !== undefined) {
    options = {
      ...options,
      limits: {
        ...options.limits,
        timeoutMs: Math.max(0, Math.min(options.limits?.timeoutMs ?? Infinity, timeLeftMs)),
      },
    };
  }
  // A shared budget already spent: fail without evaluating (a short decision might never read
  // the clock, and would run past the budget).
  const d: Decision =
    timeLeftMs !== undefined && timeLeftMs <= 0
      ? { defined: false, errors: [{ code: "budget_exceeded", message: "the batch's time budget is spent" }] }
      : policy.evaluate(path, input, options);
  const evalNs = Number(process.hrtime.bigint() - start);
  const failed = d.errors !== undefined && d.errors.length > 0;
  ctx.metrics.decision(classify(d.defined, d.result, failed), evalNs);
  if (ctx.decisionLogger) {
    const first: EvaluationError | undefined = d.errors?.[0];
    log(ctx, req, decisionId, path, input, d.result, first && { code: first.code, message: first.message }, evalNs);
  }
  return {
    decisionId,
    defined: d.defined,
    ...(d.defined ? { result: d.result } : {}),
    ...(failed ? { failure: evaluationFailure(d.errors!) } : {}),
    ...(violations.length ? { warning: schemaWarning(violations) } : {}),
    ...(d.explanation ? { explanation: d.explanation } : {}),
    evalNs,
  };
}

function schemaWarning(violations: readonly ErrorDetail[]): Warning {
  const more = violations.length > 1 ? ` (and ${violations.length - 1} more)` : "";
  return { code: "input_schema_violation", message: violations[0]!.message + more };
}

function log(
  ctx: ServerContext,
  req: FastifyRequest,
  decisionId: string,
  path: readonly string[],
  input: unknown,
  result: unknown,
  error: { code: string; message: string } | undefined,
  evalNs: number,
): void {
  const logger = ctx.decisionLogger;
  if (!logger) return;
  const event: DecisionEvent = {
    decision_id: decisionId,
    path: path.join("/"),
    ...(input !== undefined ? { input } : {}),
    ...(result !== undefined && !error ? { result } : {}),
    ...(error ? { error } : {}),
    timestamp: new Date().toISOString(),
    metrics: { timer_eval_ns: evalNs },
    bundles: ctx.store.bundleRevisions(),
    requested_by: requestedBy(req),
  };
  logger.log(event);
}

export function requestedBy(req: FastifyRequest): string {
  const port = req.socket?.remotePort;
  return port === undefined ? req.ip : `${req.ip}:${port}`;
}
