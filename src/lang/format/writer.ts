// The formatter's output buffer: a list of code lines, each remembering which source range its
// tokens came from. Comments are not printed here; `render` (comments.ts) weaves them in later by
// comparing comment offsets with these ranges.

/**
 * How a line relates to what precedes it, for blank-line decisions:
 * - "top": a package, import or statement start at column 0;
 * - "item": the first line of a literal or collection item, or any inner line of one;
 * - "cont": a line that starts with a closing bracket (`}`, `]`, `)`), never preceded by a blank.
 */
export type LineRole = "top" | "item" | "cont";

export interface OutLine {
  readonly indent: number;
  text: string;
  /** Offset of the first source token printed on this line, or -1 when none is known. */
  start: number;
  /** Offset just past the last source token printed on this line, or -1. */
  end: number;
  readonly role: LineRole;
  /** Top-level only: the gap before this line must contain at least one blank line. */
  readonly ensureBlank: boolean;
  /** The line ends by opening a block, so the next line is indented deeper (no blank after it). */
  opener: boolean;
  /** Indentation for own-line comments placed just before this line (inner level for closers). */
  readonly commentIndent: number;
}

export interface LineOptions {
  readonly commentIndent?: number;
  readonly ensureBlank?: boolean;
}

export class Writer {
  readonly lines: OutLine[] = [];
  private current: OutLine | undefined;

  /** Starts a new output line; every `put` goes to the most recently started line. */
  line(indent: number, role: LineRole, options: LineOptions = {}): void {
    this.current = {
      indent,
      text: "",
      start: -1,
      end: -1,
      role,
      ensureBlank: options.ensureBlank ?? false,
      opener: false,
      commentIndent: options.commentIndent ?? indent,
    };
    this.lines.push(this.current);
  }

  /** Appends text to the current line; `start`/`end` give the source range of the token(s). */
  put(text: string, start = -1, end = -1): void {
    const cur = this.cur();
    cur.text += text;
    if (start >= 0) {
      if (cur.start < 0 || start < cur.start) cur.start = start;
      const stop = Math.max(end, start);
      if (stop > cur.end) cur.end = stop;
    }
  }

  /** Marks the current line as opening a block. */
  open(): void {
    this.cur().opener = true;
  }

  /** Offset just past the last source token put on the current line (-1 when none). */
  lastEnd(): number {
    return this.cur().end;
  }

  get indent(): number {
    return this.cur().indent;
  }

  private cur(): OutLine {
    if (this.current === undefined) throw new Error("formatter: no output line started");
    return this.current;
  }
}
