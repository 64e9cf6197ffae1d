// The chevrotain grammar. It builds AST nodes directly (embedded actions), so no CST exists.
// Newlines matter in two places only: they separate the literals of a body, and an operator that
// can also start a literal (`-`, `[`, `(`) must stay on the line of its left operand.
import { EmbeddedActionsParser, type IToken, type TokenType } from "chevrotain";
import type * as A from "./ast.js";
import { dottedName } from "./names.js";
import * as T from "./tokens.js";

type Item = A.Package | A.Import | A.Statement;

const binaryOps = new Map<TokenType, A.BinaryOp>([
  [T.Eq, "=="],
  [T.Neq, "!="],
  [T.Lt, "<"],
  [T.Lte, "<="],
  [T.Gt, ">"],
  [T.Gte, ">="],
  [T.In, "in"],
  [T.Plus, "+"],
  [T.Minus, "-"],
  [T.Star, "*"],
  [T.Slash, "/"],
  [T.Percent, "%"],
]);

export class Grammar extends EmbeddedActionsParser {
  file = "<input>";

  constructor() {
    super(T.allTokens, { maxLookahead: 3 });
    this.performSelfAnalysis();
  }

  // ---- locations ----

  private locOf(first: IToken, last: IToken = first): A.Loc {
    return {
      file: this.file,
      line: first.startLine ?? 1,
      col: first.startColumn ?? 1,
      endLine: last.endLine ?? 1,
      endCol: (last.endColumn ?? 0) + 1,
      offset: first.startOffset,
      endOffset: (last.endOffset ?? last.startOffset) + 1,
    };
  }

  private span(from: A.Loc, to: A.Loc): A.Loc {
    return {
      ...from,
      endLine: to.endLine,
      endCol: to.endCol,
      endOffset: to.endOffset,
    };
  }

  private tokenLoc(from: A.Loc, last: IToken): A.Loc {
    return this.span(from, this.locOf(last));
  }

  /** The next token to read; after an aborted parse, the token where it stopped. */
  public nextToken(): IToken {
    return this.LA(1);
  }

  /** True when the next token starts on the line where the previous one ended. */
  private sameLine(): boolean {
    const prev = this.LA(0);
    const next = this.LA(1);
    return prev.endLine === undefined || next.startLine === prev.endLine;
  }

  // ---- top level ----

  public items = this.RULE("items", (): Item[] => {
    const items: Item[] = [];
    this.MANY(() => items.push(this.SUBRULE(this.item)));
    return items;
  });

  private item = this.RULE("item", (): Item => {
    return this.OR([
      { ALT: () => this.SUBRULE(this.packageDecl) },
      { ALT: () => this.SUBRULE(this.importDecl) },
      { ALT: () => this.SUBRULE(this.defaultRule) },
      { ALT: () => this.SUBRULE(this.testBlock) },
      { ALT: () => this.SUBRULE(this.schemaDecl) },
      { ALT: () => this.SUBRULE(this.ruleOrFunction) },
    ]);
  });

  private dottedName = this.RULE("dottedName", (): IToken[] => {
    const parts = [this.CONSUME(T.Ident)];
    this.MANY(() => {
      this.CONSUME(T.Dot);
      parts.push(this.CONSUME(T.AnyName));
    });
    return parts;
  });

  private packageDecl = this.RULE("packageDecl", (): A.Package => {
    const kw = this.CONSUME(T.Package);
    const parts = this.SUBRULE(this.dottedName);
    return this.ACTION(() => ({
      kind: "package",
      loc: this.locOf(kw, parts[parts.length - 1]),
      path: parts.map((t) => t.image),
    }));
  });

  private importDecl = this.RULE("importDecl", (): A.Import => {
    const kw = this.CONSUME(T.Import);
    const parts = this.SUBRULE(this.dottedName);
    let alias: IToken | undefined;
    this.OPTION(() => {
      this.CONSUME(T.As);
      alias = this.CONSUME2(T.Ident);
    });
    return this.ACTION(() => {
      const names = parts.map((t) => t.image);
      const last = alias ?? parts[parts.length - 1]!;
      return {
        kind: "import",
        loc: this.locOf(kw, last),
        root: names[0] as "data" | "input",
        path: names.slice(1),
        alias: alias?.image ?? names[names.length - 1]!,
        explicitAlias: alias !== undefined,
      };
    });
  });

