// Line coverage of policies by tests: which lines that can run (rule heads, else branches,
// defaults, body literals) were evaluated, per file and in total. Test blocks are not counted.
import type * as A from "../lang/ast.js";
import { walkStatement } from "../lang/walk.js";

export interface FileCoverage {
  readonly file: string;
  readonly covered: readonly number[];
  readonly notCovered: readonly number[];
  /** 0-100; 100 for a file with no coverable lines. */
  readonly percent: number;
}

export interface CoverageReport {
  readonly files: readonly FileCoverage[];
  readonly covered: number;
  readonly total: number;
  readonly percent: number;
}

/** Lines of a module that evaluation can reach. */
export function coverableLines(m: A.Module): Set<number> {
  const lines = new Set<number>();
  for (const s of m.statements) {
    if (s.kind === "test" || s.kind === "schema") continue;
    lines.add(s.loc.line);
    if (s.kind === "rule" || s.kind === "function") for (const e of s.elses) lines.add(e.loc.line);
    walkStatement(s, {
      // `some x` declarations do nothing at run time, so they can never be "hit".
      literal: (l) => void (l.kind !== "someDecl" && lines.add(l.loc.line)),
    });
  }
  return lines;
}

export function coverage(modules: readonly A.Module[], hits: ReadonlySet<string>): CoverageReport {
  const files: FileCoverage[] = [];
  let covered = 0;
  let total = 0;
  for (const m of modules) {
    const lines = [...coverableLines(m)].sort((a, b) => a - b);
    if (lines.length === 0) continue;
    const file = m.loc.file;
    const yes = lines.filter((l) => hits.has(`${file}:${l}`));
    const no = lines.filter((l) => !hits.has(`${file}:${l}`));
    covered += yes.length;
    total += lines.length;
    files.push({ file, covered: yes, notCovered: no, percent: percent(yes.length, lines.length) });
  }
  files.sort((a, b) => (a.file < b.file ? -1 : 1));
  return { files, covered, total, percent: percent(covered, total) };
}

const percent = (part: number, whole: number): number => (whole === 0 ? 100 : Math.round((1000 * part) / whole) / 10);
