// fast-check generators for the property suite: well-formed, *checkable* Verdict policies and the
// JSON documents (input and base data) they are evaluated against.
//
// Policies are built from a list of random choices (`policyArb` draws an array of integers and
// `buildPolicy` consumes it). Every choice has its simplest option first and a missing choice
// reads as 0, so shrinking the array (shorter, smaller numbers) shrinks the policy while keeping
// it well formed. The builder tracks scopes, so every variable is bound before use, calls use
// known builtins (or earlier functions) with the right arity, and rules only refer to rules built
// before them (no recursion). Expressions carry a loose type hint so that most of them are well
// typed; some deliberately are not, to exercise type errors.
import fc from "fast-check";
import type * as A from "../../src/lang/ast.js";
import { format } from "../../src/lang/format.js";
import { dummyLoc } from "../arbitraries.js";

const loc = dummyLoc;

/** Keys that break code using plain objects as maps. */
export const hostileKeys = ["__proto__", "constructor", "prototype", "toString", "hasOwnProperty", "valueOf"] as const;

// ---------------------------------------------------------------------------------------------
// Choices

/** Consumes random choices; once they run out every choice is 0 (the simplest option). */
export class Choices {
  private i = 0;
  constructor(private readonly xs: readonly number[]) {}

  private next(): number {
    return this.i < this.xs.length ? this.xs[this.i++]! : 0;
  }

  /** 0 .. n-1 */
  int(n: number): number {
    return n <= 1 ? 0 : this.next() % n;
  }

  /** True with roughly `percent`% probability (false when choices ran out). */
  chance(percent: number): boolean {
    return this.int(100) >= 100 - percent;
  }

  pick<T>(xs: readonly T[]): T {
    return xs[this.int(xs.length)]!;
  }

  /** Picks one option by weight; put the simplest option first. */
  weighted<T>(options: readonly (readonly [number, () => T])[]): T {
    const live = options.filter(([w]) => w > 0);
    const total = live.reduce((s, [w]) => s + w, 0);
    let r = this.int(total);
    for (const [w, f] of live) {
      if (r < w) return f();
      r -= w;
    }
    return live[0]![1]();
  }
}

// ---------------------------------------------------------------------------------------------
// AST builders (locations are dummies; `format(module, "")` prints them)

const scalar = (value: A.Scalar["value"], raw: string): A.Scalar => ({ kind: "scalar", loc, value, raw });
const numLit = (raw: string): A.Scalar => scalar(Number(raw), raw);
const strLit = (s: string): A.Scalar => scalar(s, JSON.stringify(s));
const boolLit = (b: boolean): A.Scalar => scalar(b, String(b));
const nullLit = (): A.Scalar => scalar(null, "null");
const v = (name: string): A.Var => ({ kind: "var", loc, name });
const fieldPart = (name: string): A.RefPart => ({ kind: "field", loc, name });
const indexPart = (index: A.Expr): A.RefPart => ({ kind: "index", loc, index });
const ref = (head: A.Expr, path: readonly A.RefPart[]): A.Expr =>
  path.length ? { kind: "ref", loc, head, path } : head;
const call = (name: string, args: readonly A.Expr[]): A.Expr => ({ kind: "call", loc, name, nameLoc: loc, args });
const bin = (op: A.BinaryOp, left: A.Expr, right: A.Expr): A.Expr => ({ kind: "binary", loc, op, left, right });
const not = (operand: A.Expr): A.Expr => ({ kind: "not", loc, operand });
const neg = (operand: A.Expr): A.Expr => ({ kind: "neg", loc, operand });
const arr = (items: readonly A.Expr[]): A.Expr => ({ kind: "array", loc, items });
const setLit = (items: readonly A.Expr[]): A.Expr => ({ kind: "set", loc, items });
const obj = (entries: readonly (readonly [A.Expr, A.Expr])[]): A.Expr => ({
  kind: "object",
  loc,
  entries: entries.map(([key, value]) => ({ kind: "entry", loc, key, value })),
});
const body = (literals: readonly A.Literal[], braced = true): A.Body => ({ kind: "body", loc, braced, literals });
const exprLit = (expr: A.Expr): A.Literal => ({ kind: "exprLiteral", loc, expr, with: [] });
const name = (value: string): A.Name => ({ kind: "name", loc, value });

// ---------------------------------------------------------------------------------------------
// Policy model

/** A loose static type: what an expression is meant to evaluate to. */
type Hint = "num" | "str" | "bool" | "arr" | "set" | "obj" | "any";

interface Local {
  readonly name: string;
  readonly hint: Hint;
}

/** A rule or function built so far, that later ones may use. */
interface Known {
  readonly pkg: readonly string[];
  readonly name: string;
  readonly form: "value" | "set" | "object" | "function";
  readonly hint: Hint;
  readonly params: readonly Hint[];
  /** Position in the build order: a definition may only use rules built before its rule. */
  readonly order: number;
  /** Index of the module that first defined it. */
  readonly module: number;
}

/** Known shapes of input and base data (generated documents mostly follow them). */
const inputPaths: readonly (readonly [readonly string[], Hint, Hint])[] = [
  [["user", "name"], "str", "any"],
  [["user", "roles"], "arr", "str"],
  [["user", "admin"], "bool", "any"],
  [["user", "age"], "num", "any"],
  [["user"], "obj", "any"],
  [["items"], "arr", "num"],
  [["n"], "num", "any"],
  [["s"], "str", "any"],
  [["obj"], "obj", "num"],
  [["deep"], "any", "any"],
  [["missing"], "any", "any"],
  [["user", "__proto__"], "any", "any"],
  [["constructor"], "any", "any"],
  [["toString"], "any", "any"],
];