  private name = this.RULE("name", (): A.Name => {
    const t = this.CONSUME(T.Ident);
    return this.ACTION(() => ({
      kind: "name",
      loc: this.locOf(t),
      value: t.image,
    }));
  });

  private defaultRule = this.RULE("defaultRule", (): A.Default => {
    const kw = this.CONSUME(T.Default);
    const name = this.SUBRULE(this.name);
    this.CONSUME(T.Assign);
    const value = this.SUBRULE(this.expr);
    return this.ACTION(() => ({
      kind: "default",
      loc: this.span(this.locOf(kw), value.loc),
      name,
      value,
    }));
  });

  private testBlock = this.RULE("testBlock", (): A.Test => {
    const kw = this.CONSUME(T.Test);
    const nameTok = this.CONSUME(T.String_);
    const body = this.SUBRULE(this.bracedBody);
    return this.ACTION(() => ({
      kind: "test",
      loc: this.span(this.locOf(kw), body.loc),
      name: JSON.parse(nameTok.image) as string,
      nameLoc: this.locOf(nameTok),
      body,
    }));
  });

  private schemaDecl = this.RULE("schemaDecl", (): A.SchemaDecl => {
    const kw = this.CONSUME(T.Schema);
    const target = this.CONSUME(T.Ident);
    this.CONSUME(T.Assign);
    const schema = this.SUBRULE(this.expr);
    return this.ACTION(() => ({
      kind: "schema",
      loc: this.span(this.locOf(kw), schema.loc),
      target: target.image as "input" | "data",
      schema,
    }));
  });

  private ruleOrFunction = this.RULE("ruleOrFunction", (): A.Rule | A.Func => {
    const name = this.SUBRULE(this.name);
    return this.OR([
      { ALT: () => this.SUBRULE(this.functionRest, { ARGS: [name] }) },
      { ALT: () => this.SUBRULE(this.objectRuleRest, { ARGS: [name] }) },
      { ALT: () => this.SUBRULE(this.setRuleRest, { ARGS: [name] }) },
      { ALT: () => this.SUBRULE(this.valueRuleRest, { ARGS: [name] }) },
    ]);
  });

  private functionRest = this.RULE("functionRest", (name: A.Name): A.Func => {
    this.CONSUME(T.LParen);
    const params: A.Var[] = [];
    this.MANY_SEP({
      SEP: T.Comma,
      DEF: () => params.push(this.SUBRULE(this.variable)),
    });
    const close = this.CONSUME(T.RParen);
    const { value, body, end } = this.SUBRULE(this.ruleTail);
    const elses = this.SUBRULE(this.elseChain);
    return this.ACTION(() => ({
      kind: "function",
      loc: this.span(name.loc, lastLoc(elses, end ?? this.locOf(close))),
      name,
      params,
      value,
      body,
      elses,
    }));
  });

  private objectRuleRest = this.RULE("objectRuleRest", (name: A.Name): A.Rule => {
    this.CONSUME(T.LBracket);
    const key = this.SUBRULE(this.expr);
    this.CONSUME(T.RBracket);
    this.CONSUME(T.Assign);
    const value = this.SUBRULE2(this.expr);
    const body = this.OPTION(() => this.SUBRULE(this.ifBody));
    return this.ACTION(() => ({
      kind: "rule",
      loc: this.span(name.loc, (body ?? value).loc),
      name,
      form: "object",
      key,
      value,
      body: body ?? null,
      elses: [],
    }));
  });

  private setRuleRest = this.RULE("setRuleRest", (name: A.Name): A.Rule => {
    this.CONSUME(T.Contains);
    const value = this.SUBRULE(this.expr);
    const body = this.OPTION(() => this.SUBRULE(this.ifBody));
    return this.ACTION(() => ({
      kind: "rule",
      loc: this.span(name.loc, (body ?? value).loc),
      name,
      form: "set",
      key: null,
      value,
      body: body ?? null,
      elses: [],
    }));
  });

  private valueRuleRest = this.RULE("valueRuleRest", (name: A.Name): A.Rule => {
    const { value, body, end } = this.SUBRULE(this.ruleTail);
    const elses = this.SUBRULE(this.elseChain);
    return this.ACTION(() => ({
      kind: "rule",
      loc: this.span(name.loc, lastLoc(elses, end ?? name.loc)),
      name,
      form: "value",
      key: null,
      value,
      body,
      elses,
    }));
  });

