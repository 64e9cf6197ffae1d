// Signed bundles: HS256, RS256 and ES256 round trips, and every way a tampered bundle or a
// wrong key must be refused.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { SignJWT } from "jose";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { defaultLimits } from "../../../src/server/bundles/common.js";
import { buildBundleBytes, readBundle, type BundleSigningConfig } from "../../../src/server/bundles/index.js";
import { bundleFromArchive } from "../../../src/server/bundles/read.js";
import { loadVerificationKey, sha256Hex } from "../../../src/server/bundles/signing.js";
import { readTarGz, writeTarGz } from "../../../src/server/bundles/tarball.js";
import { bundleFiles, removeTempDirs, tempDir, writeKeys, writeTree } from "./helpers.js";

let dir: string;
let keys: Awaited<ReturnType<typeof writeKeys>>;
let signed: Buffer; // RS256

beforeAll(async () => {
  dir = await tempDir();
  keys = await writeKeys(await tempDir());
  await writeTree(dir, bundleFiles("1"));
  signed = await buildBundleBytes(dir, { signingKey: keys.rsaPriv, signingAlg: "RS256", keyid: "k1" });
});
afterAll(removeTempDirs);

const rsa = (): BundleSigningConfig => ({ algorithm: "RS256", key: keys.rsaPub });
const verify = (bytes: Buffer, cfg: BundleSigningConfig = rsa()) =>
  bundleFromArchive("b", bytes, defaultLimits, loadVerificationKey(cfg));

/** Rewrites the signed tarball with `change` applied to its files (the signature is kept). */
async function tamper(change: (files: Map<string, Buffer>) => void): Promise<Buffer> {
  const files = await readTarGz(signed, defaultLimits);
  change(files);
  return writeTarGz(files);
}

