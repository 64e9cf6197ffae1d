// Name resolution and safety. Walks every body in evaluation order, gives each local a frame
// slot, resolves globals to input/data paths and calls to builtins or functions, and reports
// unknown names, unsafe variables, reassignment and shadowed imports.
import type * as A from "./ast.js";
import { codes, error, type Diagnostic } from "./diagnostics.js";
import type { BuiltinArities, CallRes, FrameOwner, RuleGroup, VarRes, WithRes } from "./program.js";
import { dottedName } from "./names.js";
import { closest } from "./suggest.js";

interface Local {
  slot: number;
  bound: boolean;
  loc: A.Loc;
}

/** One lexical scope: a body, a comprehension, an `every` body. */
class Scope {
  readonly locals = new Map<string, Local>();
  constructor(readonly parent: Scope | null) {}

  find(name: string): Local | undefined {
    return this.locals.get(name) ?? this.parent?.find(name);
  }

  /** Bound-state of every visible local, so a sub-expression's bindings can be undone. */
  snapshot(): Map<Local, boolean> {
    const out = this.parent?.snapshot() ?? new Map<Local, boolean>();
    for (const l of this.locals.values()) out.set(l, l.bound);
    return out;
  }
}

/** Where a reference to data points, recorded so the recursion check can follow it. */
export interface DataUse {
  readonly from: string | null;
  readonly path: readonly string[];
  readonly loc: A.Loc;
}

export interface ResolveOutput {
  readonly vars: Map<A.Var, VarRes>;
  readonly calls: Map<A.Call, CallRes>;
  readonly withs: Map<A.With, WithRes>;
  readonly frameSizes: Map<FrameOwner, number>;
  readonly uses: DataUse[];
}

export function resolve(
  modules: readonly A.Module[],
  groups: ReadonlyMap<string, RuleGroup>,
  builtins: BuiltinArities,
  diagnostics: Diagnostic[],
): ResolveOutput {
  const out: ResolveOutput = { vars: new Map(), calls: new Map(), withs: new Map(), frameSizes: new Map(), uses: [] };
  for (const m of modules) new ModuleResolver(m, groups, builtins, diagnostics, out).run();
  return out;
}

class ModuleResolver {
  private readonly imports = new Map<string, A.Import>();
  private nextSlot = 0;
  private current: string | null = null;
  private inHead = false;

  constructor(
    private readonly module: A.Module,
    private readonly groups: ReadonlyMap<string, RuleGroup>,
    private readonly builtins: BuiltinArities,
    private readonly diagnostics: Diagnostic[],
    private readonly out: ResolveOutput,
  ) {}

  run(): void {
    for (const imp of this.module.imports) {
      const prev = this.imports.get(imp.alias);
      if (prev) {
        this.report(
          codes.badImport,
          imp.loc,
          `'${imp.alias}' is imported twice`,
          "use `as` to give one a different name",
        );
      }
      if (this.groups.has(this.ruleKey(imp.alias))) {
        this.report(
          codes.shadowsImport,
          imp.loc,
          `import '${imp.alias}' hides rule '${imp.alias}' of this package`,
          "import it `as` another name",
        );
      }
      if (imp.alias === "input" || imp.alias === "data") {
        this.report(
          codes.badImport,
          imp.loc,
          `an import cannot be named '${imp.alias}'`,
          "choose another name with `as`",
        );
        continue;
      }
      this.imports.set(imp.alias, imp);
    }
    for (const s of this.module.statements) this.statement(s);
  }

  private statement(s: A.Statement): void {
    switch (s.kind) {
      case "default":
      case "schema":
        return; // constants; checked elsewhere
      case "rule":
        return this.frame(s, [...this.module.package.path, s.name.value].join("."), (scope) => {
          if (s.body) this.body(s.body, scope);
          this.head(() => {
            if (s.key) this.expr(s.key, scope);
            if (s.value) this.expr(s.value, scope);
          });
          this.elses(s.elses, null);
        });
      case "function":
        return this.frame(s, [...this.module.package.path, s.name.value].join("."), (scope) => {
          this.params(s.params, scope);
          if (s.body) this.body(s.body, scope);
          this.head(() => {
            if (s.value) this.expr(s.value, scope);
          });
          this.elses(s.elses, s.params);
        });
      case "test":
        return this.frame(s, null, (scope) => this.body(s.body, scope));
    }
  }

  private frame(owner: FrameOwner, key: string | null, walk: (scope: Scope) => void): void {
    this.nextSlot = 0;
    this.current = key;
    walk(new Scope(null));
    this.out.frameSizes.set(owner, this.nextSlot);
  }