const dataPaths: readonly (readonly [readonly string[], Hint, Hint])[] = [
  [["base", "nums"], "arr", "num"],
  [["base", "users"], "obj", "obj"],
  [["base", "limit"], "num", "any"],
  [["base", "name"], "str", "any"],
  [["base", "__proto__"], "any", "any"],
  [["base", "prototype"], "any", "any"],
];

const stringPool = [
  "",
  "a",
  "admin",
  "dev",
  "GET",
  "é",
  "e\u0301",
  "😀",
  "\u{1F469}\u200D\u{1F4BB}",
  "__proto__",
  "constructor",
  "toString",
  "A b",
  "x\ny",
  'q"uote',
];

const numberPool = [
  "0",
  "1",
  "2",
  "3",
  "-1",
  "10",
  "0.5",
  "-2.5",
  "-0",
  "1e3",
  "1e308",
  "9007199254740993",
  "0.1",
  "100",
];

const ruleNamePool = [
  "allow",
  "deny",
  "r",
  "level",
  "names",
  "total",
  "info",
  "prototype",
  "hasOwnProperty",
  "__proto__",
];
const functionNamePool = ["f", "g", "is_ok", "label", "valueOf"];
const localNamePool = ["x", "y", "k", "v", "n", "s", "item", "constructor", "toString", "__defineGetter__"];

export interface GeneratedPolicy {
  readonly modules: readonly A.Module[];
  readonly sources: readonly { readonly file: string; readonly source: string }[];
  /** Package paths of the modules, and the names of the rules (documents) they define. */
  readonly packages: readonly (readonly string[])[];
  readonly ruleNames: readonly string[];
}

export interface BuildOptions {
  /** Chance (percent) that a literal gets `with` clauses; 8 by default. */
  readonly withPercent?: number;
}

/** Builds a well-formed, checkable policy (one or two modules) from random choices. */
export function buildPolicy(xs: readonly number[], options: BuildOptions = {}): GeneratedPolicy {
  return new PolicyBuilder(new Choices(xs), options.withPercent ?? 8).build();
}

/** Random policies; the choice list shrinks towards simpler policies. */
export function policyArb(options: BuildOptions = {}): fc.Arbitrary<GeneratedPolicy> {
  return fc
    .array(fc.nat({ max: 0x3fffffff }), { minLength: 40, maxLength: 700, size: "max" })
    .map((xs) => buildPolicy(xs, options));
}

/** Per-module state: package, imports, the locals' name counter. */
interface ModuleState {
  readonly index: number;
  readonly pkg: readonly string[];
  readonly imports: Map<string, { root: "input" | "data"; path: readonly string[] }>;
  /** Packages whose whole document this module may read (no cycle possible). */
  readonly readablePackages: readonly (readonly string[])[];
}

/** Per-definition state: names used, for fresh locals. */
interface DefState {
  readonly used: Set<string>;
  readonly mod: ModuleState;
  /** Rules and functions this definition may use. */
  readonly known: readonly Known[];
}

class PolicyBuilder {
  private readonly known: Known[] = [];
  private readonly ruleNames: string[] = [];

  constructor(
    private readonly ch: Choices,
    private readonly withPercent: number,
  ) {}

  build(): GeneratedPolicy {
    const ch = this.ch;
    const first = [ch.pick(["p", "authz", "constructor", "pkg"])];
    const layout = ch.int(4); // 0: one module, 1: separate package, 2: nested package, 3: same package in two files
    const pkgs: string[][] = [first];
    if (layout === 1) pkgs.push([ch.pick(["q", "lib", "toString"])]);
    if (layout === 2) pkgs.push([...first, "sub"]);
    if (layout === 3) pkgs.push(first);
    const modules: A.Module[] = [];
    pkgs.forEach((pkg, i) => {
      const readable = layout === 1 && i === 1 ? [first] : [];
      modules.push(this.module(pkg, readable, i));
    });
    const sources = modules.map((m, i) => ({ file: `gen${i}.verdict`, source: format(m, "") }));
    const policy: GeneratedPolicy = { modules, sources, packages: pkgs, ruleNames: [...new Set(this.ruleNames)] };
    // fast-check prints counterexamples with this: the policy text, not its AST.
    Object.defineProperty(policy, fc.toStringMethod, {
      value: () => sources.map((s) => `\n# ${s.file}\n${s.source}`).join(""),
    });
    return policy;
  }

  private module(pkg: readonly string[], readablePackages: readonly (readonly string[])[], index: number): A.Module {
    const ch = this.ch;
    const imports: A.Import[] = [];
    const state: ModuleState = { index, pkg, imports: new Map(), readablePackages };
    const addImport = (root: "input" | "data", path: readonly string[], alias: string): void => {
      const explicitAlias = alias !== path[path.length - 1];
      imports.push({ kind: "import", loc, root, path, alias, explicitAlias });
      state.imports.set(alias, { root, path });
    };
    if (ch.chance(30)) addImport("input", ["user"], ch.pick(["u", "user"]));
    if (ch.chance(20)) addImport("data", ["base"], ch.pick(["b", "base"]));
    if (readablePackages.length && ch.chance(50)) addImport("data", readablePackages[0]!, "other");

    const statements: A.Statement[] = [];
    const groups = 1 + ch.int(index === 0 ? 6 : 4);
    for (let g = 0; g < groups; g++) statements.push(...this.group(state));
    return { kind: "module", loc, package: { kind: "package", loc, path: pkg }, imports, statements, comments: [] };
  }

