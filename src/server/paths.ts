// Data paths in URLs (`/v1/data/http/authz/allow`), normalised once: the router has already
// percent-decoded them; a single trailing slash is ignored; empty, "." and ".." segments are
// refused rather than guessed at, so a policy never sees a path other than the one requested.
import { badRequest } from "./errors.js";

/** The segments of a data path below `data`; a 400 ApiError for a bad path. */
export function dataPath(raw: string | undefined): string[] {
  if (raw === undefined || raw === "" || raw === "/") return [];
  const trimmed = raw.endsWith("/") ? raw.slice(0, -1) : raw;
  const segments = trimmed.split("/");
  for (const s of segments) {
    if (s === "") throw badRequest(`bad path '${raw}': empty segment`);
    if (s === "." || s === "..") throw badRequest(`bad path '${raw}': '${s}' segments are not allowed`);
  }
  return segments;
}

/** The configured default decision ("system/main", "/system/main") as segments. */
export function decisionPath(path: string): string[] {
  return path.split("/").filter((s) => s !== "");
}

/** `data.a.b` for messages. */
export const showPath = (path: readonly string[]): string => ["data", ...path].join(".");