  private params(params: readonly A.Var[], scope: Scope): void {
    for (const p of params) this.bind(p, scope);
  }

  /** Each `else` branch sees the function's parameters (bound again in its own scope) and nothing else. */
  private elses(elses: readonly A.Else[], params: readonly A.Var[] | null): void {
    for (const e of elses) {
      const scope = new Scope(null);
      if (params) for (const p of params) this.rebindParam(p, scope);
      if (e.body) this.body(e.body, scope);
      this.head(() => {
        if (e.value) this.expr(e.value, scope);
      });
    }
  }

  /** Resolves a rule head, where an unknown name is most likely a variable the body never bound. */
  private head(walk: () => void): void {
    this.inHead = true;
    walk();
    this.inHead = false;
  }

  private rebindParam(p: A.Var, scope: Scope): void {
    const slot = (this.out.vars.get(p) as { slot: number } | undefined)?.slot ?? this.nextSlot++;
    scope.locals.set(p.name, { slot, bound: true, loc: p.loc });
  }

  private body(body: A.Body, scope: Scope): void {
    for (const lit of body.literals) this.literal(lit, scope);
  }

  private literal(lit: A.Literal, scope: Scope): void {
    // `with` values are computed before the literal runs, so they cannot use what it binds.
    if (lit.kind !== "someDecl") for (const w of lit.with) this.withClause(w, scope);
    switch (lit.kind) {
      case "exprLiteral":
        this.expr(lit.expr, scope);
        break;
      case "assign":
        this.expr(lit.value, scope);
        if (lit.target.kind === "var") this.bind(lit.target, scope);
        else for (const item of lit.target.items) this.bind(item as A.Var, scope);
        break;
      case "someDecl":
        for (const v of lit.vars) this.declare(v, scope);
        break;
      case "someIn":
        this.expr(lit.domain, scope);
        if (lit.key) this.bind(lit.key, scope);
        this.bind(lit.value, scope);
        break;
      case "every": {
        this.expr(lit.domain, scope);
        const inner = new Scope(scope);
        if (lit.key) this.bind(lit.key, inner);
        this.bind(lit.value, inner);
        this.body(lit.body, inner);
        break;
      }
    }
  }

  // ---- locals ----

  private declare(v: A.Var, scope: Scope): void {
    if (this.checkNewLocal(v, scope)) {
      scope.locals.set(v.name, { slot: this.nextSlot++, bound: false, loc: v.loc });
    }
  }

  /** A binding occurrence: `x := ...`, `some x in`, `every x in`, a parameter. */
  private bind(v: A.Var, scope: Scope): void {
    if (v.name === "_") {
      this.out.vars.set(v, { kind: "wildcard", slot: this.nextSlot++ });
      return;
    }
    if (!this.checkNewLocal(v, scope)) return;
    const slot = this.nextSlot++;
    scope.locals.set(v.name, { slot, bound: true, loc: v.loc });
    this.out.vars.set(v, { kind: "local", slot, binds: true });
  }

  private checkNewLocal(v: A.Var, scope: Scope): boolean {
    const existing = scope.find(v.name);
    if (existing) {
      this.diagnostics.push({
        ...error(
          codes.reassigned,
          v.loc,
          `'${v.name}' is already defined`,
          "locals are assigned once; choose a new name",
        ),
        related: [{ message: "first defined here", loc: existing.loc }],
      });
      return false;
    }
    if (v.name === "input" || v.name === "data") {
      this.report(codes.reassigned, v.loc, `'${v.name}' cannot be redefined`, "choose another name");
      return false;
    }
    const imp = this.imports.get(v.name);
    if (imp) {
      this.diagnostics.push({
        ...error(
          codes.shadowsImport,
          v.loc,
          `'${v.name}' shadows an import`,
          "rename the local or import `as` another name",
        ),
        related: [{ message: "imported here", loc: imp.loc }],
      });
      return false;
    }
    return true;
  }

  // ---- expressions ----

  private expr(e: A.Expr, scope: Scope): void {
    switch (e.kind) {
      case "scalar":
        return;
      case "var":
        this.varUse(e, scope, false);
        return this.useOfVar(e);
      case "ref":
        return this.ref(e, scope);
      case "call":
        return this.call(e, scope);
      case "binary":
        if (e.op === "or" || e.op === "and") {
          this.isolated(e.left, scope);
          this.isolated(e.right, scope);
        } else {
          this.expr(e.left, scope);
          this.expr(e.right, scope);
        }
        return;
      case "not":
        return this.isolated(e.operand, scope);
      case "neg":
        return this.expr(e.operand, scope);
      case "paren":
        return this.expr(e.expr, scope);
      case "array":
      case "set":
        for (const item of e.items) this.expr(item, scope);
        return;
      case "object":
        for (const en of e.entries) {
          this.expr(en.key, scope);
          this.expr(en.value, scope);
        }
        return;
      case "arrayCompr":
      case "setCompr": {
        const inner = new Scope(scope);
        this.body(e.body, inner);
        return this.expr(e.term, inner);
      }
      case "objectCompr": {
        const inner = new Scope(scope);
        this.body(e.body, inner);
        this.expr(e.key, inner);
        return this.expr(e.value, inner);
      }
    }
  }

