// Prometheus metrics (prom-client), in a registry per server so several servers (tests) do
// not share counters. Label values are bounded: routes are patterns, results are classes.
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from "prom-client";
import type { StoreEvent } from "./store.js";

export type DecisionClass = "true" | "false" | "undefined" | "error" | "other";

export interface MetricsOptions {
  /** Node process metrics (CPU, memory, event loop); on by default. */
  readonly processMetrics?: boolean;
}

export class ServerMetrics {
  readonly registry = new Registry();
  private readonly requests: Histogram<"route" | "method" | "code">;
  private readonly decisions: Counter<"result">;
  private readonly evaluation: Histogram;
  private readonly bundleLoads: Counter<"bundle" | "result">;
  private readonly bundleRevision: Gauge<"bundle" | "revision">;
  private readonly logDrops: Counter<"sink" | "reason">;
  private readonly revisions = new Map<string, string>();

  constructor(options: MetricsOptions = {}) {
    const registers = [this.registry];
    if (options.processMetrics !== false) collectDefaultMetrics({ register: this.registry, prefix: "verdict_" });
    this.requests = new Histogram({
      name: "verdict_http_request_duration_seconds",
      help: "HTTP request duration by route pattern, method and status code",
      labelNames: ["route", "method", "code"],
      buckets: [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.5, 1],
      registers,
    });
    this.decisions = new Counter({
      name: "verdict_decisions_total",
      help: "Decisions by result: true, false, undefined, error, or other (a non-boolean value)",
      labelNames: ["result"],
      registers,
    });
    this.evaluation = new Histogram({
      name: "verdict_evaluation_duration_seconds",
      help: "Policy evaluation time per decision",
      buckets: [0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.005, 0.01, 0.1, 0.5],
      registers,
    });
    this.bundleLoads = new Counter({
      name: "verdict_bundle_loads_total",
      help: "Bundle activations by bundle and result (success or failure)",
      labelNames: ["bundle", "result"],
      registers,
    });
    this.bundleRevision = new Gauge({
      name: "verdict_bundle_revision",
      help: "The active revision of each bundle (value 1, revision in the label)",
      labelNames: ["bundle", "revision"],
      registers,
    });
    this.logDrops = new Counter({
      name: "verdict_decision_logs_dropped_total",
      help: "Decision-log events dropped, by sink (console, service) and reason (buffer_full, ...)",
      labelNames: ["sink", "reason"],
      registers,
    });
  }

  /** The decision-log module's `onDrop` hook. */
  decisionLogsDropped(count: number, sink: string, reason: string): void {
    this.logDrops.inc({ sink, reason }, count);
  }

  request(route: string, method: string, code: number, seconds: number): void {
    this.requests.observe({ route, method, code: String(code) }, seconds);
  }

  decision(result: DecisionClass, evalNs: number): void {
    this.decisions.inc({ result });
    this.evaluation.observe(evalNs / 1e9);
  }

  /** Follows the store's bundle events. */
  storeEvent(e: StoreEvent): void {
    if (e.type === "bundle_failed") this.bundleLoads.inc({ bundle: e.name, result: "failure" });
    if (e.type !== "bundle_activated") return;
    this.bundleLoads.inc({ bundle: e.name, result: "success" });
    const previous = this.revisions.get(e.name);
    if (previous !== undefined) this.bundleRevision.remove({ bundle: e.name, revision: previous });
    this.bundleRevision.set({ bundle: e.name, revision: e.revision }, 1);
    this.revisions.set(e.name, e.revision);
  }
}

export function classify(defined: boolean, result: unknown, failed: boolean): DecisionClass {
  if (failed) return "error";
  if (!defined) return "undefined";
  return result === true ? "true" : result === false ? "false" : "other";
}