  /** `:= value`, `if body`, or both: the part of a value rule or function after its name. */
  private ruleTail = this.RULE("ruleTail", (): { value: A.Expr | null; body: A.Body | null; end: A.Loc | null } => {
    return this.OR([
      {
        ALT: () => {
          this.CONSUME(T.Assign);
          const value = this.SUBRULE(this.expr);
          const body = this.OPTION(() => this.SUBRULE(this.ifBody));
          return this.ACTION(() => ({
            value,
            body: body ?? null,
            end: (body ?? value).loc,
          }));
        },
      },
      {
        ALT: () => {
          const body = this.SUBRULE2(this.ifBody);
          return this.ACTION(() => ({ value: null, body, end: body.loc }));
        },
      },
    ]);
  });

  private elseChain = this.RULE("elseChain", (): A.Else[] => {
    const elses: A.Else[] = [];
    this.MANY(() => {
      const kw = this.CONSUME(T.Else);
      let value: A.Expr | null = null;
      let body: A.Body | null = null;
      this.OPTION(() => {
        this.CONSUME(T.Assign);
        value = this.SUBRULE(this.expr);
      });
      this.OPTION2(() => {
        body = this.SUBRULE(this.ifBody);
      });
      this.ACTION(() => {
        const end = (body as A.Body | null)?.loc ?? (value as A.Expr | null)?.loc ?? this.locOf(kw);
        elses.push({
          kind: "else",
          loc: this.span(this.locOf(kw), end),
          value,
          body,
        });
      });
    });
    return elses;
  });

  /** `if { ... }` or `if <single literal>`. */
  private ifBody = this.RULE("ifBody", (): A.Body => {
    this.CONSUME(T.If);
    // `if {` always opens a body; an object literal as the whole body would be meaningless.
    return this.OR({
      IGNORE_AMBIGUITIES: true,
      DEF: [
        { ALT: () => this.SUBRULE(this.bracedBody) },
        {
          ALT: () => {
            const lit = this.SUBRULE(this.literal);
            return this.ACTION(() => ({
              kind: "body",
              loc: lit.loc,
              braced: false,
              literals: [lit],
            }));
          },
        },
      ],
    });
  });

  private bracedBody = this.RULE("bracedBody", (): A.Body => {
    const open = this.CONSUME(T.LBrace);
    const literals = this.SUBRULE(this.query);
    const close = this.CONSUME(T.RBrace);
    return this.ACTION(() => ({
      kind: "body",
      loc: this.locOf(open, close),
      braced: true,
      literals,
    }));
  });

  /** Literals separated by `;` or newlines. */
  private query = this.RULE("query", (): A.Literal[] => {
    const literals: A.Literal[] = [];
    this.MANY(() => this.CONSUME(T.Semi));
    this.OPTION(() => {
      literals.push(this.SUBRULE(this.literal));
      this.MANY2({
        GATE: () => this.LA(1).tokenType === T.Semi || !this.sameLine(),
        DEF: () => {
          this.OR([
            {
              ALT: () => {
                this.AT_LEAST_ONE(() => this.CONSUME2(T.Semi));
                this.OPTION2(() => literals.push(this.SUBRULE2(this.literal)));
              },
            },
            { ALT: () => literals.push(this.SUBRULE3(this.literal)) },
          ]);
        },
      });
    });
    return literals;
  });

  // ---- literals ----

  private literal = this.RULE("literal", (): A.Literal => {
    return this.OR([
      { ALT: () => this.SUBRULE(this.someLiteral) },
      { ALT: () => this.SUBRULE(this.everyLiteral) },
      {
        GATE: () => this.LA(1).tokenType === T.Ident && this.LA(2).tokenType === T.Assign,
        ALT: () => this.SUBRULE(this.assignLiteral),
      },
      { ALT: () => this.SUBRULE(this.exprLiteral) },
    ]);
  });

