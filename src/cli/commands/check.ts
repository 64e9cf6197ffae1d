// `verdict check`: report every syntax, name, safety and schema error, as file:line:col.
import { compile } from "../../index.js";
import { loadFiles, readDocument } from "../../node.js";
import { exitCodes, fail, printDiagnostics } from "../output.js";

export interface CheckCommandOptions {
  /** `input=path.json` or `data=path.json` */
  readonly schema: string[];
}

export function checkCommand(paths: string[], opts: CheckCommandOptions): number {
  const schemas: { input?: unknown; data?: unknown } = {};
  for (const spec of opts.schema) {
    const m = /^(input|data)=(.+)$/.exec(spec);
    if (!m) fail(`--schema takes input=FILE or data=FILE, not '${spec}'`);
    schemas[m[1] as "input" | "data"] = readDocument(m[2]!);
  }
  const { sources, data } = loadFiles(paths);
  if (sources.length === 0) fail(`no .verdict files found in ${paths.join(", ")}`);
  const result = compile(sources, { schemas, data });
  printDiagnostics(result.diagnostics, sources);
  if (result.diagnostics.some((d) => d.severity === "error")) return exitCodes.failed;
  process.stdout.write(`ok: ${sources.length} file${sources.length === 1 ? "" : "s"} checked\n`);
  return exitCodes.ok;
}