describe("signed bundles", () => {
  it("verify with the matching public key", async () => {
    const bundle = await verify(signed);
    expect(bundle.revision).toBe("1");
    await expect(verify(signed, { ...rsa(), keyid: "k1" })).resolves.toBeTruthy();
  });

  it("sign every file, with SHA-256 hashes, as OPA's format", async () => {
    const files = await readTarGz(signed, defaultLimits);
    const doc = JSON.parse(files.get(".signatures.json")!.toString()) as { signatures: string[] };
    expect(doc.signatures).toHaveLength(1);
    const payload = JSON.parse(Buffer.from(doc.signatures[0]!.split(".")[1]!, "base64url").toString()) as {
      files: { name: string; hash: string; algorithm: string }[];
      keyid: string;
    };
    expect(payload.keyid).toBe("k1");
    expect(payload.files.map((f) => f.name)).toEqual([".manifest", "app/data.json", "app/policy.verdict"]);
    for (const f of payload.files) {
      expect(f.algorithm).toBe("SHA-256");
      expect(f.hash).toBe(sha256Hex(files.get(f.name)!));
    }
  });

  it("work with HS256 (secret from config or from a file) and ES256", async () => {
    const hs = await buildBundleBytes(dir, { signingKey: keys.secret, signingAlg: "HS256" });
    await expect(verify(hs, { algorithm: "HS256", secret: "correct horse battery staple" })).resolves.toBeTruthy();
    await expect(verify(hs, { algorithm: "HS256", key: keys.secret })).resolves.toBeTruthy();
    await expect(verify(hs, { algorithm: "HS256", secret: "wrong" })).rejects.toThrow(/signature verification failed/);
    const es = await buildBundleBytes(dir, { signingKey: keys.ecPriv, signingAlg: "ES256" });
    await expect(verify(es, { algorithm: "ES256", key: keys.ecPub })).resolves.toBeTruthy();
  });

  it("reject an altered file", async () => {
    const bytes = await tamper((f) => f.set("app/data.json", Buffer.from('{"admins": ["mallory"]}')));
    await expect(verify(bytes)).rejects.toThrow(/file 'app\/data\.json' does not match its signed hash/);
  });

  it("reject an extra file", async () => {
    const bytes = await tamper((f) => f.set("app/backdoor.verdict", Buffer.from("package app\n\nallow := true\n")));
    await expect(verify(bytes)).rejects.toThrow(/file 'app\/backdoor\.verdict' is not covered by the signature/);
  });

  it("reject a missing file", async () => {
    const bytes = await tamper((f) => f.delete("app/data.json"));
    await expect(verify(bytes)).rejects.toThrow(/signed file 'app\/data\.json' is missing/);
  });

  it("reject the wrong key, the wrong algorithm and the wrong key id", async () => {
    await expect(verify(signed, { algorithm: "RS256", key: keys.otherRsaPub })).rejects.toThrow(
      /signature verification failed/,
    );
    await expect(verify(signed, { algorithm: "HS256", secret: "x" })).rejects.toThrow(/signature verification failed/);
    await expect(verify(signed, { ...rsa(), keyid: "k2" })).rejects.toThrow(/signature is for key 'k1', expected 'k2'/);
  });

  it("reject an unsigned bundle, a broken signatures file, and more than one signature", async () => {
    const unsigned = await buildBundleBytes(dir);
    await expect(verify(unsigned)).rejects.toThrow(/bundle is not signed/);
    await expect(verify(await tamper((f) => f.set(".signatures.json", Buffer.from("{"))))).rejects.toThrow(
      /not valid JSON/,
    );
    await expect(
      verify(
        await tamper((f) => {
          const { signatures } = JSON.parse(f.get(".signatures.json")!.toString()) as { signatures: string[] };
          f.set(".signatures.json", Buffer.from(JSON.stringify({ signatures: [signatures[0], signatures[0]] })));
        }),
      ),
    ).rejects.toThrow(/exactly one JWT/);
  });

  it("reject a validly signed payload that lists a file twice or with another hash algorithm", async () => {
    const secret = new TextEncoder().encode("s3cret");
    const files = await readTarGz(signed, defaultLimits);
    const entry = { name: ".manifest", hash: sha256Hex(files.get(".manifest")!), algorithm: "SHA-256" };
    const resign = async (payloadFiles: unknown[]) => {
      const jwt = await new SignJWT({ files: payloadFiles }).setProtectedHeader({ alg: "HS256" }).sign(secret);
      const copy = new Map(files);
      copy.set(".signatures.json", Buffer.from(JSON.stringify({ signatures: [jwt] })));
      for (const k of [...copy.keys()]) if (k !== ".manifest" && k !== ".signatures.json") copy.delete(k);
      return verify(await writeTarGz(copy), { algorithm: "HS256", secret: "s3cret" });
    };
    await expect(resign([entry])).resolves.toBeTruthy();
    await expect(resign([entry, entry])).rejects.toThrow(/lists '\.manifest' twice/);
    await expect(resign([{ ...entry, algorithm: "MD5" }])).rejects.toThrow(/must be SHA-256/);
  });

  it("verify a signed folder through readBundle", async () => {
    const signedDir = await tempDir();
    await writeTree(signedDir, bundleFiles("2"));
    const tgz = await buildBundleBytes(signedDir, { signingKey: keys.rsaPriv });
    const files = await readTarGz(tgz, defaultLimits);
    await writeFile(join(signedDir, ".signatures.json"), files.get(".signatures.json")!);
    await writeFile(join(signedDir, ".manifest"), files.get(".manifest")!);
    await expect(readBundle(signedDir, { signing: rsa() })).resolves.toMatchObject({ revision: "2" });
    await writeFile(join(signedDir, "app/data.json"), "{}");
    await expect(readBundle(signedDir, { signing: rsa() })).rejects.toThrow(/does not match its signed hash/);
  });
});

describe("verification keys", () => {
  it("must suit the algorithm", () => {
    expect(() => loadVerificationKey({ algorithm: "ES256", key: keys.rsaPub })).toThrow(/ES256 needs an EC key/);
    expect(() => loadVerificationKey({ algorithm: "RS256", key: keys.ecPub })).toThrow(/RS256 needs an RSA key/);
    expect(() => loadVerificationKey({ algorithm: "RS256", secret: "x" })).toThrow(/needs 'key'/);
    expect(() => loadVerificationKey({ algorithm: "HS256" })).toThrow(/exactly one of 'secret' or 'key'/);
    expect(() => loadVerificationKey({ algorithm: "RS256", key: keys.secret })).toThrow(/not a PEM public key/);
  });
});