  private someLiteral = this.RULE("someLiteral", (): A.SomeDecl | A.SomeIn => {
    const kw = this.CONSUME(T.Some);
    const vars: A.Var[] = [];
    this.AT_LEAST_ONE_SEP({
      SEP: T.Comma,
      DEF: () => vars.push(this.SUBRULE(this.variable)),
    });
    const domain = this.OPTION(() => {
      this.CONSUME(T.In);
      return this.SUBRULE(this.expr);
    });
    const withs = this.SUBRULE(this.withClauses);
    return this.ACTION((): A.SomeDecl | A.SomeIn => {
      const loc = this.span(this.locOf(kw), lastLoc(withs, domain?.loc ?? vars[vars.length - 1]!.loc));
      if (domain === undefined) {
        if (withs.length > 0) throw this.fail(withs[0]!.loc, "`with` cannot modify a `some` declaration");
        return { kind: "someDecl", loc, vars };
      }
      if (vars.length > 2)
        throw this.fail(vars[2]!.loc, "`some ... in` takes one or two variables (value, or key, value)");
      const [first, second] = vars as [A.Var, A.Var | undefined];
      return {
        kind: "someIn",
        loc,
        key: second ? first : null,
        value: second ?? first,
        domain,
        with: withs,
      };
    });
  });

  private everyLiteral = this.RULE("everyLiteral", (): A.Every => {
    const kw = this.CONSUME(T.Every);
    const first = this.SUBRULE(this.variable);
    const second = this.OPTION(() => {
      this.CONSUME(T.Comma);
      return this.SUBRULE2(this.variable);
    });
    this.CONSUME(T.In);
    const domain = this.SUBRULE(this.expr);
    const body = this.SUBRULE(this.bracedBody);
    const withs = this.SUBRULE(this.withClauses);
    return this.ACTION(() => ({
      kind: "every",
      loc: this.span(this.locOf(kw), lastLoc(withs, body.loc)),
      key: second ? first : null,
      value: second ?? first,
      domain,
      body,
      with: withs,
    }));
  });

  private assignLiteral = this.RULE("assignLiteral", (): A.Assign => {
    const target = this.SUBRULE(this.variable);
    this.CONSUME(T.Assign);
    const value = this.SUBRULE(this.expr);
    const withs = this.SUBRULE(this.withClauses);
    return this.ACTION(() => ({
      kind: "assign",
      loc: this.span(target.loc, lastLoc(withs, value.loc)),
      target,
      value,
      with: withs,
    }));
  });

  /** An expression, or `[a, b] := value` (an array pattern is parsed as an array literal first). */
  private exprLiteral = this.RULE("exprLiteral", (): A.ExprLiteral | A.Assign => {
    const expr = this.SUBRULE(this.expr);
    const value = this.OPTION(() => {
      this.CONSUME(T.Assign);
      return this.SUBRULE2(this.expr);
    });
    const withs = this.SUBRULE(this.withClauses);
    return this.ACTION((): A.ExprLiteral | A.Assign => {
      const loc = this.span(expr.loc, lastLoc(withs, (value ?? expr).loc));
      if (value === undefined) return { kind: "exprLiteral", loc, expr, with: withs };
      if (expr.kind !== "array" || !expr.items.every((i) => i.kind === "var")) {
        throw this.fail(
          expr.loc,
          "`:=` assigns to a name or to an array of names, as in `[_, payload, _] := io.jwt.decode(t)`",
        );
      }
      return { kind: "assign", loc, target: expr, value, with: withs };
    });
  });

  private withClauses = this.RULE("withClauses", (): A.With[] => {
    const withs: A.With[] = [];
    this.MANY(() => {
      const kw = this.CONSUME(T.With);
      const target = this.SUBRULE(this.postfix);
      this.CONSUME(T.As);
      const value = this.SUBRULE(this.expr);
      this.ACTION(() =>
        withs.push({
          kind: "with",
          loc: this.span(this.locOf(kw), value.loc),
          target,
          value,
        }),
      );
    });
    return withs;
  });

  private variable = this.RULE("variable", (): A.Var => {
    const t = this.CONSUME(T.Ident);
    return this.ACTION(() => ({
      kind: "var",
      loc: this.locOf(t),
      name: t.image,
    }));
  });

  // ---- expressions, loosest first ----

  public expr = this.RULE("expr", (): A.Expr => {
    let left = this.SUBRULE(this.andExpr);
    this.MANY(() => {
      this.CONSUME(T.Or);
      const right = this.SUBRULE2(this.andExpr);
      left = this.ACTION(() => this.binary("or", left, right));
    });
    return left;
  });

