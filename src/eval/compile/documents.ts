// Static paths into `input` and `data`, resolved at compile time. A data path names a rule
// (evaluated lazily and memoized), a package (an object of its rules' values merged over base
// data), or plain base data.
import type { RuleGroup } from "../../lang/program.js";
import type { Ctx, V } from "../context.js";
import { field } from "../ops.js";
import { isObject, newObject, type Value } from "../value.js";
import { fromScalar, type Compiled } from "./compiled.js";

/** A package subtree: its rules and sub-packages by name. */
interface Tree {
  readonly rules: Map<string, number>;
  readonly children: Map<string, Tree>;
}

export type MockTarget =
  | { readonly kind: "rule"; readonly index: number }
  | { readonly kind: "base" }
  | { readonly kind: "invalid"; readonly reason: string };

const PATH_CACHE_LIMIT = 10_000;

export class Documents {
  private readonly root: Tree = { rules: new Map(), children: new Map() };
  private readonly cache = new Map<string, Compiled>();

  constructor(
    private readonly groups: readonly RuleGroup[],
    /** Evaluates rule group `i` (memoized) in a context. */
    private readonly evalGroup: (i: number, ctx: Ctx) => V,
  ) {
    groups.forEach((g, i) => {
      if (g.form === "function") return;
      let t = this.root;
      for (const seg of g.path.slice(0, -1)) {
        let next = t.children.get(seg);
        if (!next) t.children.set(seg, (next = { rules: new Map(), children: new Map() }));
        t = next;
      }
      t.rules.set(g.path[g.path.length - 1]!, i);
    });
  }

  input(path: readonly string[]): Compiled {
    if (path.length === 0) return fromScalar((f) => f.ctx.input);
    return fromScalar(walker((f) => f.ctx.input, path));
  }

  data(path: readonly string[]): Compiled {
    const key = path.join("\u0000");
    let c = this.cache.get(key);
    if (!c) {
      // Decision paths come from callers, so the cache is bounded against floods of distinct paths.
      if (this.cache.size >= PATH_CACHE_LIMIT) this.cache.clear();
      this.cache.set(key, (c = fromScalar(this.compileData(path))));
    }
    return c;
  }

  /** Evaluates `data.<path>` outside any rule (the decision API). */
  read(path: readonly string[], ctx: Ctx): V {
    return this.data(path).scalar!({ ctx, s: [] });
  }

  /** True when `data.<path>` is a package (or the root): its children are rules, packages or base data. */
  isPackage(path: readonly string[]): boolean {
    let t: Tree | undefined = this.root;
    for (const seg of path) if (!(t = t.children.get(seg))) return false;
    return true;
  }

  /** What `with data.<path> as v` replaces. */
  mockTarget(path: readonly string[]): MockTarget {
    let t: Tree | undefined = this.root;
    for (let i = 0; i < path.length && t; i++) {
      const rule = t.rules.get(path[i]!);
      if (rule !== undefined) {
        return i === path.length - 1
          ? { kind: "rule", index: rule }
          : { kind: "invalid", reason: `cannot replace part of rule '${path.slice(0, i + 1).join(".")}'` };
      }
      t = t.children.get(path[i]!);
    }
    return t
      ? { kind: "invalid", reason: `cannot replace package '${path.join(".")}' as a whole; replace its rules` }
      : { kind: "base" };
  }

  private compileData(path: readonly string[]): Reader {
    let t: Tree = this.root;
    for (let i = 0; i < path.length; i++) {
      const seg = path[i]!;
      const rule = t.rules.get(seg);
      if (rule !== undefined) {
        const evalGroup = this.evalGroup;
        const rest = path.slice(i + 1);
        const ruleValue: Reader = (f) => evalGroup(rule, f.ctx);
        return rest.length === 0 ? ruleValue : walker(ruleValue, rest);
      }
      const child = t.children.get(seg);
      if (!child) return walker((f) => f.ctx.data, path);
      t = child;
    }
    return this.virtual(t, path);
  }

  /** A package as an object: base data at its path, overlaid with its rules' values. */
  private virtual(t: Tree, path: readonly string[]): Reader {
    const base = walker((f) => f.ctx.data, path);
    const rules = [...t.rules];
    const children = [...t.children.keys()].map(
      (name) => [name, this.virtual(t.children.get(name)!, [...path, name])] as const,
    );
    const evalGroup = this.evalGroup;
    return (f) => {
      const out = newObject();
      const b = base(f);
      if (isObject(b)) for (const k of Object.keys(b)) out[k] = b[k]!;
      for (const [name, build] of children) out[name] = build(f) as Value;
      for (const [name, i] of rules) {
        // A rule hides base data of the same name, also when it is undefined (as `data.pkg.rule` does).
        const v = evalGroup(i, f.ctx);
        if (v === undefined) delete out[name];
        else out[name] = v;
      }
      return out;
    };
  }
}

/** Reads a document in a context; a Frame is also accepted, so readers serve as Scalars. */
type Reader = (f: { ctx: Ctx }) => V;

/** Reads a fixed path of fields below what `from` returns. */
function walker(from: Reader, path: readonly string[]): Reader {
  switch (path.length) {
    case 0:
      return from;
    case 1: {
      const [a] = path as [string];
      return (f) => field(from(f), a);
    }
    case 2: {
      const [a, b] = path as [string, string];
      return (f) => field(field(from(f), a), b);
    }
    default:
      return (f) => {
        let v = from(f);
        for (let i = 0; i < path.length && v !== undefined; i++) v = field(v, path[i]!);
        return v;
      };
  }
}
