// Regular expressions with RE2 syntax and Go's regexp semantics, on re2js: matching is linear in
// the input, so a hostile pattern or input cannot cause catastrophic backtracking.
import { RE2JS } from "re2js";
import type { Matcher } from "re2js";
import { BuiltinError } from "../errors.js";
import type { Value } from "../value.js";
import { arg, cached, def, integerArg, stringArg } from "./args.js";
import type { Builtin, BuiltinContext } from "./types.js";

function compileUncached(pattern: string): RE2JS {
  try {
    return RE2JS.compile(pattern);
  } catch (e) {
    throw new BuiltinError(`invalid regular expression: ${e instanceof Error ? e.message : String(e)}`);
  }
}

/** Compiles (once per pattern, cached) or throws BuiltinError for invalid syntax. */
export function compileRegex(ctx: BuiltinContext, pattern: string): RE2JS {
  return cached(ctx, "regex:" + pattern, () => compileUncached(pattern));
}

/** UTF-16 length of the code point at `i` (0 at the end), to step over it. */
function codePointWidth(s: string, i: number): number {
  if (i >= s.length) return 0;
  const c = s.charCodeAt(i);
  const d = s.charCodeAt(i + 1);
  return c >= 0xd800 && c < 0xdc00 && d >= 0xdc00 && d < 0xe000 ? 2 : 1;
}

interface Match {
  readonly start: number;
  readonly end: number;
  /** Group 0 is the whole match; unmatched groups are null. */
  readonly groups: readonly (string | null)[];
}

function captureGroups(m: Matcher): (string | null)[] {
  const groups: (string | null)[] = [];
  for (let g = 0; g <= m.groupCount(); g++) groups.push(m.group(g));
  return groups;
}

/**
 * Successive non-overlapping matches as Go's FindAll* returns them (limit < 0: all). An empty
 * match right after the previous match is skipped, which is where Go and Java (re2js) differ.
 */
function findAll(re: RE2JS, s: string, limit: number): Match[] {
  const found: Match[] = [];
  const m = re.matcher(s);
  let pos = 0;
  let previousEnd = -1;
  while ((limit < 0 || found.length < limit) && pos <= s.length) {
    if (!m.find(pos)) break;
    const start = m.start();
    const end = m.end();
    let accept = true;
    if (end === pos) {
      if (start === previousEnd) accept = false;
      pos += Math.max(codePointWidth(s, pos), 1);
    } else {
      pos = end;
    }
    previousEnd = end;
    if (accept) found.push({ start, end, groups: captureGroups(m) });
  }
  return found;
}

/** Go's Regexp.Split(s, -1). */
function split(re: RE2JS, pattern: string, s: string): string[] {
  if (pattern !== "" && s === "") return [""];
  const parts: string[] = [];
  let begin = 0;
  let end = 0;
  for (const match of findAll(re, s, -1)) {
    end = match.start;
    if (match.end !== 0) parts.push(s.slice(begin, end));
    begin = match.end;
  }
  if (end !== s.length) parts.push(s.slice(begin));
  return parts;
}

const NAME = /^[\p{L}\p{Nd}_]+/u;

/** The text of group `name` (a number or a (?P<name>...) name) in Go's Expand; "" if none. */
function groupText(re: RE2JS, groups: readonly (string | null)[], name: string): string {
  let index: number | undefined;
  if (/^\d+$/.test(name)) index = Number(name);
  else {
    const named = re.namedGroups();
    if (Object.prototype.hasOwnProperty.call(named, name)) index = named[name];
  }
  return (index === undefined ? null : groups[index]) ?? "";
}

/** Go's Regexp.Expand template: $1, ${1}, $name, ${name}; $$ is a literal $. */
function expand(re: RE2JS, template: string, groups: readonly (string | null)[]): string {
  let out = "";
  let i = 0;
  while (i < template.length) {
    const dollar = template.indexOf("$", i);
    if (dollar < 0) return out + template.slice(i);
    out += template.slice(i, dollar);
    i = dollar + 1;
    if (template[i] === "$") {
      out += "$";
      i++;
      continue;
    }
    const braced = template[i] === "{";
    const nameMatch = NAME.exec(template.slice(braced ? i + 1 : i));
    const name = nameMatch?.[0];
    if (name === undefined || (braced && template[i + 1 + name.length] !== "}")) {
      out += "$"; // malformed reference: Go keeps the dollar as text
      continue;
    }
    out += groupText(re, groups, name);
    i += name.length + (braced ? 2 : 0);
  }
  return out;
}

/** Go's ReplaceAllString, including its rules for empty matches. */
function replaceAll(re: RE2JS, s: string, template: string): string {
  const m = re.matcher(s);
  let out = "";
  let lastEnd = 0;
  let searchPos = 0;
  while (searchPos <= s.length && m.find(searchPos)) {
    const start = m.start();
    const end = m.end();
    out += s.slice(lastEnd, start);
    // No second replacement for an empty match right after a match.
    if (end > lastEnd || start === 0) out += expand(re, template, captureGroups(m));
    lastEnd = end;
    const width = codePointWidth(s, searchPos);
    if (searchPos + width > end) searchPos += width;
    else if (searchPos + 1 > end) searchPos++;
    else searchPos = end;
  }
  return out + s.slice(lastEnd);
}

function isValidPattern(v: Value): boolean {
  if (typeof v !== "string") return false;
  try {
    compileUncached(v);
    return true;
  } catch {
    return false;
  }
}

export const regexBuiltins: readonly Builtin[] = [
  def("regex.match", 2, "regex.match(pattern, value) -> boolean", (args, ctx) =>
    compileRegex(ctx, stringArg(args, 0)).test(stringArg(args, 1)),
  ),
  def("regex.is_valid", 1, "regex.is_valid(pattern) -> boolean", (args) => isValidPattern(arg(args, 0))),
  def("regex.split", 2, "regex.split(pattern, value) -> array", (args, ctx) => {
    const pattern = stringArg(args, 0);
    return split(compileRegex(ctx, pattern), pattern, stringArg(args, 1));
  }),
  def("regex.find_n", 3, "regex.find_n(pattern, value, n) -> array", (args, ctx) =>
    findAll(compileRegex(ctx, stringArg(args, 0)), stringArg(args, 1), integerArg(args, 2)).map(
      (m) => m.groups[0] ?? "",
    ),
  ),
  def(
    "regex.find_all_string_submatch_n",
    3,
    "regex.find_all_string_submatch_n(pattern, value, n) -> array",
    (args, ctx) =>
      findAll(compileRegex(ctx, stringArg(args, 0)), stringArg(args, 1), integerArg(args, 2)).map((m) =>
        m.groups.map((g) => g ?? ""),
      ),
  ),
  def("regex.replace", 3, "regex.replace(s, pattern, value) -> string", (args, ctx) =>
    replaceAll(compileRegex(ctx, stringArg(args, 1)), stringArg(args, 0), stringArg(args, 2)),
  ),
];
