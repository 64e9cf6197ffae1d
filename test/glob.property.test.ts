// glob.match answers simple globs (a literal, optionally ending in `*` or `**`) with string
// operations; this checks those answers against the general RE2 translation.
import fc from "fast-check";
import { RE2JS } from "re2js";
import { describe, expect, it } from "vitest";
import { builtins } from "../src/eval/builtins/index.js";
import { globToRegex } from "../src/eval/builtins/glob.js";

const match = builtins.get("glob.match")!;
const ctx = { nowNs: 0, platform: { verifySignature: null }, cache: new Map<string, unknown>() };
const alphabet = fc.constantFrom("a", "b", "/", ".", ":", "é", "😀");

describe("glob.match fast paths", () => {
  it("agree with the RE2 translation", () => {
    fc.assert(
      fc.property(
        fc.array(alphabet, { maxLength: 4 }).map((cs) => cs.join("")),
        fc.constantFrom("", "*", "**"),
        fc.constantFrom([], ["/"], ["/", "."], null),
        fc.array(alphabet, { maxLength: 8 }).map((cs) => cs.join("")),
        (literal, stars, delimiters, subject) => {
          const pattern = literal + stars;
          const effective = delimiters === null ? [] : delimiters.length === 0 ? ["."] : delimiters;
          const expected = RE2JS.compile(globToRegex(pattern, effective)).test(subject);
          expect(match.impl([pattern, delimiters, subject], ctx)).toBe(expected);
        },
      ),
      { seed: 11, numRuns: 2000 },
    );
  });
});