  /** One rule or function: one to three definitions (or an indexable route table), maybe a default. */
  private group(mod: ModuleState): A.Statement[] {
    const ch = this.ch;
    // In a package split over two files, the second file sometimes adds definitions to a rule or
    // function of the first; they may only use what that rule could use (no cycle).
    const samePackage = this.known.filter((k) => k.pkg.join(".") === mod.pkg.join(".") && k.module !== mod.index);
    if (samePackage.length && ch.chance(30)) {
      const k = ch.pick(samePackage);
      const known = this.known.slice(0, k.order);
      return Array.from({ length: 1 + ch.int(2) }, () => this.definition({ used: new Set(), mod, known }, k, false));
    }
    const form = ch.weighted<Known["form"]>([
      [5, () => "value"],
      [2, () => "set"],
      [1, () => "object"],
      [2, () => "function"],
    ]);
    const pool = form === "function" ? functionNamePool : ruleNamePool;
    const taken = new Set(this.known.filter((k) => k.pkg.join(".") === mod.pkg.join(".")).map((k) => k.name));
    let base = ch.pick(pool);
    for (let i = 2; taken.has(base) || mod.imports.has(base); i++) base = `${ch.pick(pool)}${i}`;
    const hint: Hint =
      form === "set"
        ? "set"
        : form === "object"
          ? "obj"
          : ch.pick<Hint>(["bool", "num", "str", "arr", "any", "obj", "set"]);
    const params: Hint[] =
      form === "function" ? Array.from({ length: ch.int(3) }, () => ch.pick<Hint>(["num", "str", "any", "arr"])) : [];
    const known = [...this.known];
    const self: Known = { pkg: mod.pkg, name: base, form, hint, params, order: this.known.length, module: mod.index };
    const out: A.Statement[] = [];
    // Four or more definitions guarded by `input.x == <constant>` get indexed by the engine.
    const routeTable = (form === "value" || form === "function") && ch.chance(10);
    const defs = routeTable ? 4 + ch.int(3) : 1 + (ch.chance(35) ? 1 + ch.int(2) : 0);
    for (let d = 0; d < defs; d++) out.push(this.definition({ used: new Set(), mod, known }, self, routeTable));
    if (form === "value" && ch.chance(25)) {
      out.splice(ch.int(out.length + 1), 0, { kind: "default", loc, name: name(base), value: this.constant(hint, 1) });
    }
    this.known.push(self);
    if (form !== "function") this.ruleNames.push(base);
    return out;
  }

  private definition(def: DefState, k: Known, routeTable: boolean): A.Statement {
    switch (k.form) {
      case "function":
        return this.func(def, k.name, k.hint, k.params, routeTable);
      case "value":
        return this.valueRule(def, k.name, k.hint, routeTable);
      case "set":
        return this.setRule(def, k.name);
      case "object":
        return this.objectRule(def, k.name);
    }
  }

  private valueRule(def: DefState, ruleName: string, hint: Hint, routeTable: boolean): A.Rule {
    const ch = this.ch;
    const locals: Local[] = [];
    const lits = routeTable ? [this.routeGuard()] : [];
    lits.push(...this.literals(def, locals, 2, 3));
    const shape = ch.int(4); // 0: `:= v if body`, 1: `if body` (bool), 2: `:= v`, 3: `:= v if single literal`
    const elses: A.Else[] = [];
    if (!routeTable && ch.chance(20)) {
      const n = 1 + ch.int(2);
      for (let i = 0; i < n; i++) {
        const d: DefState = { used: new Set(def.used), mod: def.mod, known: def.known };
        const eLocals: Local[] = [];
        const last = i === n - 1 && ch.chance(50);
        const eBody = last ? null : body(this.literals(d, eLocals, 2, 2));
        const value = !last && hint === "bool" && ch.chance(50) ? null : this.expr(d, eLocals, hint, 2);
        elses.push({ kind: "else", loc, value, body: eBody });
      }
    }
    if (shape === 2 && !routeTable && elses.length === 0) {
      return this.rule(ruleName, "value", null, this.expr(def, [], hint, 3), null, []);
    }
    const value = shape === 1 && hint === "bool" ? null : this.expr(def, locals, hint, 2);
    const braced = !(shape === 3 && lits.length === 1 && lits[0]!.kind === "exprLiteral");
    return this.rule(ruleName, "value", null, value, body(lits, braced), elses);
  }

  /** `input.s == "GET"` (either way round): the guard that rule indexing looks for. */
  private routeGuard(): A.Literal {
    const ch = this.ch;
    const field = ref(v("input"), [fieldPart(ch.pick(["s", "n"]))]);
    const value = ch.chance(50)
      ? strLit(ch.pick(["GET", "POST", "a", "", "1"]))
      : numLit(ch.pick(["1", "2", "-0", "1.0"]));
    return exprLit(ch.chance(80) ? bin("==", field, value) : bin("==", value, field));
  }

  private setRule(def: DefState, ruleName: string): A.Rule {
    const locals: Local[] = [];
    const noBody = this.ch.chance(15);
    const lits = noBody ? [] : this.literals(def, locals, 2, 3);
    const elem = this.expr(def, locals, this.ch.pick<Hint>(["str", "num", "any", "arr"]), 2);
    return this.rule(ruleName, "set", null, elem, noBody ? null : body(lits), []);
  }

  private objectRule(def: DefState, ruleName: string): A.Rule {
    const locals: Local[] = [];
    const lits = this.literals(def, locals, 2, 3);
    const key = this.expr(def, locals, this.ch.chance(90) ? "str" : "any", 1);
    const value = this.expr(def, locals, this.ch.pick<Hint>(["num", "str", "any", "bool"]), 2);
    return this.rule(ruleName, "object", key, value, body(lits), []);
  }

