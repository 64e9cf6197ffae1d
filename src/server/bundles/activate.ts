// Handing a bundle to the store, and reporting what went wrong when it is refused.
import { formatDiagnostic, type Diagnostic } from "../../lang/diagnostics.js";
import type { Bundle, BundleSink } from "../contracts.js";
import { redactUrl } from "../redact.js";
import { errorMessage, type BundleLogger } from "./common.js";

/**
 * Logs `message` and reports it to the store, which shows it on /health (open to anyone) and
 * /metrics; credentials in URLs (`https://user:pw@host`) are removed first.
 */
export function reportFailure(sink: BundleSink, logger: BundleLogger, name: string, failure: string): void {
  const message = redactUrl(failure);
  logger.error(`bundle ${name}: ${message}; the previous bundle (if any) keeps serving`);
  try {
    sink.bundleFailed(name, message);
  } catch (err) {
    logger.error(`bundle ${name}: could not record the failure: ${errorMessage(err)}`);
  }
}

/** Asks the store to activate `bundle`. Returns null on success, else the reason it was refused. */
export function activateBundle(sink: BundleSink, logger: BundleLogger, bundle: Bundle): string | null {
  let errors: readonly (Diagnostic | { readonly message: string })[];
  try {
    const result = sink.activateBundle(bundle);
    if (result.ok) {
      const revision = result.revision || bundle.revision;
      logger.info(`bundle ${bundle.name}: activated${revision ? ` revision ${revision}` : ""}`);
      return null;
    }
    errors = result.errors;
  } catch (err) {
    errors = [{ message: errorMessage(err) }];
  }
  const lines = errors.map((e) => ("loc" in e ? formatDiagnostic(e) : e.message));
  if (lines.length === 0) lines.push("activation failed");
  const more = lines.length > 1 ? ` (and ${lines.length - 1} more)` : "";
  if (lines.length > 1) logger.error(`bundle ${bundle.name}: ${lines.length} errors:\n${lines.join("\n")}`);
  return `rejected: ${lines[0]}${more}`;
}
