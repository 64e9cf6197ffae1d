// Token definitions for the chevrotain lexer. Keywords use `longer_alt` so `import_path`
// lexes as one identifier; every keyword also belongs to `AnyName` so it may follow a `.`
// in a reference (`input.default`, `req.in`).
import { createToken, Lexer, type TokenType } from "chevrotain";

export const AnyName = createToken({ name: "AnyName", pattern: Lexer.NA });

export const Ident = createToken({
  name: "Ident",
  pattern: /[A-Za-z_][A-Za-z0-9_]*/,
  categories: [AnyName],
});

function keyword(word: string): TokenType {
  return createToken({
    name: word[0]!.toUpperCase() + word.slice(1),
    pattern: new RegExp(word),
    longer_alt: Ident,
    categories: [AnyName],
    label: `'${word}'`,
  });
}

export const Package = keyword("package");
export const Import = keyword("import");
export const As = keyword("as");
export const Default = keyword("default");
export const If = keyword("if");
export const Else = keyword("else");
export const Contains = keyword("contains");
export const Some = keyword("some");
export const In = keyword("in");
export const Every = keyword("every");
export const Not = keyword("not");
export const And = keyword("and");
export const Or = keyword("or");
export const True = keyword("true");
export const False = keyword("false");
export const Null = keyword("null");
export const Test = keyword("test");
export const With = keyword("with");
export const Schema = keyword("schema");

export const keywords = [
  Package,
  Import,
  As,
  Default,
  If,
  Else,
  Contains,
  Some,
  In,
  Every,
  Not,
  And,
  Or,
  True,
  False,
  Null,
  Test,
  With,
  Schema,
];

export const Number_ = createToken({
  name: "Number",
  pattern: /(?:0|[1-9][0-9]*)(?:\.[0-9]+)?(?:[eE][+-]?[0-9]+)?/,
  label: "number",
});
export const String_ = createToken({
  name: "String",
  pattern: /"(?:[^"\\\u0000-\u001f]|\\(?:["\\/bfnrt]|u[0-9A-Fa-f]{4}))*"/,
  label: "string",
});
export const RawString = createToken({ name: "RawString", pattern: /`[^`]*`/, line_breaks: true, label: "raw string" });

const punct = (name: string, pattern: string): TokenType =>
  createToken({ name, pattern: new RegExp(pattern.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")), label: `'${pattern}'` });

export const Assign = punct("Assign", ":=");
export const Eq = punct("Eq", "==");
export const Neq = punct("Neq", "!=");
export const Lte = punct("Lte", "<=");
export const Gte = punct("Gte", ">=");
export const Lt = punct("Lt", "<");
export const Gt = punct("Gt", ">");
export const Plus = punct("Plus", "+");
export const Minus = punct("Minus", "-");
export const Star = punct("Star", "*");
export const Slash = punct("Slash", "/");
export const Percent = punct("Percent", "%");
export const Colon = punct("Colon", ":");
export const Semi = punct("Semi", ";");
export const Comma = punct("Comma", ",");
export const Dot = punct("Dot", ".");
export const Pipe = punct("Pipe", "|");
export const LParen = punct("LParen", "(");
export const RParen = punct("RParen", ")");
export const LBracket = punct("LBracket", "[");
export const RBracket = punct("RBracket", "]");
export const LBrace = punct("LBrace", "{");
export const RBrace = punct("RBrace", "}");
/** A lone `=` is not Verdict syntax; it is lexed so the parser can suggest `:=` or `==`. */
export const SingleEq = punct("SingleEq", "=");

export const Comment = createToken({ name: "Comment", pattern: /#[^\n\r]*/, group: "comments" });
export const Whitespace = createToken({
  name: "Whitespace",
  pattern: /[ \t\r\n\uFEFF]+/,
  group: Lexer.SKIPPED,
  line_breaks: true,
});

export const allTokens: TokenType[] = [
  Whitespace,
  Comment,
  Number_,
  String_,
  RawString,
  Assign,
  Eq,
  Neq,
  Lte,
  Gte,
  Lt,
  Gt,
  SingleEq,
  Plus,
  Minus,
  Star,
  Slash,
  Percent,
  Colon,
  Semi,
  Comma,
  Dot,
  Pipe,
  LParen,
  RParen,
  LBracket,
  RBracket,
  LBrace,
  RBrace,
  ...keywords,
  Ident,
  AnyName,
];

export const lexer = new Lexer(allTokens, { positionTracking: "full", ensureOptimizations: false });
