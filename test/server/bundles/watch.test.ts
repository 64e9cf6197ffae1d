// Local bundles: a folder or .tar.gz read once, or watched and reloaded on change; a broken
// edit is refused while the last good bundle keeps serving.
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, afterEach, describe, expect, it } from "vitest";
import { buildBundle, localBundleConfigs, startBundleSources } from "../../../src/server/bundles/index.js";
import {
  brokenPolicy,
  bundleFiles,
  captureLogger,
  CompilingSink,
  eventually,
  policyV,
  removeTempDirs,
  tempDir,
  writeTree,
} from "./helpers.js";

const stops: (() => Promise<void>)[] = [];
afterEach(async () => {
  for (const s of stops.splice(0)) await s();
});
afterAll(removeTempDirs);

function start(configs: Parameters<typeof startBundleSources>[0], sink: CompilingSink) {
  const logger = captureLogger();
  const sources = startBundleSources(configs, sink, { logger, watchDebounceMs: 50 });
  stops.push(() => sources.stop());
  return Object.assign(sources, { logger });
}

describe("local bundles", () => {
  it("load a folder and a .tar.gz once", async () => {
    const dir = await tempDir();
    await writeTree(dir, bundleFiles("1"));
    const out = join(await tempDir(), "b.tar.gz");
    await buildBundle(dir, out, { revision: "built" });

    const sink = new CompilingSink();
    await start(localBundleConfigs([dir]), sink).ready;
    expect(sink.active).toMatchObject({ name: dir, revision: "1" });

    const sink2 = new CompilingSink();
    await start({ b: { resource: `file://${out}` } }, sink2).ready;
    expect(sink2.active).toMatchObject({ name: "b", revision: "built" });
  });

  it("reject `ready` when an unwatched bundle fails, after reporting it", async () => {
    const dir = await tempDir();
    await writeTree(dir, bundleFiles("1", brokenPolicy));
    const sink = new CompilingSink();
    const sources = start({ b: { resource: dir } }, sink);
    await expect(sources.ready).rejects.toThrow(/bundle b: could not be loaded/);
    expect(sink.failures[0]!.message).toMatch(/rejected: .*V207/);

    const sink2 = new CompilingSink();
    const missing = start({ m: { resource: join(dir, "nope") } }, sink2);
    await expect(missing.ready).rejects.toThrow(/could not be loaded/);
    expect(sink2.failures[0]!.message).toMatch(/ENOENT/);
  });

  it("reload a watched folder on change, and keep the old bundle when an edit breaks it", async () => {
    const dir = await tempDir();
    await writeTree(dir, bundleFiles("1"));
    const sink = new CompilingSink();
    const sources = start(localBundleConfigs([dir], true), sink);
    await sources.ready;
    expect(sink.decide("version")).toBe("1");

    await writeFile(join(dir, "app/policy.verdict"), policyV("2"));
    await eventually(() => sink.decide("version") === "2");

    await writeFile(join(dir, "app/policy.verdict"), brokenPolicy);
    await eventually(() => sink.failures.length > 0);
    expect(sink.failures[0]!.message).toMatch(/V207/);
    expect(sink.decide("version")).toBe("2");
    expect(sink.decide("allow", { user: "alice" })).toBe(true);

    await writeFile(join(dir, "app/policy.verdict"), policyV("3"));
    await writeFile(join(dir, "app/data.json"), JSON.stringify({ admins: ["bob"] }));
    await eventually(() => sink.decide("version") === "3" && sink.decide("allow", { user: "bob" }) === true);
  });

  it("reload a watched .tar.gz when it is rebuilt", async () => {
    const dir = await tempDir();
    await writeTree(dir, bundleFiles("1"));
    const out = join(await tempDir(), "b.tar.gz");
    await buildBundle(dir, out, { revision: "r1" });
    const sink = new CompilingSink();
    await start({ b: { resource: out, watch: true } }, sink).ready;
    expect(sink.active?.revision).toBe("r1");
    await writeFile(join(dir, "app/policy.verdict"), policyV("2"));
    await buildBundle(dir, out, { revision: "r2" }); // written to a temporary file, then renamed
    await eventually(() => sink.active?.revision === "r2");
    expect(sink.decide("version")).toBe("2");
  });

  it("wait for a watched folder that starts broken, until it is fixed", async () => {
    const dir = await tempDir();
    await writeTree(dir, bundleFiles("1", brokenPolicy));
    const sink = new CompilingSink();
    const sources = start(localBundleConfigs([dir], true), sink);
    await eventually(() => sink.failures.length > 0);
    let ready = false;
    void sources.ready.then(() => (ready = true));
    await writeFile(join(dir, "app/policy.verdict"), policyV("1"));
    await sources.ready;
    expect(ready).toBe(true);
    expect(sink.decide("version")).toBe("1");
  });

  it("ignore changes in dot-folders and node_modules", async () => {
    const dir = await tempDir();
    await writeTree(dir, { ...bundleFiles("1"), ".git/HEAD": "x", "node_modules/m/a.js": "x" });
    const sink = new CompilingSink();
    await start(localBundleConfigs([dir], true), sink).ready;
    await writeFile(join(dir, ".git/HEAD"), "y");
    await writeFile(join(dir, "node_modules/m/a.js"), "y");
    await new Promise((r) => setTimeout(r, 300));
    expect(sink.activations).toBe(1);
  });
});