  /** Operands of `not`, `and`, `or`: iteration inside them does not bind outside. */
  private isolated(e: A.Expr, scope: Scope): void {
    const before = scope.snapshot();
    this.expr(e, scope);
    for (const [local, bound] of before) local.bound = bound;
  }

  private ref(r: A.Ref, scope: Scope): void {
    if (r.head.kind === "var") this.varUse(r.head, scope, false);
    else this.expr(r.head, scope);
    for (const p of r.path) {
      if (p.kind !== "index") continue;
      if (p.index.kind === "var") this.varUse(p.index, scope, true);
      else this.expr(p.index, scope);
    }
    const path = this.staticDataPath(r);
    if (path) this.use(path, r.loc);
  }

  /** `data.a.b[x]` → ["a", "b"]: the part of a data reference known before evaluation. */
  private staticDataPath(r: A.Ref): string[] | null {
    if (r.head.kind !== "var") return null;
    const res = this.out.vars.get(r.head);
    if (res?.kind !== "data") return null;
    const path = [...res.path];
    for (const p of r.path) {
      if (p.kind === "field") path.push(p.name);
      else if (p.index.kind === "scalar" && typeof p.index.value === "string") path.push(p.index.value);
      else break;
    }
    return path;
  }

  private varUse(v: A.Var, scope: Scope, asIndex: boolean): void {
    if (v.name === "_") {
      if (asIndex) this.out.vars.set(v, { kind: "wildcard", slot: this.nextSlot++ });
      else this.report(codes.unsafeVar, v.loc, "`_` stands for 'any key' and can only be an index, as in `xs[_]`");
      return;
    }
    const local = scope.find(v.name);
    if (local) {
      if (local.bound) {
        this.out.vars.set(v, { kind: "local", slot: local.slot, binds: false });
      } else if (asIndex && scope.locals.get(v.name) === local) {
        local.bound = true;
        this.out.vars.set(v, { kind: "local", slot: local.slot, binds: true });
      } else {
        this.report(
          codes.unsafeVar,
          v.loc,
          `'${v.name}' is used before it has a value`,
          asIndex
            ? "a variable declared with `some` in an outer body cannot be bound inside a nested one"
            : `bind it first, e.g. with \`some ${v.name} in ...\`, \`xs[${v.name}]\` or \`${v.name} := ...\``,
        );
      }
      return;
    }
    if (v.name === "input") return void this.out.vars.set(v, { kind: "input", path: [] });
    if (v.name === "data") return void this.out.vars.set(v, { kind: "data", path: [] });
    const imp = this.imports.get(v.name);
    if (imp) return void this.out.vars.set(v, { kind: imp.root, path: imp.path });
    const group = this.groups.get(this.ruleKey(v.name));
    if (group) {
      if (group.form === "function") {
        this.report(
          codes.notAFunction,
          v.loc,
          `'${v.name}' is a function`,
          `call it with arguments: \`${v.name}(...)\``,
        );
        return;
      }
      this.out.vars.set(v, { kind: "data", path: group.path });
      return;
    }
    if (this.inHead) {
      this.report(
        codes.unsafeVar,
        v.loc,
        `'${v.name}' in the rule head is not bound by the body`,
        `bind it in the body, e.g. \`some ${v.name} in ...\` or \`${v.name} := ...\``,
      );
      return;
    }
    this.report(codes.unknownName, v.loc, `unknown name '${v.name}'`, this.nameHint(v.name, scope));
  }

  private nameHint(name: string, scope: Scope): string {
    const candidates: string[] = ["input", "data", ...this.imports.keys()];
    for (let s: Scope | null = scope; s; s = s.parent) candidates.push(...s.locals.keys());
    const prefix = this.module.package.path.join(".") + ".";
    for (const key of this.groups.keys()) if (key.startsWith(prefix)) candidates.push(key.slice(prefix.length));
    const near = closest(name, candidates);
    return near
      ? `did you mean '${near}'?`
      : `declare it with \`some ${name}\`, bind it with \`${name} := ...\`, or import it (\`import data.${name}\`)`;
  }

