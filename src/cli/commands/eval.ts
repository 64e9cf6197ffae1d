// `verdict eval`: evaluate a data path or an expression against policies, data and an input.
import { readFileSync } from "node:fs";
import { compile, type Decision } from "../../index.js";
import { splitPath } from "../../eval/policy.js";
import { loadFiles, mergeAt, nodePlatform, readDocument } from "../../node.js";
import { exitCodes, fail, printDiagnostics, printJSON } from "../output.js";

export interface EvalOptions {
  readonly dir: string[];
  readonly input?: string;
  readonly data: string[];
  readonly explain?: boolean;
}

const PLAIN_PATH = /^[A-Za-z_][\w]*(?:[./][A-Za-z_][\w]*)*$/;

export function evalCommand(query: string, opts: EvalOptions): number {
  const loaded = loadFiles(opts.dir);
  for (const file of opts.data) mergeAt(loaded.data, [], readDocument(file));
  const input = opts.input === undefined ? undefined : readInput(opts.input);
  // An expression rather than a path is compiled as a one-rule package beside the policies.
  // `input...` reads the input, so it is an expression; any other dotted name is a data path.
  const isPath = PLAIN_PATH.test(query) && !/^input\b/.test(query);
  const sources = isPath
    ? loaded.sources
    : [...loaded.sources, { file: "<query>", source: `package __query__\n\nresult := ${query}\n` }];
  const compiled = compile(sources, { data: loaded.data, platform: nodePlatform });
  if (!compiled.policy) {
    printDiagnostics(compiled.diagnostics, sources);
    return exitCodes.failed;
  }
  const decision = compiled.policy.evaluate(isPath ? query : "__query__.result", input, { explain: !!opts.explain });
  return report(decision, !!opts.explain, isPath ? query : "__query__.result");
}

function readInput(path: string): unknown {
  if (path === "-") {
    try {
      return JSON.parse(readFileSync(0, "utf8"));
    } catch (err) {
      return fail(`standard input: not valid JSON: ${(err as Error).message}`);
    }
  }
  try {
    return readDocument(path);
  } catch (err) {
    return fail((err as Error).message);
  }
}

function report(decision: Decision, explain: boolean, path: string): number {
  for (const e of decision.errors ?? []) {
    const where = e.loc ? `${e.loc.file}:${e.loc.line}:${e.loc.col}: ` : "";
    process.stderr.write(`${where}evaluation error (${e.code}): ${e.message}\n`);
    for (const r of e.related ?? []) process.stderr.write(`  ${r.loc.file}:${r.loc.line}:${r.loc.col}: ${r.message}\n`);
  }
  if (!decision.errors) {
    if (decision.defined) printJSON(decision.result);
    else process.stdout.write("undefined\n");
  }
  if (explain && decision.explanation) printExplanation(decision, path);
  return decision.errors ? exitCodes.failed : exitCodes.ok;
}

function printExplanation(decision: Decision, path: string): void {
  const out = process.stdout;
  out.write("\nexplanation:\n");
  if (!decision.explanation?.length && !decision.defined) {
    out.write(`  no rule or data at data.${splitPath(path).join(".")}\n`);
  }
  for (const r of decision.explanation ?? []) {
    const value = r.result === "undefined" ? "undefined" : JSON.stringify(r.value);
    out.write(`  ${r.rule} = ${value}${r.result === "default" ? " (default)" : ""}\n`);
    for (const d of r.definitions) {
      const at = `${d.loc.file}:${d.loc.line}:${d.loc.col}`;
      if (d.outcome === "matched") {
        const via = d.else ? ` through the else at ${d.else.line}:${d.else.col}` : "";
        out.write(`    ${at}: matched${via}, value ${JSON.stringify(d.value)}\n`);
        if (d.else && d.failed)
          out.write(`      (earlier branch failed at ${d.failed.loc.line}:${d.failed.loc.col}: ${d.failed.text})\n`);
      } else if (d.failed) {
        const f = d.failed;
        const ops = f.operands
          ? ` (left = ${JSON.stringify(f.operands[0]) ?? "undefined"}, right = ${JSON.stringify(f.operands[1]) ?? "undefined"})`
          : "";
        out.write(`    ${at}: failed at ${f.loc.line}:${f.loc.col}: ${f.text}${ops}\n`);
      } else out.write(`    ${at}: no match\n`);
    }
  }
}