  private rule(
    ruleName: string,
    form: A.Rule["form"],
    key: A.Expr | null,
    value: A.Expr | null,
    b: A.Body | null,
    elses: readonly A.Else[],
  ): A.Rule {
    return { kind: "rule", loc, name: name(ruleName), form, key, value, body: b, elses };
  }

  private func(def: DefState, fname: string, hint: Hint, params: readonly Hint[], routeTable: boolean): A.Func {
    const ch = this.ch;
    const paramLocals = params.map((h) => ({ name: this.fresh(def), hint: h }));
    const locals: Local[] = [...paramLocals];
    const lits = routeTable ? [this.routeGuard()] : [];
    if (!ch.chance(20)) lits.push(...this.literals(def, locals, 2, 3));
    const value = hint === "bool" && ch.chance(40) ? null : this.expr(def, locals, hint, 2);
    const elses: A.Else[] = [];
    if (!routeTable && ch.chance(20)) {
      const eLocals: Local[] = [...paramLocals];
      const d: DefState = { used: new Set(def.used), mod: def.mod, known: def.known };
      const last = ch.chance(50);
      elses.push({
        kind: "else",
        loc,
        value: this.expr(d, eLocals, hint, 1),
        body: last ? null : body(this.literals(d, eLocals, 1, 2)),
      });
    }
    return {
      kind: "function",
      loc,
      name: name(fname),
      params: paramLocals.map((p) => v(p.name)),
      value,
      body: lits.length || value === null || ch.chance(50) ? body(lits) : null,
      elses,
    };
  }

  // ---- names ----

  private fresh(def: DefState): string {
    let base = this.ch.pick(localNamePool);
    for (let i = 1; def.used.has(base) || def.mod.imports.has(base); i++) base = `${this.ch.pick(localNamePool)}${i}`;
    def.used.add(base);
    return base;
  }

  // ---- bodies ----

  /** Up to `max` literals; new locals are pushed onto `locals`. */
  private literals(def: DefState, locals: Local[], depth: number, max: number): A.Literal[] {
    const n = this.ch.int(max + 1);
    const out: A.Literal[] = [];
    for (let i = 0; i < n; i++) out.push(...this.literal(def, locals, depth));
    return out;
  }

  private literal(def: DefState, locals: Local[], depth: number): A.Literal[] {
    const before = [...locals];
    const lits = this.plainLiteral(def, locals, depth);
    const last = lits[lits.length - 1]!;
    if (last.kind === "someDecl" || !this.ch.chance(this.withPercent)) return lits;
    // `with` values are computed before the literal runs: they see only the earlier locals.
    const withs = Array.from({ length: 1 + this.ch.int(2) }, () => this.withClause(def, before));
    return [...lits.slice(0, -1), { ...last, with: withs }];
  }

  /** `with <target> as <value>`: part of input, base data, a rule, a builtin or a function. */
  private withClause(def: DefState, locals: Local[]): A.With {
    const ch = this.ch;
    const dotted = (parts: readonly string[]): A.Expr => ref(v(parts[0]!), parts.slice(1).map(fieldPart));
    const make = (target: A.Expr, value: A.Expr): A.With => ({ kind: "with", loc, target, value });
    const rules = def.known.filter((k) => k.form !== "function");
    const fns = def.known.filter((k) => k.form === "function");
    return ch.weighted<A.With>([
      [
        4,
        () => {
          const [path, hint] = ch.pick(inputPaths);
          return make(this.inputRef(def, path), this.expr(def, locals, hint, 1));
        },
      ],
      [1, () => make(v("input"), this.expr(def, locals, "obj", 1))],
      [
        2,
        () => {
          const [path, hint] = ch.pick(dataPaths);
          return make(dotted(["data", ...path]), this.expr(def, locals, hint, 1));
        },
      ],
      [
        rules.length ? 4 : 0,
        () => {
          const k = ch.pick(rules);
          return make(dotted(["data", ...k.pkg, k.name]), this.expr(def, locals, k.hint, 1));
        },
      ],
      [
        2,
        () => {
          const [fname, hint] = ch.pick([
            ["count", "num"],
            ["lower", "str"],
            ["abs", "num"],
            ["is_string", "bool"],
          ] as const);
          const replacement = ch.pick(["count", "sum", "upper", "abs", "to_number", "is_number"]);
          return make(v(fname), ch.chance(50) ? v(replacement) : this.expr(def, locals, hint, 0));
        },
      ],
      [
        fns.length ? 3 : 0,
        () => {
          const f = ch.pick(fns);
          const target = dotted(this.qualified(def, f).split("."));
          const same = fns.filter((g) => g.params.length === f.params.length && g !== f);
          if (same.length && ch.chance(50)) return make(target, dotted(this.qualified(def, ch.pick(same)).split(".")));
          return make(target, this.expr(def, locals, f.hint, 1));
        },
      ],
    ]);
  }

  private plainLiteral(def: DefState, locals: Local[], depth: number): A.Literal[] {
    const ch = this.ch;
    return ch.weighted<A.Literal[]>([
      [6, () => [exprLit(this.expr(def, locals, "bool", depth))]],
      [1, () => [exprLit(this.expr(def, locals, "any", depth))]],
      [
        4,
        () => {
          const hint = ch.pick<Hint>(["num", "str", "arr", "obj", "set", "any", "bool"]);
          const value = this.expr(def, locals, hint, depth);
          const target = this.fresh(def);
          locals.push({ name: target, hint });
          return [{ kind: "assign", loc, target: v(target), value, with: [] }];
        },
      ],
      [3, () => [this.someIn(def, locals, depth)]],
      [2, () => this.someDeclared(def, locals, depth)],
      [1, () => (depth > 0 ? [this.every(def, locals, depth - 1)] : [exprLit(boolLit(true))])],
      [1, () => [exprLit(not(this.expr(def, locals, "bool", depth)))]],
    ]);
  }

