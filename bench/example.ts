// The benchmark workload: the example policy from docs/language.md with 1,000 users.
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

export const examplePolicyPath = fileURLToPath(new URL("../../policies/http/example.verdict", import.meta.url));
export const examplePolicy = (): string => readFileSync(examplePolicyPath, "utf8");

export interface User {
  readonly id: string;
  readonly roles: readonly string[];
  readonly verified: boolean;
}

export function users(n = 1000): Record<string, User> {
  const out: Record<string, User> = {};
  for (let i = 0; i < n; i++)
    out[`user${i}`] = { id: `user${i}`, roles: i % 50 === 0 ? ["admin", "dev"] : ["dev"], verified: true };
  return out;
}

/** Inputs that take each path through `allow`: public GET, admin, and a denied request. */
export const inputs = {
  "public GET": { request: { method: "GET", path: "/public/docs/intro", user: "user7", tls: true } },
  "admin POST": { request: { method: "POST", path: "/admin/settings", user: "user50", tls: true } },
  "denied POST": { request: { method: "POST", path: "/admin/settings", user: "user7", tls: true } },
} as const;
