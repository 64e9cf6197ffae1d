// Schema-typed `input` and `data`: with a JSON Schema, references to fields the document can
// never have, and comparisons with constants of the wrong type, are reported at check time.
import { Ajv } from "ajv";
import type * as A from "./ast.js";
import { codes, error, type Diagnostic } from "./diagnostics.js";
import type { RuleGroup, VarRes } from "./program.js";
import { groupsReached } from "./recursion.js";
import { closest } from "./suggest.js";
import { walkModule } from "./walk.js";

export interface Schemas {
  readonly input?: unknown;
  readonly data?: unknown;
}

type Schema = { readonly [key: string]: unknown };

export function checkSchemas(
  modules: readonly A.Module[],
  vars: ReadonlyMap<A.Var, VarRes>,
  groups: ReadonlyMap<string, RuleGroup>,
  declared: ReadonlyMap<string, unknown>,
  given: Schemas,
  diagnostics: Diagnostic[],
): void {
  const validSchema = (s: unknown, loc: A.Loc, what: string): boolean => {
    const problem = schemaProblem(s);
    if (problem) diagnostics.push(error(codes.schemaInvalid, loc, `${what} is not a valid JSON Schema: ${problem}`));
    return problem === null;
  };
  const fileLoc = (m: A.Module) => m.package.loc;
  for (const m of modules) {
    const own = declared.get(m.package.path.join("."));
    const decl = m.statements.find((s) => s.kind === "schema");
    const input = own ?? given.input;
    const roots: Partial<Record<"input" | "data", Schema>> = {};
    if (input !== undefined && validSchema(input, decl?.loc ?? fileLoc(m), "the input schema"))
      roots.input = input as Schema;
    if (given.data !== undefined && validSchema(given.data, fileLoc(m), "the data schema"))
      roots.data = given.data as Schema;
    if (roots.input || roots.data) new SchemaWalker(roots, vars, groups, diagnostics).module(m);
  }
}

const ajvCache = new WeakMap<object, string | null>();

/** Compiles the schema with ajv once, so a broken schema is reported instead of silently ignored. */
function schemaProblem(s: unknown): string | null {
  if (typeof s !== "object" || s === null) return typeof s === "boolean" ? null : "a schema is an object";
  if (ajvCache.has(s)) return ajvCache.get(s)!;
  let problem: string | null = null;
  try {
    new Ajv({ strict: false, allErrors: true }).compile(s);
  } catch (e) {
    problem = (e as Error).message;
  }
  ajvCache.set(s, problem);
  return problem;
}

/** What a schema says about one place in a document; null means "anything". */
type Shape = Schema | null;

class SchemaWalker {
  /** A reference inside a comparison is visited twice; report each problem once. */
  private readonly reported = new Set<string>();

  constructor(
    private readonly roots: Partial<Record<"input" | "data", Schema>>,
    private readonly vars: ReadonlyMap<A.Var, VarRes>,
    private readonly groups: ReadonlyMap<string, RuleGroup>,
    private readonly sink: Diagnostic[],
  ) {}

  private readonly diagnostics = {
    push: (d: Diagnostic): void => {
      const key = `${d.loc.offset}:${d.code}:${d.message}`;
      if (this.reported.has(key)) return;
      this.reported.add(key);
      this.sink.push(d);
    },
  };

  module(m: A.Module): void {
    walkModule(m, {
      expr: (e) => {
        if (e.kind === "ref") this.shapeOf(e);
        else if (e.kind === "binary" && ["==", "!=", "<", "<=", ">", ">="].includes(e.op)) this.comparison(e);
      },
    });
  }