  /** A collection expression and the hint of its elements. */
  private collection(def: DefState, locals: Local[], depth: number): [A.Expr, Hint, "arr" | "set" | "obj" | "any"] {
    const ch = this.ch;
    return ch.weighted<[A.Expr, Hint, "arr" | "set" | "obj" | "any"]>([
      [3, () => [arr([numLit(ch.pick(numberPool)), numLit(ch.pick(numberPool))]), "num", "arr"]],
      [
        6,
        () => {
          const [path, hint, elem] = ch.pick(inputPaths.filter(([, h]) => h === "arr" || h === "obj"));
          return [this.inputRef(def, path), elem, hint as "arr" | "obj"];
        },
      ],
      [
        3,
        () => {
          const [path, hint, elem] = ch.pick(dataPaths.filter(([, h]) => h === "arr" || h === "obj"));
          return [ref(v("data"), path.map(fieldPart)), elem, hint as "arr" | "obj"];
        },
      ],
      [2, () => [this.expr(def, locals, "set", depth), "any", "set"]],
      [2, () => [this.expr(def, locals, "arr", depth), "any", "arr"]],
      [1, () => [this.expr(def, locals, "obj", depth), "any", "obj"]],
      [1, () => [this.expr(def, locals, "any", depth), "any", "any"]],
    ]);
  }

  private someIn(def: DefState, locals: Local[], depth: number): A.Literal {
    const ch = this.ch;
    const [domain, elem, kind] = this.collection(def, locals, Math.max(0, depth - 1));
    const withKey = ch.chance(40);
    const key = withKey ? (ch.chance(15) ? "_" : this.fresh(def)) : null;
    const value = ch.chance(5) ? "_" : this.fresh(def);
    if (key && key !== "_") locals.push({ name: key, hint: kind === "arr" ? "num" : kind === "obj" ? "str" : "any" });
    if (value !== "_") locals.push({ name: value, hint: elem });
    return { kind: "someIn", loc, key: key ? v(key) : null, value: v(value), domain, with: [] };
  }

  /** `some i` then a literal that binds `i` by indexing a collection with it. */
  private someDeclared(def: DefState, locals: Local[], depth: number): A.Literal[] {
    const ch = this.ch;
    const i = this.fresh(def);
    const [coll, elem, kind] = this.collection(def, locals, Math.max(0, depth - 1));
    const indexed = ref(coll, [indexPart(v(i))]);
    const decl: A.Literal = { kind: "someDecl", loc, vars: [v(i)] };
    const iHint: Hint = kind === "arr" ? "num" : kind === "obj" ? "str" : "any";
    if (ch.chance(50)) {
      const target = this.fresh(def);
      const lit: A.Literal = { kind: "assign", loc, target: v(target), value: indexed, with: [] };
      locals.push({ name: i, hint: iHint }, { name: target, hint: elem });
      return [decl, lit];
    }
    const rhs = this.expr(def, locals, elem === "any" ? "num" : elem, 0);
    locals.push({ name: i, hint: iHint });
    return [decl, exprLit(bin(ch.pick(["==", "!=", ">"] as const), indexed, rhs))];
  }

  private every(def: DefState, locals: Local[], depth: number): A.Literal {
    const ch = this.ch;
    const [domain, elem, kind] = this.collection(def, locals, depth);
    const inner = [...locals];
    const key = ch.chance(40) ? this.fresh(def) : null;
    const value = this.fresh(def);
    if (key) inner.push({ name: key, hint: kind === "arr" ? "num" : kind === "obj" ? "str" : "any" });
    inner.push({ name: value, hint: elem });
    const lits = this.literals(def, inner, depth, 2);
    if (lits.length === 0) lits.push(exprLit(this.expr(def, inner, "bool", depth)));
    return { kind: "every", loc, key: key ? v(key) : null, value: v(value), domain, body: body(lits), with: [] };
  }

  // ---- expressions ----

