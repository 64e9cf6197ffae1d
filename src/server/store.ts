// The policy store: every policy source (command-line files, the policies API, bundles) and
// the base data, compiled into one complete Policy. Each change builds a whole new Policy
// first and swaps it in only if that succeeded, so requests always see a consistent state and
// a bad change never replaces a good one. Data-only changes re-bind data without recompiling.
import { compile, parseModule, type Policy, type SourceFile } from "../index.js";
import type { Limits } from "../eval/context.js";
import type { Platform } from "../eval/builtins/types.js";
import type { Diagnostic } from "../lang/diagnostics.js";
import type { RuleGroup } from "../lang/program.js";
import { mergeAt, nodePlatform } from "../node.js";
import type { ActivationResult, Bundle, BundleSink } from "./contracts.js";
import { clone } from "./json-patch.js";
import { redactUrl } from "./redact.js";
import { deleteIn, getIn, overlaps, rootSegments, setIn } from "./tree.js";

export interface StoreOptions {
  /** Initial policies; each file name is its policy id. */
  readonly sources?: readonly SourceFile[];
  /** Initial base data (an object). */
  readonly data?: unknown;
  /** Default per-decision budget. */
  readonly limits?: Partial<Limits>;
  /** Bundles `/health?bundles` waits for. */
  readonly expectedBundles?: readonly string[];
  readonly platform?: Platform;
}

export interface PolicyEntry {
  readonly id: string;
  readonly source: string;
  /** The bundle that owns this policy, if any. */
  readonly bundle?: string;
}

export type Change =
  | { readonly ok: true }
  | {
      readonly ok: false;
      readonly kind: "compile" | "owned" | "not_found" | "invalid";
      readonly message: string;
      readonly diagnostics?: readonly Diagnostic[];
    };

export type StoreEvent =
  | { readonly type: "bundle_activated"; readonly name: string; readonly revision: string }
  | { readonly type: "bundle_failed"; readonly name: string; readonly message: string }
  | { readonly type: "swapped"; readonly revision: number };

export interface BundleStatus {
  readonly revision?: string;
  readonly activated_at?: string;
  readonly last_error?: { readonly message: string; readonly at: string };
}

type Tree = Record<string, unknown>;

interface Built {
  readonly policy?: Policy;
  readonly diagnostics: readonly Diagnostic[];
  readonly message?: string;
}

export class PolicyStore implements BundleSink {
  private current!: Policy;
  private readonly sources = new Map<string, PolicyEntry>();
  private bundles = new Map<string, { readonly bundle: Bundle; readonly at: string }>();
  private readonly failures = new Map<string, { message: string; at: string }>();
  private readonly listeners: ((e: StoreEvent) => void)[] = [];
  private readonly expected: ReadonlySet<string>;
  private base: Tree;
  private revisionsCache: Record<string, { revision: string }> = {};
  /** Increments on every successful change. */
  revision = 0;

  private constructor(private readonly options: StoreOptions) {
    this.expected = new Set(options.expectedBundles ?? []);
    this.base = Object.create(null) as Tree;
  }

  /** Compiles the initial sources and data; fails with every diagnostic if they do not compile. */
  static open(
    options: StoreOptions = {},
  ): { ok: true; store: PolicyStore } | { ok: false; message: string; diagnostics: readonly Diagnostic[] } {
    const store = new PolicyStore(options);
    const data = options.data ?? {};
    if (typeof data !== "object" || data === null || Array.isArray(data))
      return { ok: false, message: "base data must be a JSON object", diagnostics: [] };
    store.base = clone(data) as Tree;
    for (const s of options.sources ?? []) store.sources.set(s.file, { id: s.file, source: s.source });
    const built = store.build(store.sources, store.bundles, store.base);
    if (!built.policy)
      return { ok: false, message: built.message ?? "policies do not compile", diagnostics: built.diagnostics };
    store.current = built.policy;
    return { ok: true, store };
  }

  /** The policy every request should use; read it once per request. */
  get policy(): Policy {
    return this.current;
  }

  onEvent(listener: (e: StoreEvent) => void): void {
    this.listeners.push(listener);
  }

  // ---- policies ----

  listPolicies(): PolicyEntry[] {
    return [...this.allSources().values()].sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  }

  getPolicy(id: string): PolicyEntry | undefined {
    return this.allSources().get(id);
  }

