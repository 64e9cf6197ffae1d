// The safe tarball reader: confinement to the bundle root, entry types, duplicates, and the
// size limits that make gzip bombs harmless. And the deterministic writer.
import { createGzip } from "node:zlib";
import { afterAll, describe, expect, it } from "vitest";
import { defaultLimits, MiB, resolveLimits } from "../../../src/server/bundles/common.js";
import { readBundle } from "../../../src/server/bundles/index.js";
import { checkEntryPath, readTarGz, writeTarGz } from "../../../src/server/bundles/tarball.js";
import { rawTarGz, removeTempDirs, tempDir } from "./helpers.js";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";

afterAll(removeTempDirs);

const read = (bytes: Buffer, limits = defaultLimits) => readTarGz(bytes, limits);

/** gzip of `n` MiB of zeros, streamed so the test never holds the plain bytes. */
async function gzipZeros(n: number, prefix?: Buffer): Promise<Buffer> {
  const gz = createGzip();
  const out: Buffer[] = [];
  gz.on("data", (c: Buffer) => out.push(c));
  const ended = new Promise((r) => gz.on("end", r));
  if (prefix) gz.write(prefix);
  const mib = Buffer.alloc(MiB);
  for (let i = 0; i < n; i++) if (!gz.write(mib)) await new Promise((r) => gz.once("drain", r));
  gz.end();
  await ended;
  return Buffer.concat(out);
}

describe("entry paths", () => {
  it("accepts relative paths and normalises ./ and trailing slashes", () => {
    expect(checkEntryPath("a/b.verdict")).toBe("a/b.verdict");
    expect(checkEntryPath("./a/data.json")).toBe("a/data.json");
    expect(checkEntryPath("./")).toBe("");
    expect(checkEntryPath("dir/")).toBe("dir");
  });

  it.each([
    ["../evil", /leave the bundle root/],
    ["a/../../evil", /leave the bundle root/],
    ["/abs", /absolute/],
    ["a\\..\\evil", /backslash/],
    ["a\u0000b", /control characters/],
    ["C:/evil", /drive-letter/],
    ["a//b", /empty or '\.'/],
    ["a/./b", /empty or '\.'/],
  ])("rejects %j", (path, why) => {
    expect(() => checkEntryPath(path)).toThrow(why);
  });
});

describe("reading tarballs", () => {
  it("reads regular files and folders, including ./-prefixed entries as tar -C dir . writes them", async () => {
    const tgz = await rawTarGz([
      { name: "./", type: "directory" },
      { name: "./app/", type: "directory" },
      { name: "./app/data.json", data: '{"a":1}' },
      { name: ".manifest", data: "{}" },
    ]);
    const files = await read(tgz);
    expect([...files.keys()]).toEqual(["app/data.json", ".manifest"]);
    expect(files.get("app/data.json")!.toString()).toBe('{"a":1}');
  });

  it.each([
    ["a parent-directory escape", [{ name: "../evil.verdict", data: "x" }], /leave the bundle root/],
    ["a nested escape", [{ name: "app/../../evil", data: "x" }], /leave the bundle root/],
    ["an absolute path", [{ name: "/abs/data.json", data: "{}" }], /absolute/],
    [
      "a symlink",
      [{ name: "link", type: "symlink" as const, linkname: "/etc/passwd" }],
      /symlink entries are not allowed/,
    ],
    ["a hard link", [{ name: "hard", type: "link" as const, linkname: "x" }], /link entries are not allowed/],
    ["a device", [{ name: "dev", type: "character-device" as const }], /character-device entries are not allowed/],
    ["a fifo", [{ name: "fifo", type: "fifo" as const }], /fifo entries are not allowed/],
    [
      "a duplicate file",
      [
        { name: "a.verdict", data: "1" },
        { name: "./a.verdict", data: "2" },
      ],
      /duplicate entry 'a.verdict'/,
    ],
    [
      "a file that is also a folder",
      [
        { name: "a", data: "1" },
        { name: "a/b.verdict", data: "2" },
      ],
      /'a' is both a file and a folder/,
    ],
  ])("rejects %s", async (_what, entries, why) => {
    await expect(read(await rawTarGz(entries))).rejects.toThrow(why);
  });

  it("rejects a long (pax) path that escapes the root", async () => {
    const name = `${"d/".repeat(80)}../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../../evil`;
    await expect(read(await rawTarGz([{ name, data: "x" }]))).rejects.toThrow(/leave the bundle root/);
  });

  it("rejects bytes that are not gzip, and gzip that is not tar", async () => {
    await expect(read(Buffer.from("not a tarball"))).rejects.toThrow(/not a valid \.tar\.gz/);
    const { gzipSync } = await import("node:zlib");
    await expect(read(gzipSync(Buffer.from("x".repeat(2000))))).rejects.toThrow(/not a valid tar archive/);
  });

  it("rejects a truncated archive", async () => {
    const tgz = await rawTarGz([{ name: "a.verdict", data: "x".repeat(5000) }]);
    await expect(read(tgz.subarray(0, tgz.length - 20))).rejects.toThrow(/not a valid/);
  });
});

