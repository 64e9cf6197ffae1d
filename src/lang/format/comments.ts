// Turns the printer's code lines into text, weaving the source comments back in.
//
// Every output line knows the source range [start, end) of the tokens printed on it, and lines
// come out in source order, so each comment falls either between two lines or inside one:
// - between line i and line i+1, on the source line where line i ends: a trailing comment of
//   line i (` # text` appended to it);
// - between them on a line of its own: an own-line comment before line i+1, at the indentation
//   of line i+1 (one level deeper when line i+1 starts with a closing bracket, so a comment at the
//   end of a body stays inside the body);
// - inside line i's range (the line joined several source lines, e.g. `a +  # why` / `b`): hoisted
//   above line i as an own-line comment, since a comment cannot sit in the middle of a line.
// Blank lines: at most one, kept where the source had a whitespace-only line between two printed
// things, never right after a line that opens a block nor right before a closing bracket; a
// top-level line marked `ensureBlank` gets one before its leading comments when the source had none.
import type { Comment } from "../ast.js";
import type { OutLine } from "./writer.js";

export const INDENT = "    ";

const lineBreak = /\r\n?|\n/g;
const blankLine = /^[ \t\uFEFF]*$/;

/** Line numbers and blank-line tests over the original source, with the lexer's line breaks. */
export class SourceText {
  private readonly starts: number[] = [0];

  constructor(readonly text: string) {
    for (const m of text.matchAll(lineBreak)) this.starts.push(m.index + m[0].length);
  }

  /** The 1-based line holding `offset`. */
  lineOf(offset: number): number {
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo + 1;
  }

  /** True when a whitespace-only line lies strictly between the lines of `from` and `to`. */
  blankBetween(from: number, to: number): boolean {
    if (from < 0 || to <= from) return false;
    const parts = this.text.slice(from, to).split(lineBreak);
    for (let i = 1; i < parts.length - 1; i++) if (blankLine.test(parts[i]!)) return true;
    return false;
  }
}

/** Comments sorted by offset, with a range query. */
export class CommentIndex {
  readonly sorted: readonly Comment[];

  constructor(comments: readonly Comment[]) {
    this.sorted = [...comments].sort((a, b) => a.loc.offset - b.loc.offset);
  }

  /** True when some comment starts inside [start, end). */
  any(start: number, end: number): boolean {
    if (start < 0 || end <= start) return false;
    let lo = 0;
    let hi = this.sorted.length;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if (this.sorted[mid]!.loc.offset < start) lo = mid + 1;
      else hi = mid;
    }
    const c = this.sorted[lo];
    return c !== undefined && c.loc.offset < end;
  }
}

function commentText(c: Comment): string {
  return "#" + c.text.replace(/[ \t\r\uFEFF]+$/, "");
}

type Last =
  | { readonly kind: "code"; readonly line: OutLine; readonly at: number; trailing: boolean }
  | { readonly kind: "comment"; readonly end: number };

export function render(lines: readonly OutLine[], comments: readonly Comment[], src: SourceText): string {
  const out: string[] = [];
  let next = 0;
  let last: Last | undefined;

  const lastEnd = (): number => (last === undefined ? -1 : last.kind === "code" ? last.line.end : last.end);
  const afterOpener = (): boolean => last?.kind === "code" && last.line.opener;

  /** Appends `c` to the last code line when it follows that line's last token on the same source line. */
  const trailing = (c: Comment): boolean => {
    if (last?.kind !== "code" || last.trailing || last.line.end < 0 || c.loc.offset < last.line.end) return false;
    if (src.lineOf(c.loc.offset) !== src.lineOf(last.line.end - 1)) return false;
    out[last.at] += " " + commentText(c);
    last.trailing = true;
    return true;
  };

  for (const line of lines) {
    const own: Comment[] = [];
    if (line.start >= 0) {
      for (let c = comments[next]; c !== undefined && c.loc.offset < line.start; c = comments[++next]) {
        if (own.length > 0 || !trailing(c)) own.push(c);
      }
      for (let c = comments[next]; c !== undefined && c.loc.offset < line.end; c = comments[++next]) own.push(c);
    }
    const blanks: boolean[] = [];
    let prevEnd = lastEnd();
    let suppress = last === undefined || afterOpener();
    for (const c of own) {
      blanks.push(!suppress && src.blankBetween(prevEnd, c.loc.offset));
      prevEnd = c.loc.endOffset;
      suppress = false;
    }
    blanks.push(line.role !== "cont" && !suppress && src.blankBetween(prevEnd, line.start));
    if (line.role === "top" && line.ensureBlank && last !== undefined && !blanks.includes(true)) blanks[0] = true;
    own.forEach((c, i) => {
      if (blanks[i]) out.push("");
      out.push(INDENT.repeat(line.commentIndent) + commentText(c));
      last = { kind: "comment", end: c.loc.endOffset };
    });
    if (blanks[own.length]) out.push("");
    out.push(INDENT.repeat(line.indent) + line.text);
    last = { kind: "code", line, at: out.length - 1, trailing: false };
  }
  for (let c = comments[next]; c !== undefined; c = comments[++next]) {
    if (trailing(c)) continue;
    if (last !== undefined && !afterOpener() && src.blankBetween(lastEnd(), c.loc.offset)) out.push("");
    out.push(commentText(c));
    last = { kind: "comment", end: c.loc.endOffset };
  }
  return out.join("\n") + "\n";
}
