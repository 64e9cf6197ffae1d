// Property tests for the printer and the parser. Fixed seed 42 (VERDICT_PROPERTY_SEED overrides it,
// for exploring); VERDICT_PROPERTY_RUNS sets the number of runs (default 300).
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type * as A from "../src/lang/ast.js";
import { format, formatExpr } from "../src/lang/format.js";
import { parseModule } from "../src/lang/parse.js";
import { lexer } from "../src/lang/tokens.js";
import {
  exprArb,
  handBuiltExprArb,
  hasMultilineRawString,
  keywordNames,
  moduleArb,
  normalizeExpr,
  stripLocs,
} from "./arbitraries.js";

const runs = Number(process.env["VERDICT_PROPERTY_RUNS"] ?? 300) || 300;
const seed = Number(process.env["VERDICT_PROPERTY_SEED"] ?? 42) || 42;
const params = { seed, numRuns: runs };
const timeout = 120_000 + runs * 200;

function parseClean(source: string): A.Module {
  const r = parseModule(source, "<prop>");
  if (r.diagnostics.length > 0 || r.module === null) {
    const first = r.diagnostics[0];
    const where = first ? `${first.loc.line}:${first.loc.col}: ${first.message}` : "no module";
    throw new Error(`printed source does not parse (${where}):\n${source}`);
  }
  return r.module;
}

/** Formats `source` (which must parse) the way the CLI would. */
function reformat(source: string): string {
  return format(parseClean(source), source);
}

function withoutComments(m: A.Module): unknown {
  return stripLocs({ ...m, comments: [] });
}

function commentTexts(m: A.Module): string[] {
  return m.comments.map((c) => c.text.replace(/[ \t\r\uFEFF]+$/, "")).sort();
}

describe("printing generated ASTs", () => {
  it(
    "parses back to the same AST without diagnostics",
    () => {
      fc.assert(
        fc.property(moduleArb, (m) => {
          const printed = format(m, "");
          expect(stripLocs(parseClean(printed))).toEqual(stripLocs(m));
        }),
        params,
      );
    },
    timeout,
  );

  it(
    "prints expressions that parse back to the same expression",
    () => {
      fc.assert(
        fc.property(exprArb, (e) => {
          const text = formatExpr(e);
          const m = parseClean(`package p\n\nx := ${text}\n`);
          const s = m.statements[0];
          expect(s?.kind).toBe("rule");
          expect(stripLocs(s?.kind === "rule" ? s.value : null)).toEqual(stripLocs(e));
        }),
        params,
      );
    },
    timeout,
  );

  it(
    "adds the parentheses a hand-built expression needs",
    () => {
      fc.assert(
        fc.property(handBuiltExprArb, (e) => {
          const text = formatExpr(e);
          const m = parseClean(`package p\n\nx := ${text}\n`);
          const s = m.statements[0];
          expect(normalizeExpr(s?.kind === "rule" ? s.value : null)).toEqual(normalizeExpr(e));
        }),
        params,
      );
    },
    timeout,
  );
});

describe("format is idempotent", () => {
  it(
    "on printed output",
    () => {
      fc.assert(
        fc.property(moduleArb, (m) => {
          const printed = format(m, "");
          const once = reformat(printed);
          // Without multi-line raw strings, printing an AST already gives the canonical text.
          if (!hasMultilineRawString(m)) expect(once).toBe(printed);
          expect(reformat(once)).toBe(once);
        }),
        params,
      );
    },
    timeout,
  );

  const edit = fc.record({
    line: fc.nat(),
    kind: fc.constantFrom("trailing", "own", "blank", "indented"),
    text: fc.constantFrom(" note", "", "# double", " trailing spaces  ", "x := 1", " ünï 😀"),
  });

  it(
    "on printed output with line breaks, comments and blank lines added, keeping every comment",
    () => {
      fc.assert(
        fc.property(
          moduleArb.filter((m) => !hasMultilineRawString(m)),
          fc.array(fc.boolean(), { minLength: 1, maxLength: 24 }),
          fc.array(edit, { maxLength: 12 }),
          (m, breaks, edits) => {
            const lines = breakLines(format(m, ""), breaks).split("\n");
            for (const [i, e] of edits.entries()) {
              const at = e.line % lines.length;
              if (e.kind === "trailing") lines[at] += ` #${i}${e.text}`;
              else if (e.kind === "own") lines.splice(at, 0, `#${i}${e.text}`);
              else if (e.kind === "indented") lines.splice(at, 0, `      #${i}${e.text}`);
              else lines.splice(at, 0, "");
            }
            const source = lines.join("\n");
            const parsed = parseClean(source);
            expect(withoutComments(parsed)).toEqual(withoutComments(m));
            const once = format(parsed, source);
            const again = parseClean(once);
            expect(withoutComments(again)).toEqual(withoutComments(parsed));
            expect(commentTexts(again)).toEqual(commentTexts(parsed));
            expect(reformat(once)).toBe(once);
          },
        ),
        params,
      );
    },
    timeout,
  );
});

