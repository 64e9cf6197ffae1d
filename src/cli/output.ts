// Printing for the CLI: diagnostics with their source line, JSON values, exit codes.
import { formatDiagnostic, type Diagnostic } from "../lang/diagnostics.js";
import type { SourceFile } from "../index.js";

/** Exit codes shared by all commands. */
export const exitCodes = { ok: 0, failed: 1, usage: 2 } as const;

export function printDiagnostics(diagnostics: readonly Diagnostic[], sources: readonly SourceFile[]): void {
  const byFile = new Map(sources.map((s) => [s.file, s.source]));
  for (const d of diagnostics) process.stderr.write(formatDiagnostic(d, byFile.get(d.loc.file)) + "\n");
  const errors = diagnostics.filter((d) => d.severity === "error").length;
  if (errors) process.stderr.write(`${errors} error${errors === 1 ? "" : "s"}\n`);
}

export function printJSON(value: unknown): void {
  process.stdout.write(JSON.stringify(value, null, 2) + "\n");
}

/** Errors the user can fix (missing file, bad JSON) end the command with a message, not a stack trace. */
export class UsageError extends Error {}

export function fail(message: string): never {
  throw new UsageError(message);
}

/** Wraps a command action: its result becomes the exit code; usage errors print one line. */
export function runAction<A extends unknown[]>(action: (...args: A) => number | Promise<number>) {
  return async (...args: A): Promise<void> => {
    try {
      process.exitCode = await action(...args);
    } catch (err) {
      const missingFile = err instanceof Error && "code" in err && err.code === "ENOENT";
      // Bad input documents (invalid JSON, data that is not an object) are the user's to fix.
      const badDocument = err instanceof Error && (err.name === "DocumentError" || err.name === "DataError");
      if (!(err instanceof UsageError) && !missingFile && !badDocument) throw err;
      process.stderr.write(`verdict: ${(err as Error).message}\n`);
      process.exitCode = exitCodes.usage;
    }
  };
}

/** Commander's collector for repeatable options (`--data a --data b`). */
export const collect = (value: string, previous: string[]): string[] => [...previous, value];