  putPolicy(id: string, source: string): Change {
    const owner = this.allSources().get(id)?.bundle;
    if (owner !== undefined) return owned(`policy id '${id}' is owned by bundle '${owner}'`);
    const next = new Map(this.sources).set(id, { id, source });
    const pkg = parseModule(source, id).module?.package.path;
    const bundle = pkg && this.ownerOf(pkg);
    if (pkg && bundle) return owned(`package ${pkg.join(".")} is owned by bundle '${bundle}'`);
    return this.commit(next, this.bundles, this.base);
  }

  deletePolicy(id: string): Change {
    const entry = this.allSources().get(id);
    if (!entry) return { ok: false, kind: "not_found", message: `policy id '${id}' not found` };
    if (entry.bundle !== undefined) return owned(`policy id '${id}' is owned by bundle '${entry.bundle}'`);
    const next = new Map(this.sources);
    next.delete(id);
    return this.commit(next, this.bundles, this.base);
  }

  // ---- base data ----

  /** The base document at `path` (not rules, not bundle data); undefined when absent. */
  getData(path: readonly string[]): unknown {
    return getIn(this.base, path);
  }

  /** The bundle owning a data path (either way round: above or below one of its roots). */
  ownerOf(path: readonly string[]): string | undefined {
    for (const [name, { bundle }] of this.bundles)
      if (bundle.roots.some((r) => overlaps(rootSegments(r), path))) return name;
    return undefined;
  }

  putData(path: readonly string[], value: unknown): Change {
    const refused = this.checkWrite(path, value);
    if (refused) return refused;
    if (path.length === 0 && (typeof value !== "object" || value === null || Array.isArray(value)))
      return { ok: false, kind: "invalid", message: "the root data document must be an object" };
    return this.commitData(setIn(this.base, path, clone(value)));
  }

  deleteData(path: readonly string[]): Change {
    const refused = this.checkWrite(path);
    if (refused) return refused;
    if (getIn(this.base, path) === undefined)
      return { ok: false, kind: "not_found", message: `document at data/${path.join("/")} not found` };
    return this.commitData(path.length === 0 ? (Object.create(null) as Tree) : deleteIn(this.base, path));
  }

  // ---- bundles (BundleSink) ----

  activateBundle(bundle: Bundle): ActivationResult {
    for (const [name, other] of this.bundles) {
      if (name === bundle.name) continue;
      for (const r of bundle.roots)
        for (const o of other.bundle.roots)
          if (overlaps(rootSegments(r), rootSegments(o)))
            return this.activationFailed(bundle.name, `root '${r}' overlaps root '${o}' of bundle '${name}'`);
    }
    const next = new Map(this.bundles).set(bundle.name, { bundle, at: new Date().toISOString() });
    const change = this.commit(this.sources, next, this.base);
    if (!change.ok) {
      const result = this.activationFailed(bundle.name, change.message);
      return change.diagnostics?.length ? { ok: false, errors: change.diagnostics } : result;
    }
    this.failures.delete(bundle.name);
    this.emit({ type: "bundle_activated", name: bundle.name, revision: bundle.revision });
    return { ok: true, revision: bundle.revision };
  }

  bundleFailed(name: string, message: string): void {
    // Shown on /health, which needs no token: never with credentials from a URL.
    const safe = redactUrl(message);
    this.failures.set(name, { message: safe, at: new Date().toISOString() });
    this.emit({ type: "bundle_failed", name, message: safe });
  }

  /** Revisions of the active bundles, as decision logs and provenance report them. */
  bundleRevisions(): Readonly<Record<string, { readonly revision: string }>> {
    return this.revisionsCache;
  }

  /** Every configured or active bundle, with its revision and last error. */
  bundleStatus(): Record<string, BundleStatus> {
    const out = Object.create(null) as Record<string, BundleStatus>;
    for (const name of new Set([...this.expected, ...this.bundles.keys(), ...this.failures.keys()])) {
      const active = this.bundles.get(name);
      const failure = this.failures.get(name);
      out[name] = {
        ...(active ? { revision: active.bundle.revision, activated_at: active.at } : {}),
        ...(failure ? { last_error: failure } : {}),
      };
    }
    return out;
  }

  /** Configured bundles that have not been activated yet. */
  pendingBundles(): string[] {
    return [...this.expected].filter((n) => !this.bundles.has(n));
  }

  // ---- internals ----

  private activationFailed(name: string, message: string): ActivationResult {
    this.bundleFailed(name, message);
    return { ok: false, errors: [{ message }] };
  }