  /** An expression meant to have type `hint` (most of the time). */
  private expr(def: DefState, locals: Local[], hint: Hint, depth: number): A.Expr {
    const ch = this.ch;
    if (hint === "any") hint = ch.pick<Hint>(["num", "str", "bool", "arr", "set", "obj", "any"]);
    if (depth <= 0 || ch.chance(35)) return this.leaf(def, locals, hint);
    const d = depth - 1;
    const sub = (h: Hint): A.Expr => this.expr(def, locals, h, d);
    const anyHint = (): Hint => ch.pick<Hint>(["num", "str", "bool", "arr", "set", "obj", "any"]);
    const compound: (readonly [number, () => A.Expr])[] = [
      [1, () => this.leaf(def, locals, hint)],
      [2, () => this.indexInto(def, locals, hint, d)],
      [1, () => this.callFunction(def, locals, hint, d) ?? this.leaf(def, locals, hint)],
      [hint === "any" ? 2 : 0, () => call(ch.pick(["max", "min"]), [sub(ch.pick<Hint>(["arr", "set"]))])],
      [hint === "any" ? 2 : 0, () => call("object.get", [sub("obj"), sub("str"), sub(anyHint())])],
    ];
    switch (hint) {
      case "num":
        compound.push(
          [
            4,
            () => bin(ch.pick(["+", "-", "*", "/", "%"] as const), sub("num"), sub(ch.chance(90) ? "num" : anyHint())),
          ],
          [1, () => neg(sub("num"))],
          [2, () => call("count", [sub(ch.pick<Hint>(["arr", "set", "obj", "str"]))])],
          [1, () => call("sum", [sub(ch.pick<Hint>(["arr", "set"]))])],
          [1, () => call("abs", [sub("num")])],
          [1, () => call("to_number", [sub(ch.pick<Hint>(["str", "num", "bool"]))])],
        );
        break;
      case "str":
        compound.push(
          [2, () => call("concat", [strLit(ch.pick([",", "", "-"])), sub(ch.pick<Hint>(["arr", "set"]))])],
          [1, () => call(ch.pick(["lower", "upper", "trim_space"]), [sub("str")])],
        );
        break;
      case "bool":
        compound.push(
          [4, () => bin(ch.pick(["==", "!="] as const), sub(anyHint()), sub(anyHint()))],
          [
            4,
            () => {
              const h = ch.chance(90) ? ch.pick<Hint>(["num", "str", "arr"]) : anyHint();
              return bin(ch.pick(["<", "<=", ">", ">="] as const), sub(h), sub(ch.chance(90) ? h : anyHint()));
            },
          ],
          [3, () => bin("in", sub(anyHint()), sub(ch.pick<Hint>(["arr", "set", "obj", "any"])))],
          [2, () => not(sub("bool"))],
          [3, () => bin(ch.pick(["and", "or"] as const), sub("bool"), sub(ch.chance(80) ? "bool" : anyHint()))],
          [2, () => call(ch.pick(["startswith", "endswith", "contains"]), [sub("str"), sub("str")])],
          [1, () => call(ch.pick(["is_string", "is_number", "is_set", "is_object"]), [sub(anyHint())])],
        );
        break;
      case "arr":
        compound.push(
          [3, () => arr(Array.from({ length: ch.int(4) }, () => sub(anyHint())))],
          [3, () => this.comprehension(def, locals, "arrayCompr", d)],
          [1, () => call("sort", [sub(ch.pick<Hint>(["arr", "set"]))])],
          [1, () => call("array.concat", [sub("arr"), sub("arr")])],
          [1, () => call("array.reverse", [sub("arr")])],
        );
        break;
      case "set":
        compound.push(
          [2, () => setLit(Array.from({ length: 1 + ch.int(3) }, () => sub(anyHint())))],
          [3, () => this.comprehension(def, locals, "setCompr", d)],
          [1, () => bin("-", sub("set"), sub(ch.chance(90) ? "set" : "arr"))],
          [1, () => call(ch.pick(["union", "intersection"]), [setLit([sub("set"), sub("set")])])],
        );
        break;
      case "obj":
        compound.push(
          [2, () => this.objectLiteral(def, locals, d)],
          [3, () => this.comprehension(def, locals, "objectCompr", d)],
          [1, () => call("object.union", [sub("obj"), sub("obj")])],
          [
            1,
            () => call(ch.pick(["object.remove", "object.filter"]), [sub("obj"), sub(ch.pick<Hint>(["arr", "set"]))]),
          ],
        );
        break;
      case "any":
        compound.push([2, () => this.indexInto(def, locals, "any", d)]);
        break;
    }
    return ch.weighted(compound);
  }

  private objectLiteral(def: DefState, locals: Local[], depth: number): A.Expr {
    const ch = this.ch;
    const n = ch.int(4);
    const keys = new Set<string>();
    const entries: [A.Expr, A.Expr][] = [];
    for (let i = 0; i < n; i++) {
      const computed = ch.chance(15);
      let key: A.Expr;
      if (computed) key = this.expr(def, locals, "str", 0);
      else {
        const k = ch.pick(stringPool);
        if (keys.has(k)) continue;
        keys.add(k);
        key = strLit(k);
      }
      entries.push([key, this.expr(def, locals, ch.pick<Hint>(["num", "str", "bool", "any"]), depth)]);
    }
    return obj(entries);
  }

  private comprehension(
    def: DefState,
    locals: Local[],
    kind: "arrayCompr" | "setCompr" | "objectCompr",
    depth: number,
  ): A.Expr {
    const inner = [...locals];
    const lits = [this.someIn(def, inner, depth), ...this.literals(def, inner, depth, 2)];
    const b = body(lits);
    if (kind === "objectCompr") {
      const key = this.expr(def, inner, "str", 0);
      const value = this.expr(def, inner, "any", depth);
      return { kind, loc, key, value, body: b };
    }
    return { kind, loc, term: this.expr(def, inner, "any", depth), body: b };
  }

  /** `coll[i]`, `coll.name` or `coll[_]` (which iterates). */
  private indexInto(def: DefState, locals: Local[], hint: Hint, depth: number): A.Expr {
    const ch = this.ch;
    const [coll, elem] = this.collection(def, locals, depth);
    if (ch.chance(30)) return ref(coll, [indexPart(v("_"))]);
    if (ch.chance(30)) return ref(coll, [fieldPart(ch.pick(["name", "a", "__proto__", "constructor", "length"]))]);
    const idx = this.expr(def, locals, ch.pick<Hint>(["num", "str"]), 0);
    const r = ref(coll, [indexPart(idx)]);
    return elem === hint || hint === "any" || ch.chance(30) ? r : this.leaf(def, locals, hint);
  }

  private callFunction(def: DefState, locals: Local[], hint: Hint, depth: number): A.Expr | null {
    const ch = this.ch;
    const fns = def.known.filter((k) => k.form === "function" && (k.hint === hint || ch.chance(20)));
    if (fns.length === 0) return null;
    const f = ch.pick(fns);
    const args = f.params.map((h) => this.expr(def, locals, h, depth));
    return call(this.qualified(def, f), args);
  }

