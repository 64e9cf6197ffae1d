// The decision boundary: compile a checked program once, then evaluate paths many times.
// Every evaluation error stops here and becomes a structured error; it is never a decision.
import type { Program } from "../lang/program.js";
import { builtins as standardBuiltins, defaultPlatform } from "./builtins/index.js";
import type { Builtin, Platform } from "./builtins/types.js";
import { Compiler } from "./compile/compiler.js";
import { Budget, defaultLimits, type Ctx, type Limits, type V } from "./context.js";
import { EvalError, type EvaluationError } from "./errors.js";
import { toData } from "./input.js";
import { Tracer, type RuleTrace } from "./trace.js";
import { toJSON, type Value } from "./value.js";

export interface PolicyOptions {
  /** Base documents under `data` (JSON). */
  readonly data?: unknown;
  readonly limits?: Partial<Limits>;
  /** Node supplies signature verification for io.jwt.*; the browser build leaves it out. */
  readonly platform?: Platform;
  /** Extra or replacement builtins. */
  readonly builtins?: ReadonlyMap<string, Builtin>;
}

export interface EvaluateOptions {
  /** Also return the rule definitions that were evaluated, with their values and failures. */
  readonly explain?: boolean;
  readonly limits?: Partial<Limits>;
  /** Fixes `time.now_ns()` (nanoseconds since the epoch), e.g. for tests and replays. */
  readonly nowNs?: number;
}

export interface Decision {
  /** False when the path is undefined or evaluation failed: callers must deny. */
  readonly defined: boolean;
  readonly result?: unknown;
  /** Set when evaluation failed (at most one error today; a list to match OPA-style envelopes). */
  readonly errors?: readonly EvaluationError[];
  readonly explanation?: readonly RuleTrace[];
}

/** Callers choose decision paths, so the per-path cache is bounded. */
const READER_CACHE_LIMIT = 10_000;
const NO_SLOTS: V[] = [];

export class Policy {
  private instrumented: Compiler | null = null;
  private readonly readers = new Map<string, (ctx: Ctx) => V>();
  private readonly explainReaders = new Map<string, (ctx: Ctx) => V>();
  /** Compiled regexes, globs and keys, shared by this policy's evaluations (bounded by the builtins). */
  private readonly cache = new Map<string, unknown>();
  private readonly data: Value;
  private readonly limits: Limits;
  private readonly platform: Platform;

  private constructor(
    readonly program: Program,
    private readonly compiled: Compiler,
    private readonly options: PolicyOptions,
    data?: Value,
  ) {
    this.data = data ?? toData(options.data ?? {});
    this.limits = { ...defaultLimits, ...options.limits };
    this.platform = options.platform ?? defaultPlatform;
  }

  static compile(program: Program, options: PolicyOptions = {}): Policy {
    const compiled = new Compiler(program, { builtins: allBuiltins(options), instrument: false });
    return new Policy(program, compiled, options);
  }

  /** The same compiled policy over other base data (compilation is not repeated). */
  withData(data: unknown): Policy {
    const p = new Policy(this.program, this.compiled, this.options, toData(data));
    p.instrumented = this.instrumented;
    return p;
  }

  /** The base data this policy evaluates against. */
  get baseData(): unknown {
    return toJSON(this.data);
  }

  /**
   * Evaluates `data.<path>` for an input. The path may be dotted (`http.authz.allow`,
   * `data.http.authz.allow`), slash-separated (`http/authz/allow`) or an array of segments.
   */
  evaluate(path: string | readonly string[], input?: unknown, options: EvaluateOptions = {}): Decision {
    const compiler = options.explain ? this.instrumentedCompiler() : this.compiled;
    const trace = options.explain ? new Tracer() : null;
    const ctx = this.context(compiler, input, trace, options);
    const explanation = trace ? { explanation: trace.rules } : {};
    try {
      const v = this.reader(compiler, path)(ctx);
      if (v === undefined) return { defined: false, ...explanation };
      return { defined: true, result: toJSON(v), ...explanation };
    } catch (err) {
      return { defined: false, errors: [asEvaluationError(err)], ...explanation };
    }
  }

  /** The compiled accessor for a decision path, cached by its spelling (the hot path does one map lookup). */
  private reader(compiler: Compiler, path: string | readonly string[]): (ctx: Ctx) => V {
    const key = typeof path === "string" ? path : path.join("/");
    const cache = compiler === this.compiled ? this.readers : this.explainReaders;
    let r = cache.get(key);
    if (!r) {
      if (cache.size >= READER_CACHE_LIMIT) cache.clear();
      const scalar = compiler.documents.data(splitPath(path)).scalar!;
      r = (ctx) => scalar({ ctx, s: NO_SLOTS });
      cache.set(key, r);
    }
    return r;
  }

  /** A fresh evaluation context (memo, budget, clock) for one decision or one test. */
  context(compiler: Compiler, input: unknown, trace: Tracer | null, options: EvaluateOptions = {}): Ctx {
    return {
      input: input as Value | undefined,
      data: this.data,
      memo: new Array(compiler.groupCount),
      mocks: null,
      trace,
      builtin: {
        nowNs: options.nowNs ?? Date.now() * 1e6,
        platform: this.platform,
        cache: this.cache,
        ...(trace ? { print: (text: string) => void trace.printed.push(text) } : {}),
      },
      budget: new Budget(options.limits ? { ...this.limits, ...options.limits } : this.limits),
    };
  }

  /** The compilation that records traces (explanations, tests, coverage); built on first use. */
  instrumentedCompiler(): Compiler {
    this.instrumented ??= new Compiler(this.program, { builtins: allBuiltins(this.options), instrument: true });
    return this.instrumented;
  }
}

function allBuiltins(options: PolicyOptions): ReadonlyMap<string, Builtin> {
  return options.builtins ? new Map([...standardBuiltins, ...options.builtins]) : standardBuiltins;
}

export function splitPath(path: string | readonly string[]): readonly string[] {
  if (typeof path !== "string") return path;
  const parts = path.includes("/") ? path.split("/") : path.split(".");
  const segments = parts.filter((p) => p !== "");
  return segments[0] === "data" ? segments.slice(1) : segments;
}

/** Anything thrown during evaluation, as the structured error callers see. */
export function asEvaluationError(err: unknown): EvaluationError {
  if (err instanceof EvalError) return err.toValue();
  if (err instanceof RangeError) {
    return { code: "budget_exceeded", message: "evaluation nested too deeply (documents or values are too deep)" };
  }
  return { code: "internal_error", message: err instanceof Error ? err.message : String(err) };
}