  /** Follows a reference's static fields through the schema; reports fields that cannot exist. */
  private shapeOf(e: A.Expr): Shape | undefined {
    const base = e.kind === "paren" ? e.expr : e;
    const head = base.kind === "ref" ? base.head : base;
    if (head.kind !== "var") return undefined;
    const res = this.vars.get(head);
    if (!res || (res.kind !== "input" && res.kind !== "data")) return undefined;
    const root = this.roots[res.kind];
    if (!root) return undefined;
    // The data schema describes base data; rules and packages are not base data.
    if (res.kind === "data" && this.isRuleOrPackage(res.path, base)) return undefined;
    const steps: { name: string | null; loc: A.Loc }[] = res.path.map((name) => ({ name, loc: head.loc }));
    if (base.kind === "ref") {
      for (const p of base.path) {
        steps.push(p.kind === "field" ? { name: p.name, loc: p.loc } : { name: staticKey(p.index), loc: p.loc });
      }
    }
    let shape: Shape = root;
    let where = res.kind;
    for (const step of steps) {
      if (shape === null) return null;
      const next = this.step(shape, step.name, where, step.loc);
      if (next === undefined) return undefined;
      shape = next;
      where += step.name === null ? "[_]" : `.${step.name}`;
    }
    return shape;
  }

  /** A data reference that reaches a rule, or a package holding rules, is not base data. */
  private isRuleOrPackage(prefix: readonly string[], e: A.Expr): boolean {
    const path = [...prefix];
    if (e.kind === "ref") {
      for (const p of e.path) {
        if (p.kind !== "field") break;
        path.push(p.name);
      }
    }
    return groupsReached(path, this.groups).length > 0;
  }

  private step(shape: Schema, name: string | null, where: string, loc: A.Loc): Shape | undefined {
    const types = typesOf(shape);
    if (types && !types.has("object") && !types.has("array")) {
      const label = name === null ? "an index" : `field '${name}'`;
      this.diagnostics.push(
        error(
          codes.schemaUnknownField,
          loc,
          `${where} is ${[...types].join(" or ")} by its schema, so it has no ${label}`,
        ),
      );
      return undefined;
    }
    if (name === null) return child(shape.items) ?? child(shape.additionalProperties) ?? null;
    const props = shape.properties as Record<string, unknown> | undefined;
    if (props && Object.prototype.hasOwnProperty.call(props, name)) return child(props[name]) ?? null;
    if (shape.additionalProperties === false && !shape.patternProperties && types?.has("object")) {
      const near = closest(name, Object.keys(props ?? {}));
      this.diagnostics.push(
        error(
          codes.schemaUnknownField,
          loc,
          `${where} has no field '${name}' in its schema`,
          near ? `did you mean '${near}'?` : `known fields: ${Object.keys(props ?? {}).join(", ") || "none"}`,
        ),
      );
      return undefined;
    }
    return child(shape.additionalProperties) ?? null;
  }

  private comparison(e: A.Binary): void {
    const pairs: [A.Expr, A.Expr][] = [
      [e.left, e.right],
      [e.right, e.left],
    ];
    for (const [refSide, constSide] of pairs) {
      const c = constSide.kind === "scalar" ? constSide : null;
      if (!c || (refSide.kind !== "ref" && refSide.kind !== "var")) continue;
      const shape = this.shapeOf(refSide);
      const types = shape ? typesOf(shape) : null;
      if (!types) continue;
      const actual = c.value === null ? "null" : typeof c.value;
      const fits = types.has(actual) || (actual === "number" && types.has("integer"));
      if (!fits) {
        this.diagnostics.push(
          error(
            codes.schemaTypeMismatch,
            e.loc,
            `this compares a value whose schema type is ${[...types].join(" or ")} with the ${actual} ${c.raw}`,
            e.op === "!="
              ? "the comparison always holds; check the field or the constant"
              : "the comparison can never hold; check the field or the constant",
          ),
        );
      }
    }
  }
}

function typesOf(s: Schema): Set<string> | null {
  const t = s.type;
  if (typeof t === "string") return new Set([t]);
  if (Array.isArray(t)) return new Set(t as string[]);
  return null;
}

/** Sub-schemas we can follow: plain objects without combinators or references. */
function child(s: unknown): Shape | undefined {
  if (typeof s !== "object" || s === null) return undefined;
  const o = s as Schema;
  if ("$ref" in o || "anyOf" in o || "oneOf" in o || "allOf" in o) return null;
  return o;
}

function staticKey(e: A.Expr): string | null {
  return e.kind === "scalar" && typeof e.value === "string" ? e.value : null;
}
