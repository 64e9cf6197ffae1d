// (a) Parsing never throws: any text gives a module and/or located diagnostics, and so does the
// whole pipeline (parse, check, compile) on arbitrary text and on mutated well-formed policies.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { compile, type Diagnostic } from "../../src/index.js";
import { format } from "../../src/lang/format.js";
import { parseModule } from "../../src/lang/parse.js";
import { keywordNames } from "../arbitraries.js";
import { policyArb } from "./generators.js";
import { replayPath, runs, seed, timeoutFor } from "./harness.js";

const textRuns = runs(400);
const mutationRuns = runs(300, 0.5);
const params = (numRuns: number) => ({ seed: seed(0x5eed_a), numRuns, ...replayPath() });

/** Line and column (1-based, UTF-16 units) of an offset, counting \n, \r\n and \r as line ends. */
function position(source: string, offset: number): { line: number; col: number } {
  let line = 1;
  let start = 0;
  for (let i = 0; i < offset; i++) {
    const c = source[i];
    if (c === "\n" || (c === "\r" && source[i + 1] !== "\n")) {
      line++;
      start = i + 1;
    }
  }
  return { line, col: offset - start + 1 };
}

/** A diagnostic points into the file it is about, at a position consistent with its offsets. */
function checkLocated(d: Diagnostic, file: string, source: string): void {
  const where = `${JSON.stringify(d.loc)} (${d.code} ${d.message}) in ${JSON.stringify(source)}`;
  const l = d.loc;
  if (l.file !== file) throw new Error(`diagnostic names file ${l.file}: ${where}`);
  for (const n of [l.line, l.col, l.endLine, l.endCol, l.offset, l.endOffset]) {
    if (!Number.isInteger(n)) throw new Error(`diagnostic location is not whole numbers: ${where}`);
  }
  if (l.line < 1 || l.col < 1 || l.endLine < l.line) throw new Error(`diagnostic location out of range: ${where}`);
  // At the end of the file a diagnostic may cover one position past the last character.
  if (
    l.offset < 0 ||
    l.offset > l.endOffset ||
    l.offset > source.length ||
    l.endOffset > Math.max(source.length, l.offset + 1)
  ) {
    throw new Error(`diagnostic offsets outside the source: ${where}`);
  }
  const p = position(source, l.offset);
  if (p.line !== l.line || p.col !== l.col) {
    throw new Error(`diagnostic line:col ${l.line}:${l.col} but its offset is at ${p.line}:${p.col}: ${where}`);
  }
}

function parsesWithoutThrowing(source: string): void {
  const file = "<prop>.verdict";
  let r: ReturnType<typeof parseModule>;
  try {
    r = parseModule(source, file);
  } catch (err) {
    throw new Error(`parseModule threw on ${JSON.stringify(source)}: ${String(err)}`);
  }
  for (const d of r.diagnostics) checkLocated(d, file, source);
  if (r.module === null && r.diagnostics.length === 0) throw new Error("no module and no diagnostic");
  let c: ReturnType<typeof compile>;
  try {
    c = compile([{ file, source }]);
  } catch (err) {
    throw new Error(`compile threw on ${JSON.stringify(source)}: ${String(err)}`);
  }
  for (const d of c.diagnostics) checkLocated(d, file, source);
  // Whatever parses cleanly also formats.
  if (r.module && r.diagnostics.length === 0) expect(typeof format(r.module, source)).toBe("string");
}

const soup = fc
  .array(
    fc.oneof(
      fc.constantFrom(...keywordNames),
      fc.constantFrom("x", "input", "data", "f", "1", "-1", "1e999", '"s"', "`r`", "#c", "\n", "\r\n", "\r", ";", ","),
      fc.constantFrom("(", ")", "[", "]", "{", "}", "==", ":=", "=", "|", ".", "_", "set()", "\u2028", "\t", "😀"),
    ),
    { maxLength: 40 },
  )
  .map((tokens) => tokens.join(" "));

describe("(a) parsing never throws", () => {
  it(
    "on arbitrary text, with or without a package line",
    () => {
      const text = fc.oneof(
        fc.string({ maxLength: 80 }),
        fc.string({ unit: "binary", maxLength: 40 }),
        fc.string({ unit: "grapheme", maxLength: 20 }),
        soup,
      );
      fc.assert(
        fc.property(text, fc.boolean(), (s, withPackage) => parsesWithoutThrowing(withPackage ? `package p\n${s}` : s)),
        params(textRuns),
      );
    },
    timeoutFor(textRuns, 5),
  );

  const edit = fc.record({
    at: fc.nat(),
    del: fc.nat({ max: 6 }),
    kind: fc.constantFrom("insert", "delete", "duplicate", "swapLines"),
    text: fc.oneof(
      fc.constantFrom("{", "}", "[", "]", "(", ")", ",", ";", "|", ":=", "=", "if", "else", "some", "every", "with"),
      fc.constantFrom("not", "in", "contains", "default", "package q", "import data.x", "\n", "#", '"', "`", "_"),
      fc.string({ maxLength: 3 }),
    ),
  });

  /** Applies one edit to the text of a well-formed policy. */
  function mutate(s: string, e: { at: number; del: number; kind: string; text: string }): string {
    const at = e.at % (s.length + 1);
    switch (e.kind) {
      case "insert":
        return s.slice(0, at) + e.text + s.slice(at);
      case "delete":
        return s.slice(0, at) + s.slice(at + e.del + 1);
      case "duplicate":
        return s.slice(0, at + e.del) + s.slice(at, at + e.del) + s.slice(at + e.del);
      default: {
        const lines = s.split("\n");
        const i = at % lines.length;
        const j = (at + e.del) % lines.length;
        [lines[i], lines[j]] = [lines[j]!, lines[i]!];
        return lines.join("\n");
      }
    }
  }

  it(
    "on mutated well-formed policies",
    () => {
      fc.assert(
        fc.property(policyArb(), fc.array(edit, { minLength: 1, maxLength: 6 }), (p, edits) => {
          let s = p.sources[0]!.source;
          for (const e of edits) s = mutate(s, e);
          parsesWithoutThrowing(s);
        }),
        params(mutationRuns),
      );
    },
    timeoutFor(mutationRuns, 30),
  );
});