  private andExpr = this.RULE("andExpr", (): A.Expr => {
    let left = this.SUBRULE(this.notExpr);
    this.MANY(() => {
      this.CONSUME(T.And);
      const right = this.SUBRULE2(this.notExpr);
      left = this.ACTION(() => this.binary("and", left, right));
    });
    return left;
  });

  private notExpr = this.RULE("notExpr", (): A.Expr => {
    return this.OR([
      {
        ALT: () => {
          const kw = this.CONSUME(T.Not);
          const operand = this.SUBRULE(this.notExpr);
          return this.ACTION((): A.Expr => ({
            kind: "not",
            loc: this.span(this.locOf(kw), operand.loc),
            operand,
          }));
        },
      },
      { ALT: () => this.SUBRULE(this.comparison) },
    ]);
  });

  private comparison = this.RULE("comparison", (): A.Expr => {
    const left = this.SUBRULE(this.additive);
    const rest = this.OPTION(() => {
      const op = this.OR([
        { ALT: () => this.CONSUME(T.Eq) },
        { ALT: () => this.CONSUME(T.Neq) },
        { ALT: () => this.CONSUME(T.Lte) },
        { ALT: () => this.CONSUME(T.Gte) },
        { ALT: () => this.CONSUME(T.Lt) },
        { ALT: () => this.CONSUME(T.Gt) },
        { ALT: () => this.CONSUME(T.In) },
      ]);
      return { op, right: this.SUBRULE2(this.additive) };
    });
    return this.ACTION(() => (rest ? this.binary(binaryOps.get(rest.op.tokenType)!, left, rest.right) : left));
  });

  private additive = this.RULE("additive", (): A.Expr => {
    let left = this.SUBRULE(this.multiplicative);
    this.MANY({
      GATE: () => this.LA(1).tokenType === T.Plus || this.sameLine(),
      DEF: () => {
        const op = this.OR([{ ALT: () => this.CONSUME(T.Plus) }, { ALT: () => this.CONSUME(T.Minus) }]);
        const right = this.SUBRULE2(this.multiplicative);
        left = this.ACTION(() => this.binary(binaryOps.get(op.tokenType)!, left, right));
      },
    });
    return left;
  });

  private multiplicative = this.RULE("multiplicative", (): A.Expr => {
    let left = this.SUBRULE(this.unary);
    this.MANY(() => {
      const op = this.OR([
        { ALT: () => this.CONSUME(T.Star) },
        { ALT: () => this.CONSUME(T.Slash) },
        { ALT: () => this.CONSUME(T.Percent) },
      ]);
      const right = this.SUBRULE2(this.unary);
      left = this.ACTION(() => this.binary(binaryOps.get(op.tokenType)!, left, right));
    });
    return left;
  });

  private unary = this.RULE("unary", (): A.Expr => {
    return this.OR([
      {
        ALT: () => {
          const minus = this.CONSUME(T.Minus);
          const operand = this.SUBRULE(this.unary);
          return this.ACTION((): A.Expr => {
            const loc = this.span(this.locOf(minus), operand.loc);
            // `-1` is a number literal, not a negation, so values and formatting stay simple.
            if (operand.kind === "scalar" && typeof operand.value === "number" && !operand.raw.startsWith("-")) {
              return {
                kind: "scalar",
                loc,
                value: -operand.value,
                raw: "-" + operand.raw,
              };
            }
            return { kind: "neg", loc, operand };
          });
        },
      },
      { ALT: () => this.SUBRULE(this.postfix) },
    ]);
  });

  /** A primary followed by `.field`, `[index]` and `(args)`. */
  private postfix = this.RULE("postfix", (): A.Expr => {
    let node = this.SUBRULE(this.primary);
    this.MANY({
      GATE: () => this.LA(1).tokenType === T.Dot || this.sameLine(),
      DEF: () => {
        this.OR([
          {
            ALT: () => {
              this.CONSUME(T.Dot);
              const t = this.CONSUME(T.AnyName);
              node = this.ACTION(() =>
                this.extend(node, { kind: "field", loc: this.locOf(t), name: t.image }, this.locOf(t)),
              );
            },
          },
          {
            ALT: () => {
              const open = this.CONSUME(T.LBracket);
              const index = this.SUBRULE(this.expr);
              const close = this.CONSUME(T.RBracket);
              node = this.ACTION(() => {
                const loc = this.locOf(open, close);
                return this.extend(node, { kind: "index", loc, index }, loc);
              });
            },
          },
          {
            ALT: () => {
              this.CONSUME(T.LParen);
              const args: A.Expr[] = [];
              this.OPTION(() => {
                args.push(this.SUBRULE2(this.expr));
                this.SUBRULE(this.moreArgs, { ARGS: [args] });
              });
              const close = this.CONSUME(T.RParen);
              node = this.ACTION(() => this.call(node, args, close));
            },
          },
        ]);
      },
    });
    return node;
  });

