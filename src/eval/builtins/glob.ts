// Glob matching with gobwas/glob semantics (as OPA uses): `*` matches a run of non-delimiter
// characters, `**` any run, `?` one non-delimiter character, `[abc]`/`[!a-z]` classes,
// `{a,b}` alternatives and `\` escapes. A glob is translated to an RE2 regex once and cached, so
// matching is linear in the input however many stars the pattern has.
import { RE2JS } from "re2js";
import { BuiltinError } from "../errors.js";
import { isArray } from "../value.js";
import type { Value } from "../value.js";
import { arg, cached, codePoints, def, stringArg, typeError } from "./args.js";
import type { Builtin, BuiltinContext } from "./types.js";

/** One code point as a regex atom that can never be read as an operator. */
const literal = (c: string): string => `\\x{${(c.codePointAt(0) as number).toString(16)}}`;

class GlobTranslator {
  private i = 0;
  private readonly cps: string[];
  private readonly single: string; // regex for one non-delimiter character

  constructor(pattern: string, delimiters: readonly string[]) {
    this.cps = codePoints(pattern);
    this.single = delimiters.length === 0 ? "." : "[^" + delimiters.map(literal).join("") + "]";
  }

  translate(): string {
    const body = this.sequence(false);
    return `(?s)\\A(?:${body})\\z`;
  }

  private fail(message: string): never {
    throw new BuiltinError(`invalid glob pattern: ${message}`);
  }

  /** Reads up to the end, or inside braces up to the next `,` or `}`. */
  private sequence(inBraces: boolean): string {
    let out = "";
    for (;;) {
      const c = this.cps[this.i];
      if (c === undefined) {
        if (inBraces) this.fail("unclosed {");
        return out;
      }
      if (inBraces && (c === "," || c === "}")) return out;
      this.i++;
      switch (c) {
        case "*":
          if (this.cps[this.i] === "*") {
            this.i++;
            out += "(?:.*)";
          } else {
            out += `(?:${this.single}*)`;
          }
          break;
        case "?":
          out += this.single;
          break;
        case "[":
          out += this.characterClass();
          break;
        case "{":
          out += this.alternatives();
          break;
        case "\\": {
          const escaped = this.cps[this.i++];
          if (escaped === undefined) this.fail("trailing \\");
          out += literal(escaped);
          break;
        }
        default:
          out += literal(c);
      }
    }
  }

  private alternatives(): string {
    const options = [this.sequence(true)];
    while (this.cps[this.i] === ",") {
      this.i++;
      options.push(this.sequence(true));
    }
    this.i++; // the closing brace; sequence(true) only stops at ',' or '}' (or fails)
    return "(?:" + options.join("|") + ")";
  }

  private characterClass(): string {
    let negated = false;
    if (this.cps[this.i] === "!") {
      negated = true;
      this.i++;
    }
    let items = "";
    for (;;) {
      let c = this.cps[this.i++];
      if (c === undefined) this.fail("unclosed [");
      if (c === "]") break;
      if (c === "\\") {
        c = this.cps[this.i++];
        if (c === undefined) this.fail("unclosed [");
      }
      if (this.cps[this.i] === "-" && this.cps[this.i + 1] !== undefined && this.cps[this.i + 1] !== "]") {
        const hi = this.cps[this.i + 1] as string;
        this.i += 2;
        if ((hi.codePointAt(0) as number) < (c.codePointAt(0) as number)) this.fail(`bad range ${c}-${hi}`);
        items += literal(c) + "-" + literal(hi);
      } else {
        items += literal(c);
      }
    }
    if (items === "") this.fail("empty character class");
    return "[" + (negated ? "^" : "") + items + "]";
  }
}

/** Compiles a glob for the given delimiters; exported for tests. */
export function globToRegex(pattern: string, delimiters: readonly string[]): string {
  return new GlobTranslator(pattern, delimiters).translate();
}

/** OPA: null means no delimiters, an empty array means the default ["."]. */
function delimitersArg(v: Value): string[] {
  if (v === null) return [];
  if (!isArray(v)) throw typeError(1, "array or null", v);
  if (v.length === 0) return ["."];
  return v.map((d, j) => {
    if (typeof d !== "string" || codePoints(d).length !== 1) {
      throw new BuiltinError(`operand 2 must contain single-character strings but element ${j} is not`);
    }
    return d;
  });
}

type Matcher = (subject: string) => boolean;

/**
 * A matcher for a glob, cached. Globs that are a literal, or a literal followed by one final
 * `*` or `**` (the common `/public/**`), are matched with plain string operations; the rest by RE2.
 */
function compileGlob(ctx: BuiltinContext, pattern: string, delimiters: readonly string[]): Matcher {
  // Delimiters are single characters, so joining them is unambiguous.
  return cached(ctx, "glob:" + delimiters.join("") + "\u0000" + pattern, (): Matcher => {
    const simple = simpleGlob(pattern, delimiters);
    if (simple) return simple;
    const source = globToRegex(pattern, delimiters);
    try {
      const re = RE2JS.compile(source);
      return (subject) => re.test(subject);
    } catch (e) {
      throw new BuiltinError(`invalid glob pattern: ${e instanceof Error ? e.message : String(e)}`);
    }
  });
}

function simpleGlob(pattern: string, delimiters: readonly string[]): Matcher | null {
  const cps = codePoints(pattern);
  const stars = cps.length >= 2 && cps.at(-1) === "*" && cps.at(-2) === "*" ? 2 : cps.at(-1) === "*" ? 1 : 0;
  const prefix = cps.slice(0, cps.length - stars);
  if (prefix.some((c) => GLOB_META.has(c))) return null;
  const literal = prefix.join("");
  if (stars === 0) return (s) => s === literal;
  if (stars === 2) return (s) => s.startsWith(literal);
  return (s) => s.startsWith(literal) && !delimiters.some((d) => s.includes(d, literal.length));
}

const GLOB_META = new Set(["*", "?", "\\", "[", "]", "{", "}"]);

export const globBuiltins: readonly Builtin[] = [
  def("glob.match", 3, "glob.match(pattern, delimiters, match) -> boolean", (args, ctx) => {
    const pattern = stringArg(args, 0);
    const delimiters = delimitersArg(arg(args, 1));
    const subject = stringArg(args, 2);
    return compileGlob(ctx, pattern, delimiters)(subject);
  }),
  def("glob.quote_meta", 1, "glob.quote_meta(pattern) -> string", (args) =>
    codePoints(stringArg(args, 0))
      .map((c) => (GLOB_META.has(c) ? "\\" + c : c))
      .join(""),
  ),
];
