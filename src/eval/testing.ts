// Policy unit tests: `test "name" { ... }` blocks. A test passes when its body holds. A test whose
// first literal is `some ... in cases` is table-driven: each element runs as its own case.
// Tests always run instrumented, so a failure can say which literal did not hold and why.
import type * as A from "../lang/ast.js";
import type { TestCase } from "../lang/program.js";
import type { Compiled } from "./compile/compiled.js";
import type { Compiler } from "./compile/compiler.js";
import { compileExpr } from "./compile/expr.js";
import { compileQuery, holds, type Query } from "./compile/query.js";
import type { Frame } from "./context.js";
import type { EvaluationError } from "./errors.js";
import { iterate } from "./ops.js";
import { asEvaluationError, type Policy } from "./policy.js";
import { Tracer, type FailedLiteral, type RuleTrace } from "./trace.js";
import { show, type Value } from "./value.js";

export type TestStatus = "pass" | "fail" | "error" | "skip";

export interface TestOutcome {
  /** The test's name; a table case adds its key: `name [key]`. */
  readonly name: string;
  /** The package the test lives in, e.g. "http.authz". */
  readonly package: string;
  readonly loc: A.Loc;
  readonly status: TestStatus;
  readonly durationMs: number;
  /** Why a test failed: the first literal that did not hold, and the rules it evaluated. */
  readonly failure?: { readonly failed?: FailedLiteral; readonly rules: readonly RuleTrace[] };
  readonly error?: EvaluationError;
  /** Output of `print(...)` calls. */
  readonly printed: readonly string[];
  /** The rules evaluated (for `-v` on passing tests). */
  readonly rules: readonly RuleTrace[];
}

export interface TestRunOptions {
  /** Only tests whose `package.name` matches run. */
  readonly filter?: RegExp;
  readonly nowNs?: number;
}

export interface TestRun {
  readonly outcomes: readonly TestOutcome[];
  /** "file:line" of every source line evaluated, for coverage. */
  readonly hits: ReadonlySet<string>;
}

/** Tests named "TODO..." are reported as skipped: a placeholder that cannot pass silently. */
const isTodo = (name: string): boolean => /^todo\b/i.test(name);

export function runTests(policy: Policy, options: TestRunOptions = {}): TestRun {
  const compiler = policy.instrumentedCompiler();
  const hits = new Set<string>();
  const outcomes: TestOutcome[] = [];
  for (const t of policy.program.tests) {
    const pkg = t.packagePath.join(".");
    if (options.filter && !options.filter.test(`${pkg}.${t.test.name}`)) continue;
    if (isTodo(t.test.name)) {
      outcomes.push({
        name: t.test.name,
        package: pkg,
        loc: t.test.loc,
        status: "skip",
        durationMs: 0,
        printed: [],
        rules: [],
      });
      continue;
    }
    for (const o of runOne(policy, compiler, t, options, hits)) outcomes.push(o);
  }
  return { outcomes, hits };
}

interface CompiledTest {
  readonly slots: number;
  /** Table-driven tests: the cases, and the slots their key and value bind. */
  readonly table: { readonly domain: Compiled; readonly key: number; readonly value: number } | null;
  readonly body: Query;
}

const compiledTests = new WeakMap<A.Test, CompiledTest>();

function compileTest(c: Compiler, test: A.Test): CompiledTest {
  let t = compiledTests.get(test);
  if (t) return t;
  const [first, ...rest] = test.body.literals;
  const table = first?.kind === "someIn" && first.with.length === 0 && rest.length > 0;
  t = {
    slots: c.res.frameSizes.get(test) ?? 0,
    table: table
      ? {
          domain: compileExpr(c, first.domain),
          key: first.key ? c.slotOf(first.key) : -1,
          value: c.slotOf(first.value),
        }
      : null,
    body: compileQuery(c, table ? { ...test.body, literals: rest } : test.body),
  };
  compiledTests.set(test, t);
  return t;
}

function runOne(policy: Policy, c: Compiler, t: TestCase, options: TestRunOptions, hits: Set<string>): TestOutcome[] {
  const pkg = t.packagePath.join(".");
  let compiled: CompiledTest;
  try {
    compiled = compileTest(c, t.test);
  } catch (err) {
    return [errored(t.test.name, pkg, t.test.loc, asEvaluationError(err), 0)];
  }
  const run = (name: string, prepare: (f: Frame) => void): TestOutcome => {
    const trace = new Tracer();
    const f: Frame = { ctx: policy.context(c, undefined, trace, options), s: new Array(compiled.slots) };
    const start = performance.now();
    try {
      prepare(f);
      trace.beginDefinition(t.test.loc);
      const ok = holds(compiled.body, f);
      const def = trace.endDefinition(ok ? true : undefined);
      const durationMs = performance.now() - start;
      for (const h of trace.hits) hits.add(h);
      const base = { name, package: pkg, loc: t.test.loc, durationMs, printed: trace.printed, rules: trace.rules };
      if (ok) return { ...base, status: "pass" };
      return {
        ...base,
        status: "fail",
        failure: def.failed ? { failed: def.failed, rules: trace.rules } : { rules: trace.rules },
      };
    } catch (err) {
      for (const h of trace.hits) hits.add(h);
      return {
        ...errored(name, pkg, t.test.loc, asEvaluationError(err), performance.now() - start),
        printed: trace.printed,
        rules: trace.rules,
      };
    }
  };

  const table = compiled.table;
  if (!table) return [run(t.test.name, () => undefined)];

  // Table-driven: read the cases once, then run the rest of the body per case.
  const cases: [Value, Value][] = [];
  const trace = new Tracer();
  try {
    trace.hit(t.test.body.literals[0]!.loc);
    const f: Frame = { ctx: policy.context(c, undefined, trace, options), s: new Array(compiled.slots) };
    table.domain.gen(f, (coll) =>
      iterate(
        coll,
        t.test.loc,
        () => undefined,
        (k, v) => (cases.push([k, v]), false),
      ),
    );
    for (const h of trace.hits) hits.add(h);
  } catch (err) {
    return [errored(t.test.name, pkg, t.test.loc, asEvaluationError(err), 0)];
  }
  if (cases.length === 0) {
    // A table that is empty or undefined tests nothing: fail, and say why.
    const failed = { loc: t.test.body.literals[0]!.loc, text: "the table of cases is empty or undefined" };
    const outcome: TestOutcome = {
      name: t.test.name,
      package: pkg,
      loc: t.test.loc,
      status: "fail",
      durationMs: 0,
      printed: [],
      rules: [],
      failure: { failed, rules: [] },
    };
    return [outcome];
  }
  return cases.map(([k, v]) =>
    run(`${t.test.name} [${typeof k === "string" ? k : show(k)}]`, (f) => {
      if (table.key >= 0) f.s[table.key] = k;
      f.s[table.value] = v;
    }),
  );
}

function errored(name: string, pkg: string, loc: A.Loc, error: EvaluationError, durationMs: number): TestOutcome {
  return { name, package: pkg, loc, status: "error", durationMs, error, printed: [], rules: [] };
}
