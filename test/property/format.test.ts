// (b) `verdict fmt` on generated well-formed policies: the printed text parses back to the same
// AST (modulo locations and the parentheses/braces printing adds), formatting is idempotent, and
// reformatting keeps the AST and every comment. Generated policies also check cleanly.
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type * as A from "../../src/lang/ast.js";
import { format } from "../../src/lang/format.js";
import { parseModule } from "../../src/lang/parse.js";
import { normalizeExpr, stripLocs } from "../arbitraries.js";
import { canonical } from "../reference/interpreter.js";
import { policyArb } from "./generators.js";
import { compileGenerated, replayPath, runs, seed, timeoutFor } from "./harness.js";

const numRuns = runs(300, 0.25);
const params = { seed: seed(0x5eed_b), numRuns, ...replayPath() };

function parseClean(source: string): A.Module {
  const r = parseModule(source, "<fmt>");
  if (r.module === null || r.diagnostics.length > 0) {
    const d = r.diagnostics[0];
    throw new Error(
      `does not parse (${d ? `${d.loc.line}:${d.loc.col} ${d.message.slice(0, 200)}` : "no module"}):\n${source}`,
    );
  }
  return r.module;
}

/** Meaning-preserving view of an AST: no locations, no parentheses, no brace style, no comments. */
function meaning(m: A.Module): unknown {
  const plain = normalizeExpr({ ...m, comments: [] });
  const drop = (n: unknown): unknown => {
    if (Array.isArray(n)) return n.map(drop);
    if (n === null || typeof n !== "object") return n;
    return Object.fromEntries(
      Object.entries(n)
        .filter(([k]) => k !== "braced")
        .map(([k, v]) => [k, drop(v)]),
    );
  };
  return drop(plain);
}

const withoutComments = (m: A.Module): unknown => stripLocs({ ...m, comments: [] });

/** Deep equality; compares canonical JSON first (fast) and lets `toEqual` draw the diff. */
function same(actual: unknown, expected: unknown): void {
  if (canonical(actual) !== canonical(expected)) expect(actual).toEqual(expected);
}

describe("(b) fmt on generated policies", () => {
  it(
    "prints text that parses back to the same AST, and formatting it again changes nothing",
    () => {
      fc.assert(
        fc.property(policyArb(), (p) => {
          p.modules.forEach((generated, i) => {
            const printed = p.sources[i]!.source;
            const parsed = parseClean(printed);
            same(meaning(parsed), meaning(generated));
            const once = format(parsed, printed);
            const reparsed = parseClean(once);
            same(withoutComments(reparsed), withoutComments(parsed));
            expect(format(reparsed, once)).toBe(once);
          });
        }),
        params,
      );
    },
    timeoutFor(numRuns, 40),
  );

  const comment = fc.record({
    line: fc.nat(),
    own: fc.boolean(),
    text: fc.constantFrom(" note", "", " ünï 😀", "# twice", " x := 1 {", "\t tab"),
  });

  it(
    "keeps the AST and every comment when comments and blank lines are added",
    () => {
      fc.assert(
        fc.property(policyArb(), fc.array(comment, { maxLength: 8 }), (p, comments) => {
          const lines = p.sources[0]!.source.split("\n");
          comments.forEach((c, i) => {
            const at = c.line % lines.length;
            if (c.own) lines.splice(at, 0, `#${i}${c.text}`, "");
            else if (!/[`]/.test(lines[at]!)) lines[at] += ` #${i}${c.text}`;
          });
          const source = lines.join("\n");
          const parsed = parseClean(source);
          same(withoutComments(parsed), withoutComments(parseClean(p.sources[0]!.source)));
          const once = format(parsed, source);
          const reparsed = parseClean(once);
          same(withoutComments(reparsed), withoutComments(parsed));
          expect(reparsed.comments.map((c) => c.text.trimEnd())).toEqual(parsed.comments.map((c) => c.text.trimEnd()));
          expect(format(reparsed, once)).toBe(once);
        }),
        params,
      );
    },
    timeoutFor(numRuns, 40),
  );

  it(
    "generated policies pass the checker (the generators only build well-formed policies)",
    () => {
      fc.assert(
        fc.property(policyArb(), (p) => {
          compileGenerated(p, {});
        }),
        params,
      );
    },
    timeoutFor(numRuns, 40),
  );
});
