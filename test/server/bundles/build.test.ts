// `verdict build`: deterministic output, the round trip through readBundle, manifests,
// signing, and refusing policies that do not compile.
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { Command } from "commander";
import { afterAll, afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { registerBuild } from "../../../src/cli/commands/build.js";
import { buildBundle, readBundle } from "../../../src/server/bundles/index.js";
import { bundleFiles, brokenPolicy, removeTempDirs, tempDir, writeKeys, writeTree } from "./helpers.js";

afterAll(removeTempDirs);

let stdout: string[];
let stderr: string[];
beforeEach(() => {
  stdout = [];
  stderr = [];
  vi.spyOn(process.stdout, "write").mockImplementation((s) => (stdout.push(String(s)), true));
  vi.spyOn(process.stderr, "write").mockImplementation((s) => (stderr.push(String(s)), true));
});
afterEach(() => {
  vi.restoreAllMocks();
  process.exitCode = undefined;
});

/** Runs `verdict build ...args` through the real command registration; returns the exit code. */
async function verdictBuild(...args: string[]): Promise<number> {
  const program = new Command("verdict").exitOverride();
  registerBuild(program);
  process.exitCode = undefined;
  await program.parseAsync(["build", ...args], { from: "user" });
  return Number(process.exitCode ?? 0);
}

describe("verdict build", () => {
  it("writes byte-identical bundles for the same input", async () => {
    const dir = await tempDir();
    const out = await tempDir();
    await writeTree(dir, { ...bundleFiles("1"), "app/more/data.yaml": "x: 1\n", "notes.txt": "left out" });
    expect(await verdictBuild(dir, "-o", join(out, "a.tar.gz"), "--revision", "v9")).toBe(0);
    expect(await verdictBuild(dir, "-o", join(out, "b.tar.gz"), "--revision", "v9")).toBe(0);
    const a = await readFile(join(out, "a.tar.gz"));
    const b = await readFile(join(out, "b.tar.gz"));
    expect(a.equals(b)).toBe(true);
    expect(stdout.join("")).toContain(`wrote ${join(out, "a.tar.gz")}`);
  });

  it("is deterministic when signing with RS256 too", async () => {
    const dir = await tempDir();
    const keys = await writeKeys(dir);
    await writeTree(dir, bundleFiles("1"));
    const args = ["--signing-key", keys.rsaPriv, "--signing-alg", "RS256"];
    expect(await verdictBuild(dir, "-o", join(dir, "a.tar.gz"), ...args)).toBe(0);
    expect(await verdictBuild(dir, "-o", join(dir, "b.tar.gz"), ...args)).toBe(0);
    expect((await readFile(join(dir, "a.tar.gz"))).equals(await readFile(join(dir, "b.tar.gz")))).toBe(true);
  });

  it("round-trips: build, then readBundle gives the folder's bundle with the new manifest", async () => {
    const dir = await tempDir();
    const keys = await writeKeys(await tempDir());
    await writeTree(dir, bundleFiles("1"));
    const out = join(await tempDir(), "bundle.tar.gz");
    const code = await verdictBuild(
      dir,
      "-o",
      out,
      "--revision",
      "2024-06-01",
      "--roots",
      "app, other",
      ...["--signing-key", keys.secret, "--signing-alg", "HS256", "--keyid", "ci"],
    );
    expect(code).toBe(0);
    const built = await readBundle(out, { name: "x", signing: { algorithm: "HS256", key: keys.secret, keyid: "ci" } });
    const source = await readBundle(dir, { name: "x" });
    expect(built.revision).toBe("2024-06-01");
    expect(built.roots).toEqual(["app", "other"]);
    expect(built.policies).toEqual(source.policies);
    expect(built.data).toEqual(source.data);
  });

  it("keeps the folder's manifest fields unless flags override them", async () => {
    const dir = await tempDir();
    await writeTree(dir, {
      ".manifest": JSON.stringify({ revision: "r1", roots: ["app"], metadata: { owner: "team-a" } }),
      "app/p.verdict": "package app\n\nallow := true\n",
    });
    const out = join(dir, "b.tar.gz");
    await buildBundle(dir, out);
    expect(await readBundle(out)).toMatchObject({ revision: "r1", roots: ["app"] });
  });

  it("refuses policies that do not compile, printing every error with its location", async () => {
    const dir = await tempDir();
    await writeTree(dir, bundleFiles("1", brokenPolicy));
    const out = join(dir, "b.tar.gz");
    expect(await verdictBuild(dir, "-o", out)).toBe(1);
    expect(stderr.join("")).toMatch(/policy\.verdict:4:\d+: error V207/);
    await expect(readFile(out)).rejects.toThrow(/ENOENT/);
  });

  it("refuses bundles the server would refuse, and reports missing inputs as usage errors", async () => {
    const dir = await tempDir();
    await writeTree(dir, { "data.json": '{"a": 1}' });
    expect(await verdictBuild(dir, "-o", join(dir, "b.tar.gz"), "--roots", "b")).toBe(1);
    expect(stderr.join("")).toMatch(/data path 'a' is outside the manifest roots/);
    expect(await verdictBuild(join(dir, "nope"), "-o", join(dir, "b.tar.gz"))).toBe(2);
    expect(await verdictBuild(dir, "-o", join(dir, "b.tar.gz"), "--signing-key", join(dir, "data.json"))).toBe(2);
    expect(stderr.join("")).toMatch(/not a PEM private key/);
  });
});
