// `verdict fmt`: print canonical formatting, rewrite files (-w), or list files that differ (--check).
import { writeFileSync } from "node:fs";
import { format, parseModule } from "../../index.js";
import { loadFiles } from "../../node.js";
import { exitCodes, printDiagnostics } from "../output.js";

export interface FmtOptions {
  readonly write?: boolean;
  readonly check?: boolean;
}

export function fmtCommand(paths: string[], opts: FmtOptions): number {
  const { sources } = loadFiles(paths);
  let status: number = exitCodes.ok;
  for (const s of sources) {
    const parsed = parseModule(s.source, s.file);
    if (!parsed.module || parsed.diagnostics.length) {
      printDiagnostics(parsed.diagnostics, [s]);
      status = exitCodes.failed;
      continue;
    }
    let out: string;
    try {
      out = format(parsed.module, s.source);
    } catch (err) {
      if (!(err instanceof RangeError)) throw err;
      process.stderr.write(`${s.file}: an expression is nested or chained too deeply to format\n`);
      status = exitCodes.failed;
      continue;
    }
    if (opts.check) {
      if (out !== s.source) {
        process.stdout.write(`${s.file}: not formatted\n`);
        status = exitCodes.failed;
      }
    } else if (opts.write) {
      if (out !== s.source) writeFileSync(s.file, out);
    } else {
      process.stdout.write(out);
    }
  }
  return status;
}
