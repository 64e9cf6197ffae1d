// Credentials out of text that may be shown or logged: `GET /v1/config`, `/health` (open to
// anyone), bundle and decision-log failure messages. A module of its own, so the bundle and
// decision-log code can use it without importing the configuration module.

/**
 * `https://user:pass@host/x` → `https://host/x`, anywhere in `text` (up to the authority's last
 * `@`, so a password containing `@` goes too); anything else unchanged.
 */
export function redactUrl(text: string): string {
  return text.replace(/\b([a-z][a-z0-9+.-]*:\/\/)[^/?#\s]*@/gi, "$1");
}