  private ruleKey(name: string): string {
    return [...this.module.package.path, name].join(".");
  }

  // ---- calls ----

  private call(c: A.Call, scope: Scope): void {
    for (const a of c.args) this.expr(a, scope);
    const res = this.resolveFunction(c.name);
    if (!res) {
      const near = closest(c.name, [...this.builtins.keys(), ...this.localFunctionNames()]);
      this.report(
        codes.unknownFunction,
        c.nameLoc,
        `unknown function '${c.name}'`,
        near ? `did you mean '${near}'?` : "see docs/builtins.md for the builtins",
      );
      return;
    }
    this.out.calls.set(c, res);
    const arity = res.kind === "builtin" ? this.builtins.get(res.name)! : this.groups.get(res.key)!.arity;
    if (c.args.length !== arity) {
      this.report(
        codes.arity,
        c.loc,
        `'${c.name}' takes ${arity} argument${arity === 1 ? "" : "s"} but got ${c.args.length}`,
      );
    }
    if (res.kind === "function") this.use(this.groups.get(res.key)!.path, c.loc);
  }

  private resolveFunction(name: string): CallRes | null {
    const parts = name.split(".");
    const head = parts[0]!;
    // A function of this package, then one reached through `data.` or a data import.
    const candidates: string[][] = [];
    if (parts.length === 1) candidates.push([...this.module.package.path, head]);
    if (head === "data") candidates.push(parts.slice(1));
    const imp = this.imports.get(head);
    if (imp?.root === "data") candidates.push([...imp.path, ...parts.slice(1)]);
    for (const path of candidates) {
      const group = this.groups.get(path.join("."));
      if (group?.form === "function") return { kind: "function", key: group.key };
    }
    if (this.builtins.has(name)) return { kind: "builtin", name };
    return null;
  }

  private localFunctionNames(): string[] {
    const prefix = this.module.package.path.join(".") + ".";
    return [...this.groups.values()]
      .filter((g) => g.form === "function" && g.key.startsWith(prefix))
      .map((g) => g.key.slice(prefix.length));
  }

  // ---- with ----

  private withClause(w: A.With, scope: Scope): void {
    const name = dottedName(w.target);
    const fn = name ? this.resolveFunction(name) : null;
    if (fn) {
      // `with f as g` may replace a function by another function, or by a constant result.
      const valueName = dottedName(w.value);
      const replacement = valueName && !scope.find(valueName) ? this.resolveFunction(valueName) : null;
      if (!replacement) this.expr(w.value, scope);
      const arity = (r: CallRes) => (r.kind === "builtin" ? this.builtins.get(r.name)! : this.groups.get(r.key)!.arity);
      if (replacement && arity(replacement) !== arity(fn)) {
        this.report(
          codes.arity,
          w.value.loc,
          `'${valueName}' takes ${arity(replacement)} arguments but '${name}' takes ${arity(fn)}`,
          "a replacement function must take the same arguments",
        );
      }
      this.out.withs.set(w, { ...fn, replacement });
      return;
    }
    this.expr(w.value, scope);
    const root =
      w.target.kind === "var"
        ? w.target
        : w.target.kind === "ref" && w.target.head.kind === "var"
          ? w.target.head
          : null;
    const fields = w.target.kind === "ref" ? w.target.path : [];
    if (root && fields.every((p) => p.kind === "field")) {
      const base = root.name === "input" ? ["input"] : root.name === "data" ? ["data"] : null;
      const imp = this.imports.get(root.name);
      const names = fields.map((p) => (p as A.FieldPart).name);
      if (base) {
        this.out.withs.set(w, { kind: base[0] as "input" | "data", path: names });
        return;
      }
      if (imp) {
        this.out.withs.set(w, { kind: imp.root, path: [...imp.path, ...names] });
        return;
      }
    }
    this.report(
      codes.badWithTarget,
      w.target.loc,
      "`with` can replace `input...`, `data...` or a function",
      'e.g. `with input.user as "bob"` or `with time.now_ns as 0`',
    );
  }

  /** A variable standing alone (not the head of a reference) that names data uses all of it. */
  private useOfVar(v: A.Var): void {
    const res = this.out.vars.get(v);
    if (res?.kind === "data") this.use(res.path, v.loc);
  }

  private use(path: readonly string[], loc: A.Loc): void {
    this.out.uses.push({ from: this.current, path, loc });
  }

  private report(code: (typeof codes)[keyof typeof codes], loc: A.Loc, message: string, hint?: string): void {
    this.diagnostics.push(error(code, loc, message, hint));
  }
}
