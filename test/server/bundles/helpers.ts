// Test helpers for bundles: temporary folders, hand-crafted tarballs, a BundleSink that really
// compiles, a capturing logger, and a real HTTP bundle server on 127.0.0.1.
import { generateKeyPairSync } from "node:crypto";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { gzipSync } from "node:zlib";
import { pack, type Header } from "tar-stream";
import { compile, type Policy } from "../../../src/index.js";
import type { ActivationResult, Bundle, BundleSink } from "../../../src/server/contracts.js";
import type { BundleLogger } from "../../../src/server/bundles/common.js";

const made: string[] = [];

export async function tempDir(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), "verdict-bundles-"));
  made.push(dir);
  return dir;
}

export async function removeTempDirs(): Promise<void> {
  await Promise.all(made.splice(0).map((d) => rm(d, { recursive: true, force: true })));
}

/** Writes `files` (path → text) below `dir`, creating folders. */
export async function writeTree(dir: string, files: Record<string, string>): Promise<void> {
  for (const [path, text] of Object.entries(files)) {
    await mkdir(dirname(join(dir, path)), { recursive: true });
    await writeFile(join(dir, path), text);
  }
}

/** A .tar.gz with exactly these headers, in this order: for crafting hostile archives. */
export async function rawTarGz(
  entries: readonly (Partial<Header> & { name: string; data?: string | Buffer })[],
): Promise<Buffer> {
  const p = pack();
  const chunks: Buffer[] = [];
  const done = (async () => {
    for await (const c of p) chunks.push(c as Buffer);
  })();
  for (const { data, ...header } of entries) {
    await new Promise<void>((resolve, reject) =>
      p.entry({ mtime: new Date(0), ...header }, data ?? "", (err) => (err ? reject(err) : resolve())),
    );
  }
  p.finalize();
  await done;
  return gzipSync(Buffer.concat(chunks));
}

export const policyV = (version: string) => `package app

default allow := false

allow if {
    input.user in data.app.admins
}

version := "${version}"
`;

export const brokenPolicy = `package app

allow if {
    no_such_function(input.user)
}
`;

/** A bundle folder: one policy, one data file, a manifest with `revision`. */
export function bundleFiles(revision: string, policy = policyV(revision)): Record<string, string> {
  return {
    ".manifest": JSON.stringify({ revision, roots: ["app"] }),
    "app/policy.verdict": policy,
    "app/data.json": JSON.stringify({ admins: ["alice"] }),
  };
}

/** Stands in for the PolicyStore: compiles the bundle and refuses it when anything fails. */
export class CompilingSink implements BundleSink {
  active: Bundle | null = null;
  policy: Policy | null = null;
  activations = 0;
  readonly failures: { name: string; message: string }[] = [];

  activateBundle(bundle: Bundle): ActivationResult {
    const result = compile(
      bundle.policies.map((p) => ({ file: p.path, source: p.source })),
      { data: bundle.data },
    );
    const errors = result.diagnostics.filter((d) => d.severity === "error");
    if (errors.length > 0 || !result.policy) return { ok: false, errors };
    this.active = bundle;
    this.policy = result.policy;
    this.activations++;
    return { ok: true, revision: bundle.revision };
  }

  bundleFailed(name: string, message: string): void {
    this.failures.push({ name, message });
  }

  /** The serving policy's `data.app.<rule>` for `input`. */
  decide(rule: string, input: unknown = {}): unknown {
    const d = this.policy?.evaluate(["app", rule], input);
    return d?.defined ? d.result : undefined;
  }
}

export function captureLogger(): BundleLogger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    info: (m) => lines.push(`info: ${m}`),
    warn: (m) => lines.push(`warn: ${m}`),
    error: (m) => lines.push(`error: ${m}`),
  };
}

export interface BundleServer {
  readonly url: string;
  /** What the server serves now; `etag: ""` sends no ETag header. */
  body: Buffer;
  etag: string;
  /** Answer this status (e.g. 500) instead of the bundle while set. */
  failWith: number | null;
  /** Every request's If-None-Match header ("" when absent) and the status answered. */
  readonly requests: { ifNoneMatch: string; status: number }[];
  close(): Promise<void>;
}

export async function startBundleServer(body: Buffer, etag: string): Promise<BundleServer> {
  let server: Server | undefined = undefined;
  const state: BundleServer = {
    url: "",
    body,
    etag,
    failWith: null,
    requests: [],
    close: () =>
      new Promise<void>((resolve) => {
        server!.closeAllConnections();
        server!.close(() => resolve());
      }),
  };
  server = createServer((req, res) => {
    const ifNoneMatch = req.headers["if-none-match"] ?? "";
    let status: number;
    if (state.failWith !== null) {
      status = state.failWith;
      res.writeHead(status).end("failing on purpose");
    } else if (state.etag !== "" && ifNoneMatch === state.etag) {
      status = 304;
      res.writeHead(304, { etag: state.etag }).end();
    } else {
      status = 200;
      res
        .writeHead(200, {
          "content-type": "application/gzip",
          "content-length": state.body.length,
          ...(state.etag !== "" ? { etag: state.etag } : {}),
        })
        .end(state.body);
    }
    state.requests.push({ ifNoneMatch, status });
  });
  await new Promise<void>((resolve) => server!.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as AddressInfo;
  return Object.assign(state, { url: `http://127.0.0.1:${port}/bundles/app.tar.gz` });
}

/** Polls `check` until it holds (or fails after `ms`), for asynchronous effects. */
export async function eventually(check: () => boolean, ms = 10_000): Promise<void> {
  const start = Date.now();
  while (!check()) {
    if (Date.now() - start > ms) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 10));
  }
}

/** PEM files for an RSA and a P-256 key pair, and a secret file, in `dir`. */
export async function writeKeys(
  dir: string,
): Promise<Record<"rsaPriv" | "rsaPub" | "ecPriv" | "ecPub" | "otherRsaPub" | "secret", string>> {
  const rsaPair = () =>
    generateKeyPairSync("rsa", {
      modulusLength: 2048,
      publicKeyEncoding: { type: "spki", format: "pem" },
      privateKeyEncoding: { type: "pkcs8", format: "pem" },
    });
  const rsa = rsaPair();
  const other = rsaPair();
  const ec = generateKeyPairSync("ec", {
    namedCurve: "P-256",
    publicKeyEncoding: { type: "spki", format: "pem" },
    privateKeyEncoding: { type: "pkcs8", format: "pem" },
  });
  const files = {
    rsaPriv: rsa.privateKey,
    rsaPub: rsa.publicKey,
    ecPriv: ec.privateKey,
    ecPub: ec.publicKey,
    otherRsaPub: other.publicKey,
    secret: "correct horse battery staple\n",
  };
  const out = {} as Record<keyof typeof files, string>;
  for (const [k, v] of Object.entries(files)) {
    const file = join(dir, `${k}.pem`);
    await writeFile(file, v);
    out[k as keyof typeof files] = file;
  }
  return out;
}
