// `verdict parse`: the AST of a file as JSON, for tooling.
import { readFileSync } from "node:fs";
import { parseModule } from "../../index.js";
import { exitCodes, printDiagnostics, printJSON } from "../output.js";

export function parseCommand(file: string): number {
  const source = readFileSync(file, "utf8");
  const parsed = parseModule(source, file);
  if (parsed.diagnostics.length) {
    printDiagnostics(parsed.diagnostics, [{ file, source }]);
    return exitCodes.failed;
  }
  printJSON(parsed.module);
  return exitCodes.ok;
}