  /** How this module names a rule or function: by name, through `data`, or through an import. */
  private qualified(def: DefState, k: Known): string {
    const mod = def.mod;
    if (k.pkg.join(".") === mod.pkg.join("."))
      return this.ch.chance(80) ? k.name : ["data", ...k.pkg, k.name].join(".");
    const alias = [...mod.imports].find(([, imp]) => imp.root === "data" && imp.path.join(".") === k.pkg.join("."));
    if (alias && this.ch.chance(60)) return `${alias[0]}.${k.name}`;
    return ["data", ...k.pkg, k.name].join(".");
  }

  private inputRef(def: DefState, path: readonly string[]): A.Expr {
    const alias = [...def.mod.imports].find(([, imp]) => imp.root === "input" && imp.path[0] === path[0]);
    if (alias && this.ch.chance(70)) return ref(v(alias[0]), path.slice(1).map(fieldPart));
    return ref(v("input"), path.map(fieldPart));
  }

  /** A rule reference: by name, by data path, through an import, or (a known bug) by string index. */
  private ruleRef(def: DefState, k: Known): A.Expr {
    const ch = this.ch;
    const q = this.qualified(def, k).split(".");
    // `data.pkg["rule"]` must read the rule alone, exactly like `data.pkg.rule`.
    if (q[0] === "data" && ch.chance(30)) {
      return ref(v("data"), [...q.slice(1, -1).map(fieldPart), indexPart(strLit(q[q.length - 1]!))]);
    }
    return ref(v(q[0]!), q.slice(1).map(fieldPart));
  }

  private leaf(def: DefState, locals: Local[], hint: Hint): A.Expr {
    const ch = this.ch;
    const matching = locals.filter((l) => l.hint === hint || l.hint === "any");
    const rules = def.known.filter(
      (k) => k.form !== "function" && (k.hint === hint || (hint === "any" && ch.chance(50))),
    );
    const inputs = inputPaths.filter(([, h]) => h === hint || h === "any");
    const datas = dataPaths.filter(([, h]) => h === hint || h === "any");
    return ch.weighted<A.Expr>([
      [3, () => this.constant(hint, 1)],
      [matching.length ? 6 : 0, () => v(ch.pick(matching).name)],
      [locals.length && ch.chance(10) ? 2 : 0, () => v(ch.pick(locals).name)],
      [rules.length ? 4 : 0, () => this.ruleRef(def, ch.pick(rules))],
      [inputs.length ? 4 : 0, () => this.inputRef(def, ch.pick(inputs)[0])],
      [datas.length ? 2 : 0, () => ref(v("data"), ch.pick(datas)[0].map(fieldPart))],
      [
        def.mod.readablePackages.length && (hint === "obj" || hint === "any") ? 1 : 0,
        () => ref(v("data"), ch.pick(def.mod.readablePackages).map(fieldPart)),
      ],
    ]);
  }

  /** A constant of the hinted type (also used for defaults). */
  private constant(hint: Hint, depth: number): A.Expr {
    const ch = this.ch;
    const h = hint === "any" ? ch.pick<Hint>(["num", "str", "bool", "arr", "set", "obj", "any"]) : hint;
    const sub = (): A.Expr => (depth > 0 ? this.constant("any", depth - 1) : numLit(ch.pick(numberPool)));
    switch (h) {
      case "num":
        return numLit(ch.pick(numberPool));
      case "str":
        return strLit(ch.pick(stringPool));
      case "bool":
        return boolLit(ch.chance(60));
      case "arr":
        return arr(Array.from({ length: ch.int(4) }, sub));
      case "set":
        return setLit(Array.from({ length: ch.int(4) }, sub));
      case "obj": {
        const keys = [...new Set(Array.from({ length: ch.int(4) }, () => ch.pick(stringPool)))];
        return obj(keys.map((k) => [strLit(k), sub()] as const));
      }
      case "any":
        return nullLit();
    }
  }
}

// ---------------------------------------------------------------------------------------------
// JSON documents

const unicodeString = fc.oneof(
  { weight: 3, arbitrary: fc.string({ maxLength: 8 }) },
  { weight: 2, arbitrary: fc.string({ unit: "grapheme", maxLength: 4 }) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 4 }) },
  { weight: 3, arbitrary: fc.constantFrom(...stringPool) },
);

export const hostileKeyArb = fc.constantFrom(...hostileKeys);

const keyArb = fc.oneof(
  { weight: 2, arbitrary: hostileKeyArb },
  { weight: 3, arbitrary: fc.constantFrom("name", "roles", "admin", "age", "items", "a", "b", "isAdmin") },
  { weight: 2, arbitrary: unicodeString },
);

/** Numbers JSON can carry: -0, large integers, tiny and huge floats. */
export const numberArb: fc.Arbitrary<number> = fc.oneof(
  { weight: 4, arbitrary: fc.integer({ min: -5, max: 10 }) },
  { weight: 1, arbitrary: fc.constantFrom(-0, 0.1, 0.5, -2.5, 2 ** 53, 2 ** 53 + 2, -(2 ** 63), 1e308, 5e-324, 1e21) },
  { weight: 1, arbitrary: fc.double({ noNaN: true, noDefaultInfinity: true }) },
  { weight: 1, arbitrary: fc.integer() },
);

const scalarArb: fc.Arbitrary<unknown> = fc.oneof(fc.constant(null), fc.boolean(), numberArb, unicodeString);

/** Arbitrary JSON with hostile keys, unicode strings and special numbers (shallow). */
export const jsonArb: fc.Arbitrary<unknown> = fc.letrec<{ json: unknown }>((tie) => ({
  json: fc.oneof(
    { depthSize: "small", withCrossShrink: true },
    scalarArb,
    fc.array(tie("json"), { maxLength: 4 }),
    fc.dictionary(keyArb, tie("json"), { maxKeys: 4 }),
  ),
})).json;

