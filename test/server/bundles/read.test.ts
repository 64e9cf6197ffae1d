// Folders and tarballs to Bundles: the data layout shared with src/node.ts, the manifest, and
// the roots checks.
import { symlink } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { loadFiles } from "../../../src/node.js";
import { readBundle } from "../../../src/server/bundles/index.js";
import { parseManifest } from "../../../src/server/bundles/manifest.js";
import { rawTarGz, removeTempDirs, tempDir, writeTree } from "./helpers.js";
import { writeFile } from "node:fs/promises";

afterAll(removeTempDirs);

const tree = {
  ".manifest": JSON.stringify({ revision: "r7", roots: ["http/authz", "users"], metadata: { team: "a" } }),
  "http/authz/policy.verdict": "package http.authz\n\nallow if input.ok\n",
  "http/authz/data.json": JSON.stringify({ limits: { max: 3 } }),
  "users/data.yaml": "alice:\n  roles: [admin]\n",
  "README.md": "not part of the bundle",
  ".git/config": "ignored",
  "node_modules/x/data.json": '{"ignored": true}',
};

describe("readBundle on a folder", () => {
  it("finds policies and data like loadFiles, and reads the manifest", async () => {
    const dir = await tempDir();
    await writeTree(dir, tree);
    const bundle = await readBundle(dir, { name: "main" });
    expect(bundle.name).toBe("main");
    expect(bundle.revision).toBe("r7");
    expect(bundle.roots).toEqual(["http/authz", "users"]);
    expect(bundle.policies.map((p) => p.path)).toEqual(["http/authz/policy.verdict"]);
    expect(bundle.data).toEqual({ http: { authz: { limits: { max: 3 } } }, users: { alice: { roles: ["admin"] } } });
    // The same layout rules as `verdict eval -d` / loadFiles (which has no manifest).
    expect(JSON.parse(JSON.stringify(loadFiles([dir]).data))).toEqual(JSON.parse(JSON.stringify(bundle.data)));
  });

  it("skips symlinks, like loadFiles", async () => {
    const dir = await tempDir();
    const outside = await tempDir();
    await writeTree(outside, { "secret.verdict": "package secret\n" });
    await writeTree(dir, { "a.verdict": "package a\n" });
    await symlink(join(outside, "secret.verdict"), join(dir, "link.verdict"));
    await symlink(outside, join(dir, "linkdir"));
    const bundle = await readBundle(dir);
    expect(bundle.policies.map((p) => p.path)).toEqual(["a.verdict"]);
  });

  it('defaults to revision "" and roots [""] without a manifest', async () => {
    const dir = await tempDir();
    await writeTree(dir, { "data.json": '{"x": 1}' });
    const bundle = await readBundle(dir);
    expect(bundle).toMatchObject({ revision: "", roots: [""], data: { x: 1 }, policies: [] });
  });
});

describe("readBundle on a tarball", () => {
  it("reads the same bundle as the folder", async () => {
    const dir = await tempDir();
    await writeTree(dir, tree);
    const tgz = await rawTarGz(
      Object.entries(tree)
        .filter(([p]) => !p.startsWith(".git") && !p.startsWith("node_modules"))
        .map(([name, data]) => ({ name, data })),
    );
    await writeFile(join(dir, "b.tar.gz"), tgz);
    const fromTar = await readBundle(join(dir, "b.tar.gz"), { name: "main" });
    const fromDir = await readBundle(dir, { name: "main" });
    expect(fromTar).toEqual(fromDir);
  });
});

describe("manifest and roots", () => {
  it("normalises roots and rejects overlaps and bad types", () => {
    const m = (o: unknown) => parseManifest(Buffer.from(JSON.stringify(o)));
    expect(m({ roots: ["/a/b/", "c"] }).roots).toEqual(["a/b", "c"]);
    expect(m({ revision: "x", metadata: { k: 1 } })).toEqual({
      revision: "x",
      roots: [""],
      extra: { metadata: { k: 1 } },
    });
    expect(() => m({ roots: ["a", "a/b"] })).toThrow(/overlap/);
    expect(() => m({ roots: ["", "a"] })).toThrow(/overlap/);
    expect(() => m({ roots: ["a//b"] })).toThrow(/empty path segment/);
    expect(() => m({ revision: 3 })).toThrow(/'revision' must be a string/);
    expect(() => m({ roots: "a" })).toThrow(/'roots' must be an array/);
    expect(() => m([1])).toThrow(/must be a JSON object/);
    expect(() => parseManifest(Buffer.from("{"))).toThrow(/not valid JSON/);
  });

  it("rejects data outside the roots", async () => {
    const dir = await tempDir();
    await writeTree(dir, {
      ".manifest": JSON.stringify({ roots: ["users"] }),
      "data.json": JSON.stringify({ users: { a: 1 }, other: 2 }),
    });
    await expect(readBundle(dir)).rejects.toThrow(/data path 'other' is outside the manifest roots \(users\)/);
  });

  it("accepts data that reaches a root through parent objects, not a scalar above it", async () => {
    const dir = await tempDir();
    await writeTree(dir, {
      ".manifest": JSON.stringify({ roots: ["a/b"] }),
      "data.json": JSON.stringify({ a: { b: { c: 1 } } }),
    });
    await expect(readBundle(dir)).resolves.toMatchObject({ data: { a: { b: { c: 1 } } } });
    await writeTree(dir, { "data.json": JSON.stringify({ a: 5 }) });
    await expect(readBundle(dir)).rejects.toThrow(/data path 'a' is outside/);
  });

  it("rejects a package outside the roots", async () => {
    const dir = await tempDir();
    await writeTree(dir, {
      ".manifest": JSON.stringify({ roots: ["http"] }),
      "ok.verdict": "package http.authz\n\nallow := true\n",
      "bad.verdict": "package admin\n\nallow := true\n",
    });
    await expect(readBundle(dir)).rejects.toThrow(/bad\.verdict: package admin is outside the manifest roots \(http\)/);
  });

  it("reports data files that do not parse, with their path", async () => {
    const dir = await tempDir();
    await writeTree(dir, { "a/data.json": "{nope" });
    await expect(readBundle(dir)).rejects.toThrow(/a\/data\.json: not valid JSON/);
    await writeTree(dir, { "a/data.json": "[1, 2]" });
    await expect(readBundle(dir)).rejects.toThrow(/a\/data\.json: data at 'a' must be an object/);
  });

  it("rejects files that are not UTF-8", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "p.verdict"), Buffer.from([0x70, 0xff, 0xfe]));
    await expect(readBundle(dir)).rejects.toThrow(/p\.verdict: not valid UTF-8/);
  });
});