describe("limits", () => {
  it("stops decompressing a gzip bomb at the limit", async () => {
    const bomb = await gzipZeros(128); // 128 MiB of zeros in about 128 KB
    expect(bomb.length).toBeLessThan(1 * MiB);
    const limits = resolveLimits({ maxTotalBytes: 4 * MiB, maxEntries: 100 });
    const started = Date.now();
    await expect(read(bomb, limits)).rejects.toThrow(/decompresses to more than/);
    expect(Date.now() - started).toBeLessThan(10_000); // generous: it stops after ~4 MiB
  });

  it("refuses a file over the per-file limit from its header", async () => {
    // A valid tar header announcing 64 MiB, followed by zeros: a bomb inside the tarball.
    const header = (await import("node:zlib")).gunzipSync(
      await rawTarGz([{ name: "data.json", data: Buffer.alloc(1) }]),
    );
    header.write((64 * MiB).toString(8).padStart(11, "0") + "\0", 124, "ascii"); // the size field
    // Recompute the header checksum.
    header.fill(" ", 148, 156);
    let sum = 0;
    for (let i = 0; i < 512; i++) sum += header[i]!;
    header.write(sum.toString(8).padStart(6, "0") + "\0 ", 148, "ascii");
    const bomb = await gzipZeros(2, header.subarray(0, 512));
    const limits = resolveLimits({ maxFileBytes: 1 * MiB });
    await expect(read(bomb, limits)).rejects.toThrow(/over the limit of 1048576/);
  });

  it("enforces the entry count, the total size and the archive size", async () => {
    const many = await rawTarGz(Array.from({ length: 11 }, (_, i) => ({ name: `p${i}.verdict`, data: "x" })));
    await expect(read(many, resolveLimits({ maxEntries: 10 }))).rejects.toThrow(/more than 10 entries/);
    const big = await rawTarGz([
      { name: "a.verdict", data: "x".repeat(600) },
      { name: "b.verdict", data: "x".repeat(600) },
    ]);
    await expect(read(big, resolveLimits({ maxTotalBytes: 1000 }))).rejects.toThrow(/add up to more than/);
    await expect(read(big, resolveLimits({ maxArchiveBytes: 10 }))).rejects.toThrow(/archive is \d+ bytes/);
  });

  it("applies the archive limit to files on disk before reading them", async () => {
    const dir = await tempDir();
    await writeFile(join(dir, "b.tar.gz"), Buffer.alloc(5000));
    await expect(readBundle(join(dir, "b.tar.gz"), { limits: { maxArchiveBytes: 100 } })).rejects.toThrow(
      /over the limit of 100/,
    );
  });
});

describe("writing tarballs", () => {
  it("is deterministic whatever the insertion order, and reads back", async () => {
    const a = new Map([
      ["b/data.json", Buffer.from("{}")],
      ["a.verdict", Buffer.from("package a")],
    ]);
    const b = new Map([...a].reverse());
    const x = await writeTarGz(a);
    const y = await writeTarGz(b);
    expect(x.equals(y)).toBe(true);
    expect([...(await read(x)).keys()]).toEqual(["a.verdict", "b/data.json"]);
  });

  it("refuses to write a path the reader would refuse", async () => {
    await expect(writeTarGz(new Map([["../x", Buffer.from("")]]))).rejects.toThrow(/leave the bundle root/);
  });
});