  /**
   * Why a data write at `path` is refused, or null: paths a bundle owns, and paths at or below
   * a rule (the rule would hide the document, so the write could never take effect). With the
   * `value` to be written, also a value that reaches down to a rule below `path`
   * (`PUT data/t {"div": 5}` with a rule `t.div`), refused as writing at the rule's path is.
   */
  checkWrite(path: readonly string[], value?: unknown): Change | null {
    const bundle = this.ownerOf(path);
    if (bundle) return owned(`path data/${path.join("/")} is owned by bundle '${bundle}'`);
    for (const group of this.current.program.groups.values()) {
      if (!overlaps(group.path, path)) continue;
      if (group.path.length <= path.length) return hiddenByRule(group, path);
      if (value !== undefined && getIn(value, group.path.slice(path.length)) !== undefined)
        return hiddenByRule(group, group.path);
    }
    return null;
  }

  private allSources(): Map<string, PolicyEntry> {
    const all = new Map(this.sources);
    for (const [name, { bundle }] of this.bundles)
      for (const p of bundle.policies)
        all.set(`${name}/${p.path}`, { id: `${name}/${p.path}`, source: p.source, bundle: name });
    return all;
  }

  private build(sources: Map<string, PolicyEntry>, bundles: PolicyStore["bundles"], base: Tree): Built {
    const files: SourceFile[] = [...sources.values()].map((s) => ({ file: s.id, source: s.source }));
    for (const [name, { bundle }] of bundles)
      for (const p of bundle.policies) files.push({ file: `${name}/${p.path}`, source: p.source });
    try {
      const data = composeData(base, bundles);
      const result = compile(files, {
        data,
        limits: this.options.limits,
        platform: this.options.platform ?? nodePlatform,
      });
      if (result.policy) return { policy: result.policy, diagnostics: result.diagnostics };
      const errors = result.diagnostics.filter((d) => d.severity === "error");
      return { diagnostics: errors, message: `${errors.length} compile error(s)` };
    } catch (err) {
      // Bad data (too deep, not JSON, a non-object data file) is refused like a compile error.
      return { diagnostics: [], message: (err as Error).message };
    }
  }

  private commit(sources: Map<string, PolicyEntry>, bundles: PolicyStore["bundles"], base: Tree): Change {
    const built = this.build(sources, bundles, base);
    if (!built.policy)
      return { ok: false, kind: "compile", message: built.message ?? "compile failed", diagnostics: built.diagnostics };
    if (sources !== this.sources) {
      this.sources.clear();
      for (const [k, v] of sources) this.sources.set(k, v);
    }
    this.bundles = bundles;
    this.base = base;
    this.swap(built.policy);
    return { ok: true };
  }

  private commitData(base: Tree): Change {
    let next: Policy;
    try {
      next = this.current.withData(composeData(base, this.bundles));
    } catch (err) {
      return { ok: false, kind: "invalid", message: (err as Error).message };
    }
    this.base = base;
    this.swap(next);
    return { ok: true };
  }

  private swap(policy: Policy): void {
    this.current = policy;
    this.revision++;
    const revisions = Object.create(null) as Record<string, { revision: string }>;
    for (const [name, { bundle }] of this.bundles) revisions[name] = { revision: bundle.revision };
    this.revisionsCache = revisions;
    this.emit({ type: "swapped", revision: this.revision });
  }

  private emit(e: StoreEvent): void {
    for (const l of this.listeners) l(e);
  }
}

const owned = (message: string): Change => ({ ok: false, kind: "owned", message });

/** The refusal for a document at `at` that rule `group` would hide. */
function hiddenByRule(group: RuleGroup, at: readonly string[]): Change {
  const def = group.defs[0] ?? group.default;
  const where = def ? ` (${def.loc.file}:${def.loc.line})` : "";
  const message = `data.${group.path.join(".")} is defined by a rule${where}; a document at data/${at.join("/")} would be hidden by it`;
  return { ok: false, kind: "invalid", message };
}

/** Base data with every bundle's roots replaced by that bundle's documents. */
function composeData(base: Tree, bundles: PolicyStore["bundles"]): Tree {
  if (bundles.size === 0) return base;
  let out = clone(base) as Tree;
  for (const { bundle } of bundles.values())
    for (const r of bundle.roots)
      out = rootSegments(r).length === 0 ? (Object.create(null) as Tree) : deleteIn(out, rootSegments(r));
  for (const { bundle } of bundles.values())
    for (const folder of Object.keys(bundle.data)) mergeAt(out, rootSegments(folder), bundle.data[folder]);
  return out;
}
