// Source text to AST: lexing, parsing with statement-level error recovery, and module assembly.
// Never throws for bad input: every problem becomes a located diagnostic.
import type { IRecognitionException, IToken } from "chevrotain";
import type * as A from "./ast.js";
import { codes, error, type Diagnostic } from "./diagnostics.js";
import { Grammar, GrammarError } from "./grammar.js";
import * as T from "./tokens.js";

let grammar: Grammar | undefined;

export interface ParseResult {
  /** The module, or null when no `package` line could be read. */
  readonly module: A.Module | null;
  readonly diagnostics: readonly Diagnostic[];
}

export function parseModule(source: string, file = "<input>"): ParseResult {
  grammar ??= new Grammar();
  grammar.file = file;
  const diagnostics: Diagnostic[] = [];
  const lexed = T.lexer.tokenize(source);
  for (const e of lexed.errors) {
    const loc = pointLoc(file, e.line ?? 1, e.column ?? 1, e.offset, e.length);
    const ch = JSON.stringify(source.slice(e.offset, e.offset + 1));
    diagnostics.push(error(codes.lexError, loc, `unexpected character ${ch}`, lexHint(source, e.offset)));
  }
  const comments: A.Comment[] = lexed.groups["comments"]!.map((t) => ({
    kind: "comment",
    loc: tokenLoc(file, t),
    text: t.image.slice(1),
  }));
  const items = parseItems(grammar, lexed.tokens, file, diagnostics);
  const module = assemble(items, comments, source, file, diagnostics);
  return { module, diagnostics };
}

type Item = A.Package | A.Import | A.Statement;

/** Parses all items; after a syntax error, skips to the next line that starts a statement. */
function parseItems(g: Grammar, tokens: IToken[], file: string, diagnostics: Diagnostic[]): Item[] {
  const items: Item[] = [];
  let start = 0;
  while (start < tokens.length) {
    const slice = tokens.slice(start);
    const attempt = run(g, slice, file);
    if (attempt.error === null) {
      items.push(...attempt.items);
      break;
    }
    diagnostics.push(attempt.error.diagnostic);
    const failedAt = Math.max(0, Math.min(attempt.error.index, slice.length - 1));
    let itemStart = failedAt;
    while (itemStart > 0 && !startsStatement(slice[itemStart]!)) itemStart--;
    if (itemStart > 0) {
      const before = run(g, slice.slice(0, itemStart), file);
      if (before.error === null) items.push(...before.items);
    }
    let next = failedAt > itemStart && startsStatement(slice[failedAt]!) ? failedAt : failedAt + 1;
    while (next < slice.length && !startsStatement(slice[next]!)) next++;
    start += next;
  }
  return items;
}

interface Attempt {
  items: Item[];
  error: { diagnostic: Diagnostic; index: number } | null;
}

function run(g: Grammar, tokens: IToken[], file: string): Attempt {
  g.input = tokens;
  try {
    const items = g.items();
    const e = g.errors[0];
    if (e) {
      // An error at end of input is at the EOF token, which is not in `tokens`: blame the last token.
      const at = tokens.indexOf(e.token);
      return { items: [], error: { diagnostic: syntaxDiagnostic(e, file), index: at >= 0 ? at : tokens.length - 1 } };
    }
    return { items, error: null };
  } catch (err) {
    if (err instanceof RangeError) {
      // The call stack ran out on absurdly deep nesting: report where the parser stopped.
      const at = g.nextToken();
      const index = tokens.indexOf(at);
      const loc = index >= 0 ? tokenLoc(file, at) : endLoc(file, tokens[tokens.length - 1]!);
      const diagnostic = error(codes.syntaxError, loc, "expression nested too deeply", "split it into smaller rules");
      return { items: [], error: { diagnostic, index: index >= 0 ? index : tokens.length - 1 } };
    }
    if (!(err instanceof GrammarError)) throw err;
    const index = tokens.findIndex((t) => t.startOffset >= err.loc.offset);
    return { items: [], error: { diagnostic: error(codes.syntaxError, err.loc, err.message), index } };
  }
}

const statementStarters = new Set([T.Package, T.Import, T.Default, T.Test, T.Schema, T.Ident]);

function startsStatement(t: IToken): boolean {
  return t.startColumn === 1 && statementStarters.has(t.tokenType);
}

/** Chevrotain sets `previousToken` on most recognition errors but does not declare it. */
type RecognitionError = IRecognitionException & { readonly previousToken?: IToken };

function syntaxDiagnostic(e: RecognitionError, file: string): Diagnostic {
  const t = e.token;
  const atEnd = t.tokenType.name === "EOF";
  const loc = atEnd ? endLoc(file, e.previousToken ?? t) : tokenLoc(file, t);
  const found = atEnd ? "end of file" : `'${t.image}'`;
  const what = describe(e);
  const message = what === "unexpected end of file" ? what : `${what}, found ${found}`;
  return error(codes.syntaxError, loc, message, syntaxHint(e));
}

const expressionRules = new Set([
  "expr",
  "andExpr",
  "notExpr",
  "comparison",
  "additive",
  "multiplicative",
  "unary",
  "postfix",
  "primary",
]);