  private primary = this.RULE("primary", (): A.Expr => {
    return this.OR([
      {
        ALT: () => {
          const t = this.CONSUME(T.Number_);
          return this.ACTION(() => {
            if (!Number.isFinite(Number(t.image))) throw this.fail(this.locOf(t), `the number ${t.image} is too large`);
            return this.scalar(t, (s) => Number(s));
          });
        },
      },
      {
        ALT: () => this.scalar(this.CONSUME(T.String_), (s) => JSON.parse(s) as string),
      },
      {
        ALT: () => this.scalar(this.CONSUME(T.RawString), (s) => s.slice(1, -1)),
      },
      { ALT: () => this.scalar(this.CONSUME(T.True), () => true) },
      { ALT: () => this.scalar(this.CONSUME(T.False), () => false) },
      { ALT: () => this.scalar(this.CONSUME(T.Null), () => null) },
      { ALT: () => this.SUBRULE(this.variable) },
      {
        // `contains` is a keyword in rule heads and also the name of a builtin.
        GATE: () => this.LA(2).tokenType === T.LParen,
        ALT: () => {
          const t = this.CONSUME(T.Contains);
          return this.ACTION((): A.Expr => ({ kind: "var", loc: this.locOf(t), name: t.image }));
        },
      },
      {
        ALT: () => {
          const open = this.CONSUME(T.LParen);
          const expr = this.SUBRULE(this.expr);
          const close = this.CONSUME(T.RParen);
          return this.ACTION((): A.Expr => ({
            kind: "paren",
            loc: this.locOf(open, close),
            expr,
          }));
        },
      },
      { ALT: () => this.SUBRULE(this.bracketTerm) },
      { ALT: () => this.SUBRULE(this.braceTerm) },
    ]);
  });