/** A value nested `depth` levels deep, alternating arrays and objects with hostile keys. */
export function nested(depth: number, leaf: unknown, keys: readonly string[] = ["a"]): unknown {
  let out = leaf;
  for (let i = 0; i < depth; i++) {
    const k = keys[i % keys.length]!;
    out = i % 3 === 2 ? [out] : objectFrom([[k, out]]);
  }
  return out;
}

/** Deep documents: usually up to 50 levels, sometimes 500. */
export const deepArb: fc.Arbitrary<unknown> = fc
  .tuple(
    fc.oneof({ weight: 9, arbitrary: fc.integer({ min: 1, max: 50 }) }, { weight: 1, arbitrary: fc.constant(500) }),
    scalarArb,
    fc.array(keyArb, { minLength: 1, maxLength: 3 }),
  )
  .map(([depth, leaf, keys]) => nested(depth, leaf, keys));

/** Usually a value of the expected shape, sometimes anything. */
function mostly<T>(arb: fc.Arbitrary<T>): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 8, arbitrary: arb }, { weight: 2, arbitrary: jsonArb });
}

/** An object built from entries with JSON.parse, so `__proto__` stays an own key. */
function objectFrom(entries: readonly (readonly [string, unknown])[]): Record<string, unknown> {
  const out = JSON.parse("{}") as Record<string, unknown>;
  for (const [k, val] of entries) {
    Object.defineProperty(out, k, { value: val, enumerable: true, writable: true, configurable: true });
  }
  return out;
}

const entriesArb = (maxKeys: number): fc.Arbitrary<[string, unknown][]> =>
  fc.array(fc.tuple(keyArb, jsonArb), { maxLength: maxKeys });

/** Optional fields: each present most of the time. */
function fields(spec: Record<string, fc.Arbitrary<unknown>>): fc.Arbitrary<[string, unknown][]> {
  const names = Object.keys(spec);
  return fc
    .tuple(...names.map((n) => fc.option(spec[n]!, { freq: 8, nil: undefined })))
    .map((vals) => names.flatMap((n, i) => (vals[i] === undefined ? [] : [[n, vals[i]] as [string, unknown]])));
}

const userArb = fc
  .tuple(
    fields({
      name: mostly(fc.constantFrom("alice", "bob", "admin", "é", "")),
      roles: mostly(fc.array(fc.constantFrom("admin", "dev", "ops", "__proto__", "😀"), { maxLength: 4 })),
      admin: mostly(fc.boolean()),
      age: mostly(numberArb),
    }),
    entriesArb(2),
  )
  .map(([known, extra]) => objectFrom([...extra, ...known]));

/** Inputs shaped like the generated policies expect, with junk, hostile keys and deep values. */
export const inputArb: fc.Arbitrary<unknown> = fc.oneof(
  { weight: 1, arbitrary: jsonArb },
  {
    weight: 12,
    arbitrary: fc
      .tuple(
        fields({
          user: mostly(userArb),
          items: mostly(fc.array(numberArb, { maxLength: 5 })),
          n: mostly(numberArb),
          s: mostly(fc.oneof(fc.constantFrom("GET", "POST", "a", "", "1"), unicodeString)),
          obj: mostly(fc.dictionary(keyArb, numberArb, { maxKeys: 4 })),
          deep: deepArb,
        }),
        entriesArb(2),
      )
      .map(([known, extra]) => objectFrom([...extra, ...known])),
  },
);

/** Base data: `data.base` with users and numbers, plus documents under the first package (some named like its rules). */
export function dataArb(policy: GeneratedPolicy): fc.Arbitrary<unknown> {
  const names = fc.constantFrom(...policy.ruleNames, "extra", "sub");
  const underPackage = fc.array(fc.tuple(fc.oneof(keyArb, names), jsonArb), { maxLength: 3 });
  const base = fields({
    nums: mostly(fc.array(numberArb, { maxLength: 5 })),
    users: mostly(
      fc.dictionary(
        keyArb,
        fc.record({ roles: fc.array(fc.constantFrom("admin", "dev"), { maxLength: 3 }), age: numberArb }),
        { maxKeys: 3 },
      ),
    ),
    limit: mostly(numberArb),
    name: mostly(unicodeString),
    ["__proto__"]: jsonArb,
  });
  return fc.tuple(base, underPackage, entriesArb(2)).map(([b, under, extra]) => {
    const doc: [string, unknown][] = [...extra, ["base", objectFrom(b)]];
    const first = policy.packages[0]!;
    if (under.length)
      doc.push([first[0]!, first.length === 1 ? objectFrom(under) : nestedUnder(first.slice(1), under)]);
    return objectFrom(doc);
  });
}

function nestedUnder(path: readonly string[], entries: readonly (readonly [string, unknown])[]): unknown {
  let out: unknown = objectFrom(entries);
  for (const seg of [...path].reverse()) out = objectFrom([[seg, out]]);
  return out;
}

// ---------------------------------------------------------------------------------------------
// Documents with the same content and a different key order

/** A deep copy with every object's keys inserted in reverse order (`__proto__` kept as data). */
export function reorderKeys(doc: unknown, rotate = 0): unknown {
  if (Array.isArray(doc)) return doc.map((x) => reorderKeys(x, rotate));
  if (doc === null || typeof doc !== "object") return doc;
  const keys = Object.keys(doc).reverse();
  const r = keys.length ? rotate % keys.length : 0;
  const order = [...keys.slice(r), ...keys.slice(0, r)];
  return objectFrom(order.map((k) => [k, reorderKeys((doc as Record<string, unknown>)[k], rotate + 1)]));
}