/** Rephrases chevrotain's messages as "expected X". */
function describe(e: RecognitionError): string {
  const rule = e.context.ruleStack[e.context.ruleStack.length - 1] ?? "";
  const mismatch = /Expecting --> (.+?) <--/.exec(e.message);
  if (mismatch) return `expected ${mismatch[1]}`;
  if (e.name === "NotAllInputParsedException") return "expected a rule, import or test";
  if (expressionRules.has(rule)) return "expected an expression";
  if (rule === "ruleOrFunction") return "expected `if`, `:=`, `contains`, `[` or `(` after the rule name";
  // Name the tokens that could come next, when there are few enough to be a useful list.
  const options = new Set([...e.message.matchAll(/^\s*\d+\. \[([^,\]]+)/gm)].map((m) => m[1]!.trim()));
  if (options.size > 0 && options.size <= 6) return `expected one of ${[...options].join(", ")}`;
  return e.token.tokenType.name === "EOF" ? "unexpected end of file" : "unexpected token";
}

const literalStarters = new Set([
  T.Ident,
  T.Not,
  T.Some,
  T.Every,
  T.Number_,
  T.String_,
  T.RawString,
  T.True,
  T.False,
  T.Null,
  T.LParen,
  T.LBracket,
  T.LBrace,
  T.Minus,
]);

function startsLiteral(t: IToken): boolean {
  return literalStarters.has(t.tokenType);
}

function syntaxHint(e: RecognitionError): string | undefined {
  const t = e.token;
  const prev = e.previousToken;
  if (t.tokenType === T.SingleEq) return "use `:=` to define or assign, `==` to compare";
  if (t.tokenType === T.LBrace && prev?.tokenType === T.Ident)
    return "write `name if { ... }`: a rule body follows `if`";
  if (/Expecting --> '[}\]]'/.test(e.message) && prev && t.startLine === prev.endLine && startsLiteral(t)) {
    return "separate the expressions of a body with a newline or `;`";
  }
  if (t.tokenType === T.Pipe && prev?.tokenType === T.Pipe) return "use `or` instead of `||`";
  if (t.tokenType.name === "EOF")
    return "the file ends inside a rule: is a `}`, `]` or `)` missing, or a body after `if`?";
  if (t.tokenType === T.Ident && t.image === "import") return "imports come right after the package line";
  return undefined;
}

function assemble(
  items: Item[],
  comments: A.Comment[],
  source: string,
  file: string,
  diagnostics: Diagnostic[],
): A.Module | null {
  const [first, ...rest] = items;
  if (first?.kind !== "package") {
    const loc = first?.loc ?? pointLoc(file, 1, 1, 0, 0);
    if (!diagnostics.some((d) => d.code === codes.syntaxError || d.code === codes.lexError)) {
      diagnostics.push(
        error(
          codes.syntaxError,
          loc,
          "a policy file must start with a package",
          "add `package <name>` as the first line, e.g. `package http.authz`",
        ),
      );
    }
    return null;
  }
  const imports: A.Import[] = [];
  const statements: A.Statement[] = [];
  for (const item of rest) {
    if (item.kind === "package") {
      diagnostics.push(
        error(codes.syntaxError, item.loc, "a file has exactly one package line", "move these rules to their own file"),
      );
    } else if (item.kind === "import") {
      if (statements.length > 0) {
        diagnostics.push(
          error(
            codes.syntaxError,
            item.loc,
            "imports must come before rules",
            "move this import up, below the package line",
          ),
        );
      }
      if (item.root !== "data" && item.root !== "input") {
        diagnostics.push(
          error(
            codes.badImport,
            item.loc,
            `cannot import '${item.root as string}'`,
            "imports start with `data.` or `input.`",
          ),
        );
        continue;
      }
      imports.push(item);
    } else {
      statements.push(item);
    }
  }
  const loc: A.Loc = {
    file,
    line: 1,
    col: 1,
    ...endPosition(source),
    offset: 0,
    endOffset: source.length,
  };
  return { kind: "module", loc, package: first, imports, statements, comments };
}

function endPosition(source: string): { endLine: number; endCol: number } {
  const lines = source.split("\n");
  return { endLine: lines.length, endCol: (lines[lines.length - 1]?.length ?? 0) + 1 };
}

function tokenLoc(file: string, t: IToken): A.Loc {
  return {
    file,
    line: t.startLine ?? 1,
    col: t.startColumn ?? 1,
    endLine: t.endLine ?? t.startLine ?? 1,
    endCol: (t.endColumn ?? t.startColumn ?? 0) + 1,
    offset: t.startOffset,
    endOffset: (t.endOffset ?? t.startOffset) + 1,
  };
}

function endLoc(file: string, t: IToken): A.Loc {
  const line = t.endLine ?? 1;
  const col = (t.endColumn ?? 0) + 1;
  const offset = (t.endOffset ?? 0) + 1;
  return pointLoc(file, line, col, offset, 0);
}

function pointLoc(file: string, line: number, col: number, offset: number, length: number): A.Loc {
  return {
    file,
    line,
    col,
    endLine: line,
    endCol: col + Math.max(1, length),
    offset,
    endOffset: offset + Math.max(1, length),
  };
}

function lexHint(source: string, offset: number): string | undefined {
  const ch = source[offset];
  if (ch === "'") return "strings use double quotes, or backticks for raw strings";
  if (ch === "&" || ch === "!") return "use `and`, `or` and `not`";
  if (ch === '"') return "a string must end on the line it starts; use backticks for multi-line text";
  return undefined;
}