  /** `[a, b]` or `[term | body]`. */
  private bracketTerm = this.RULE("bracketTerm", (): A.Expr => {
    const open = this.CONSUME(T.LBracket);
    const items: A.Expr[] = [];
    let body: A.Literal[] | undefined;
    this.OPTION(() => {
      items.push(this.SUBRULE(this.expr));
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Pipe);
            body = this.SUBRULE(this.query);
          },
        },
        { ALT: () => this.SUBRULE(this.moreItems, { ARGS: [items] }) },
      ]);
    });
    const close = this.CONSUME(T.RBracket);
    return this.ACTION((): A.Expr => {
      const loc = this.locOf(open, close);
      if (body)
        return {
          kind: "arrayCompr",
          loc,
          term: items[0]!,
          body: this.comprBody(body, loc),
        };
      return { kind: "array", loc, items };
    });
  });

  /** `{}` object, `{k: v, ...}`, `{a, b}` set, `{t | body}` and `{k: v | body}` comprehensions. */
  private braceTerm = this.RULE("braceTerm", (): A.Expr => {
    const open = this.CONSUME(T.LBrace);
    let result: ((loc: A.Loc) => A.Expr) | undefined;
    this.OPTION(() => {
      const first = this.SUBRULE(this.expr);
      this.OR([
        {
          ALT: () => {
            this.CONSUME(T.Colon);
            const value = this.SUBRULE2(this.expr);
            this.OR2([
              {
                ALT: () => {
                  this.CONSUME(T.Pipe);
                  const body = this.SUBRULE(this.query);
                  result = (loc) => ({
                    kind: "objectCompr",
                    loc,
                    key: first,
                    value,
                    body: this.comprBody(body, loc),
                  });
                },
              },
              {
                ALT: () => {
                  const entries = [this.ACTION(() => this.entry(first, value))];
                  this.MANY({
                    GATE: () => this.LA(2).tokenType !== T.RBrace,
                    DEF: () => {
                      this.CONSUME(T.Comma);
                      const k = this.SUBRULE3(this.expr);
                      this.CONSUME2(T.Colon);
                      const v = this.SUBRULE4(this.expr);
                      this.ACTION(() => entries.push(this.entry(k, v)));
                    },
                  });
                  this.OPTION2(() => this.CONSUME2(T.Comma));
                  result = (loc) => ({ kind: "object", loc, entries });
                },
              },
            ]);
          },
        },
        {
          ALT: () => {
            this.CONSUME2(T.Pipe);
            const body = this.SUBRULE2(this.query);
            result = (loc) => ({
              kind: "setCompr",
              loc,
              term: first,
              body: this.comprBody(body, loc),
            });
          },
        },
        {
          ALT: () => {
            const items = [first];
            this.SUBRULE(this.moreItems, { ARGS: [items] });
            result = (loc) => ({ kind: "set", loc, items });
          },
        },
      ]);
    });
    const close = this.CONSUME(T.RBrace);
    return this.ACTION((): A.Expr => {
      const loc = this.locOf(open, close);
      return result ? result(loc) : { kind: "object", loc, entries: [] };
    });
  });

  /** `, arg` repeated, with an optional trailing comma, as in collections. */
  private moreArgs = this.RULE("moreArgs", (args: A.Expr[]): void => {
    this.MANY({
      GATE: () => this.LA(2).tokenType !== T.RParen,
      DEF: () => {
        this.CONSUME(T.Comma);
        const arg = this.SUBRULE(this.expr);
        this.ACTION(() => args.push(arg));
      },
    });
    this.OPTION(() => this.CONSUME2(T.Comma));
  });

  /** `, item` repeated, with an optional trailing comma. */
  private moreItems = this.RULE("moreItems", (items: A.Expr[]): void => {
    this.MANY({
      GATE: () => this.LA(2).tokenType !== T.RBracket && this.LA(2).tokenType !== T.RBrace,
      DEF: () => {
        this.CONSUME(T.Comma);
        const item = this.SUBRULE(this.expr);
        this.ACTION(() => items.push(item));
      },
    });
    this.OPTION(() => this.CONSUME2(T.Comma));
  });

  // ---- node builders ----

  private scalar(t: IToken, read: (image: string) => A.Scalar["value"]): A.Expr {
    return this.ACTION(() => ({
      kind: "scalar",
      loc: this.locOf(t),
      value: read(t.image),
      raw: t.image,
    }));
  }

  private binary(op: A.BinaryOp, left: A.Expr, right: A.Expr): A.Expr {
    return {
      kind: "binary",
      loc: this.span(left.loc, right.loc),
      op,
      left,
      right,
    };
  }

  private entry(key: A.Expr, value: A.Expr): A.ObjectEntry {
    return { kind: "entry", loc: this.span(key.loc, value.loc), key, value };
  }

  private comprBody(literals: A.Literal[], loc: A.Loc): A.Body {
    return { kind: "body", loc, braced: true, literals };
  }

  /** Appends a path part, turning a variable or call result into a reference. */
  private extend(node: A.Expr, part: A.RefPart, end: A.Loc): A.Ref {
    if (node.kind === "ref")
      return {
        kind: "ref",
        loc: this.span(node.loc, end),
        head: node.head,
        path: [...node.path, part],
      };
    return {
      kind: "ref",
      loc: this.span(node.loc, end),
      head: node,
      path: [part],
    };
  }

  /** `name(args)`: only a variable or a dotted path of fields can be called. */
  private call(callee: A.Expr, args: A.Expr[], close: IToken): A.Expr {
    const loc = this.span(callee.loc, this.locOf(close));
    const name = dottedName(callee);
    if (name === null)
      throw this.fail(callee.loc, "only named functions can be called, e.g. `f(x)` or `glob.match(p, d, s)`");
    if (name === "set" && args.length === 0) return { kind: "set", loc, items: [] };
    return { kind: "call", loc, name, nameLoc: callee.loc, args };
  }

  private fail(loc: A.Loc, message: string): GrammarError {
    return new GrammarError(message, loc);
  }
}

/** A syntax error found by a grammar action rather than by token matching. */
export class GrammarError extends Error {
  constructor(
    message: string,
    readonly loc: A.Loc,
  ) {
    super(message);
  }
}

function lastLoc(nodes: readonly { loc: A.Loc }[], fallback: A.Loc): A.Loc {
  return nodes.length > 0 ? nodes[nodes.length - 1]!.loc : fallback;
}
