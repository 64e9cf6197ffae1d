// Shared plumbing for the property suite: run counts and seeds, compiling generated policies, and
// comparing the compiled evaluator with the reference interpreter.
import type { Decision, Policy } from "../../src/index.js";
import { compile } from "../../src/index.js";
import type * as A from "../../src/lang/ast.js";
import { canonical, ReferenceInterpreter, type Outcome } from "../reference/interpreter.js";
import type { GeneratedPolicy } from "./generators.js";

/**
 * Number of runs for a property: `VERDICT_PROPERTY_RUNS` when set (`npm run fuzz` sets 20000),
 * else the property's default, chosen so the whole suite stays well under a minute on 2 cores.
 * A `scale` lets the expensive properties run fewer cases than the cheap ones.
 */
export function runs(defaultRuns: number, scale = 1): number {
  const env = Number(process.env["VERDICT_PROPERTY_RUNS"]);
  return Number.isFinite(env) && env > 0 ? Math.max(1, Math.round(env * scale)) : defaultRuns;
}

/** The fixed seed of every property; `VERDICT_PROPERTY_SEED` overrides it (with the printed `path` to replay). */
export function seed(fixed: number): number {
  const env = Number(process.env["VERDICT_PROPERTY_SEED"]);
  return Number.isInteger(env) && env !== 0 ? env : fixed;
}

/** `path` printed by a failing property, to replay exactly that case (`VERDICT_PROPERTY_PATH`). */
export function replayPath(): { path?: string } {
  const p = process.env["VERDICT_PROPERTY_PATH"];
  return p ? { path: p } : {};
}

/** Timeout of a property test in ms, growing with the number of runs. */
export function timeoutFor(numRuns: number, msPerRun: number): number {
  return 60_000 + numRuns * msPerRun;
}

/** Engine limits for differential runs: a generous clock so a loaded CI machine does not time out. */
export const relaxedLimits = { timeoutMs: 30_000 };

export function sourcesText(p: GeneratedPolicy): string {
  return p.sources.map((s) => `# ${s.file}\n${s.source}`).join("\n");
}

/** Compiles a generated policy, which must check cleanly (else the generator or checker is wrong). */
export function compileGenerated(p: GeneratedPolicy, data: unknown): { policy: Policy; modules: readonly A.Module[] } {
  const r = compile(p.sources, { data, limits: relaxedLimits });
  if (!r.policy) {
    const diags = r.diagnostics.map((d) => `${d.loc.file}:${d.loc.line}:${d.loc.col} ${d.code} ${d.message}`);
    throw new Error(`generated policy does not compile:\n${diags.join("\n")}\n${sourcesText(p)}`);
  }
  return { policy: r.policy, modules: r.modules };
}

/** A decision in the reference interpreter's terms. */
export function engineOutcome(d: Decision): Outcome {
  const err = d.errors?.[0];
  if (err) return { kind: "error", code: err.code, message: err.message };
  return d.defined ? { kind: "value", value: d.result } : { kind: "undefined" };
}

/** Same kind, same value (as canonical JSON), same error code. */
export function sameOutcome(a: Outcome, b: Outcome): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === "value" && b.kind === "value") return canonical(a.value) === canonical(b.value);
  if (a.kind === "error" && b.kind === "error") return a.code === b.code;
  return true;
}

export function showOutcome(o: Outcome): string {
  if (o.kind === "value") return `value ${canonical(o.value)}`;
  if (o.kind === "error") return `error ${o.code}: ${o.message}`;
  return "undefined";
}

export interface Disagreement {
  readonly path: string;
  readonly engine: Outcome;
  readonly reference: Outcome;
}

/** Evaluates every document path with both evaluators; returns the first disagreement. */
export function differential(
  policy: Policy,
  modules: readonly A.Module[],
  data: unknown,
  input: unknown,
): Disagreement | null {
  const reference = new ReferenceInterpreter(modules, { data });
  for (const path of reference.documentPaths()) {
    const engine = engineOutcome(policy.evaluate(path, input));
    const expected = reference.evaluate(path, input);
    if (sameOutcome(engine, expected)) continue;
    const where = path.length ? path.join(".") : "data";
    return { path: where, engine, reference: expected };
  }
  return null;
}

export function describeDisagreement(p: GeneratedPolicy, data: unknown, input: unknown, d: Disagreement): string {
  return [
    `engine and reference disagree on data.${d.path}`,
    `  engine:    ${showOutcome(d.engine)}`,
    `  reference: ${showOutcome(d.reference)}`,
    `input: ${JSON.stringify(input)}`,
    `data: ${JSON.stringify(data)}`,
    sourcesText(p),
  ].join("\n");
}
