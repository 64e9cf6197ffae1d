// Records what an instrumented evaluation did, for `explain` and for test failure reports:
// which rule definitions ran, the value each produced, and the first literal that did not hold.
import type { Loc } from "../lang/ast.js";
import type { V } from "./context.js";
import { toJSON, type Value } from "./value.js";

export interface FailedLiteral {
  readonly loc: Loc;
  /** The literal as source text. */
  readonly text: string;
  /** For a failed comparison, the values of its two sides (`undefined` when a side had no value). */
  readonly operands?: readonly [unknown, unknown];
}

export interface DefinitionTrace {
  readonly loc: Loc;
  /** "matched": the body held and the definition produced `value`; "failed": it did not. */
  readonly outcome: "matched" | "failed";
  readonly value?: unknown;
  /** The first literal that did not hold (for a match through `else`: in the branches before it). */
  readonly failed?: FailedLiteral;
  /** Set when an `else` branch produced the value: where that branch starts. */
  readonly else?: Loc;
}

export interface RuleTrace {
  /** e.g. "data.http.authz.allow" */
  readonly rule: string;
  readonly result: "defined" | "undefined" | "default";
  readonly value?: unknown;
  readonly definitions: readonly DefinitionTrace[];
}

interface OpenDefinition {
  loc: Loc;
  failed: FailedLiteral | null;
  value: V;
  elseBranch: Loc | null;
}

/** Collects traces during one evaluation. */
export class Tracer {
  readonly rules: RuleTrace[] = [];
  private readonly open: OpenDefinition[] = [];
  /** Source lines evaluated, as "file:line" (for coverage). */
  readonly hits = new Set<string>();
  /** Output of `print` calls, in order. */
  readonly printed: string[] = [];

  hit(loc: Loc): void {
    this.hits.add(`${loc.file}:${loc.line}`);
  }

  beginDefinition(loc: Loc): void {
    this.hit(loc);
    this.open.push({ loc, failed: null, value: undefined, elseBranch: null });
  }

  /** Records that an `else` branch (starting at `loc`) produced the current definition's value. */
  elseMatched(loc: Loc): void {
    const d = this.open[this.open.length - 1];
    if (d) d.elseBranch = loc;
  }

  /** Records a literal that had no solution (with a comparison's operands); the first per definition counts. */
  literalFailed(loc: Loc, text: string, operands: readonly [V, V] | null): void {
    const d = this.open[this.open.length - 1];
    if (!d || d.failed) return;
    d.failed = operands ? { loc, text, operands: [json(operands[0]), json(operands[1])] } : { loc, text };
  }

  endDefinition(value: V): DefinitionTrace {
    const d = this.open.pop()!;
    if (value !== undefined) {
      const matched = { loc: d.loc, outcome: "matched" as const, value: toJSON(value) };
      return d.elseBranch ? { ...matched, else: d.elseBranch, ...(d.failed ? { failed: d.failed } : {}) } : matched;
    }
    return d.failed ? { loc: d.loc, outcome: "failed", failed: d.failed } : { loc: d.loc, outcome: "failed" };
  }

  rule(rule: string, value: V, usedDefault: boolean, definitions: DefinitionTrace[]): void {
    const result = value === undefined ? "undefined" : usedDefault ? "default" : "defined";
    this.rules.push(
      value === undefined ? { rule, result, definitions } : { rule, result, value: toJSON(value), definitions },
    );
  }
}

function json(v: V): unknown {
  return v === undefined ? undefined : toJSON(v as Value);
}