/**
 * Inserts line breaks after opening brackets and commas and before closing brackets, where
 * `choices` (cycled) says so: places where a newline never changes the parse.
 */
function breakLines(source: string, choices: readonly boolean[]): string {
  let out = "";
  let pos = 0;
  let k = 0;
  const choose = (): boolean => choices[k++ % choices.length] ?? false;
  for (const t of lexer.tokenize(source).tokens) {
    const name = t.tokenType.name;
    if ((name === "RBracket" || name === "RBrace" || name === "RParen") && choose()) {
      out += source.slice(pos, t.startOffset) + "\n";
      pos = t.startOffset;
    }
    if ((name === "LBracket" || name === "LBrace" || name === "LParen" || name === "Comma") && choose()) {
      const end = (t.endOffset ?? t.startOffset) + 1;
      out += source.slice(pos, end) + "\n";
      pos = end;
    }
  }
  return out + source.slice(pos);
}

describe("the parser never throws", () => {
  function check(source: string): void {
    let r: ReturnType<typeof parseModule>;
    try {
      r = parseModule(source, "<fuzz>");
    } catch (err) {
      throw new Error(`parseModule threw on ${JSON.stringify(source)}: ${String(err)}`);
    }
    for (const d of r.diagnostics) {
      if (!(Number.isInteger(d.loc.line) && d.loc.line >= 1 && Number.isInteger(d.loc.col) && d.loc.col >= 1)) {
        throw new Error(`bad diagnostic location ${JSON.stringify(d.loc)} for ${JSON.stringify(source)}`);
      }
    }
    // Whatever parses cleanly also formats, and formatting it is idempotent.
    if (r.module !== null && r.diagnostics.length === 0) {
      const once = format(r.module, source);
      expect(reformat(once)).toBe(once);
    }
  }

  it("on raw control characters in strings and on deep nesting", () => {
    check('package p\n\nx := "a\tb"\n');
    check('package p\n\ntest "a\u0001" {}\n');
    for (const [open, close] of [
      ["(", ")"],
      ["[", "]"],
      ["{", "}"],
      ["not ", ""],
      ["-", ""],
      ["[x | ", "]"],
    ] as const) {
      for (const depth of [50, 5000]) {
        const source = `package p\n\nx := ${open.repeat(depth)}1${close.repeat(depth)}\n\ny := 2\n`;
        check(source);
        const r = parseModule(source);
        const names = r.module?.statements.map((s) => (s.kind === "rule" ? s.name.value : s.kind));
        expect(names).toContain("y");
        if (depth > 1000) expect(r.diagnostics.map((d) => d.message)).toEqual(["expression nested too deeply"]);
      }
    }
  });

  it("reports an error at the end of the input once, keeping the statements before it", () => {
    const r = parseModule("package p\n\na := 1\nb := 2\nc := (\n");
    expect(r.diagnostics).toHaveLength(1);
    expect(r.module?.statements.map((s) => (s.kind === "rule" ? s.name.value : s.kind))).toEqual(["a", "b"]);
  });

  it(
    "on arbitrary strings",
    () => {
      fc.assert(fc.property(fc.string(), check), params);
      fc.assert(fc.property(fc.string({ unit: "binary" }), check), params);
      fc.assert(
        fc.property(fc.string(), (s) => check("package p\n" + s)),
        params,
      );
    },
    timeout,
  );

  const tokenSoup = fc
    .array(
      fc.oneof(
        fc.constantFrom(...keywordNames),
        fc.constantFrom("x", "f", "1", "-1", '"s"', "`r`", "#c", "\n", ";", ",", ".", ":", ":=", "=", "|"),
        fc.constantFrom("(", ")", "[", "]", "{", "}", "==", "+", "-", "*", "<=", "set()", "'", "\t", "\r"),
      ),
      { maxLength: 40 },
    )
    .chain((tokens) => fc.constantFrom(" ", "").map((sep) => "package p\n" + tokens.join(sep)));

  it(
    "on token soup",
    () => {
      fc.assert(fc.property(tokenSoup, check), params);
    },
    timeout,
  );

  const mutation = fc.record({
    at: fc.nat(),
    del: fc.nat({ max: 3 }),
    insert: fc.oneof(
      fc.constant(""),
      fc.constantFrom(
        "\n",
        " ",
        "{",
        "}",
        "[",
        "]",
        "(",
        ")",
        ",",
        ";",
        "|",
        "-",
        ":=",
        "#",
        '"',
        "`",
        "if",
        "else",
        "x",
      ),
      fc.string({ maxLength: 3 }),
    ),
  });

  it(
    "on mutated valid policies",
    () => {
      fc.assert(
        fc.property(moduleArb, fc.array(mutation, { minLength: 1, maxLength: 5 }), (m, edits) => {
          let s = format(m, "");
          for (const e of edits) {
            const at = e.at % (s.length + 1);
            s = s.slice(0, at) + e.insert + s.slice(at + e.del);
          }
          check(s);
        }),
        params,
      );
    },
    timeout,
  );
});
