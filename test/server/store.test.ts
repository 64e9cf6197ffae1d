// The policy store on its own: every change builds a complete new policy and swaps it in
// only on success; bundles own their roots; a request holding the old policy is unaffected.
import { describe, expect, it } from "vitest";
import type { Bundle } from "../../src/server/contracts.js";
import { PolicyStore, type StoreEvent } from "../../src/server/store.js";
import { openStore, requests } from "./helpers.js";

const bundle = (over: Partial<Bundle> = {}): Bundle => ({
  name: "b1",
  revision: "1",
  roots: ["teams"],
  policies: [{ path: "teams/p.verdict", source: "package teams\n\ncount_all := count(data.teams.members)\n" }],
  data: { teams: { members: ["x", "y"] } },
  ...over,
});

describe("PolicyStore", () => {
  it("refuses to open with policies that do not compile, reporting every diagnostic", () => {
    const opened = PolicyStore.open({
      sources: [
        { file: "a.verdict", source: "package a\n\nx := y\n" },
        { file: "b.verdict", source: "package b\n\nz := w\n" },
      ],
    });
    expect(opened.ok).toBe(false);
    if (!opened.ok) expect(opened.diagnostics.map((d) => d.loc.file)).toEqual(["a.verdict", "b.verdict"]);
    expect(PolicyStore.open({ data: [1] }).ok).toBe(false);
  });

  it("opens with nothing at all", () => {
    const opened = PolicyStore.open();
    expect(opened.ok && opened.store.policy.evaluate([]).result).toEqual({});
  });

  it("swaps atomically: a request holding the old policy keeps its answers", () => {
    const store = openStore();
    const held = store.policy;
    const revision = store.revision;
    expect(store.putData(["users", "bob", "roles"], ["admin"]).ok).toBe(true);
    expect(store.revision).toBe(revision + 1);
    expect(held.evaluate("http.authz.allow", requests.devPost.input).result).toBe(false);
    expect(store.policy.evaluate("http.authz.allow", requests.devPost.input).result).toBe(true);
  });

  it("keeps the previous policy when a change does not compile", () => {
    const store = openStore();
    const before = store.policy;
    const change = store.putPolicy("x.verdict", "package x\n\nallow if {");
    expect(change).toMatchObject({ ok: false, kind: "compile" });
    expect(store.policy).toBe(before);
    expect(store.getPolicy("x.verdict")).toBeUndefined();
  });

  it("refuses data the engine cannot hold (too deep) without changing anything", () => {
    const store = openStore();
    let deep: unknown = 1;
    for (let i = 0; i < 1100; i++) deep = [deep];
    const before = store.policy;
    expect(store.putData(["deep"], deep)).toMatchObject({ ok: false, kind: "invalid" });
    expect(store.policy).toBe(before);
    expect(store.getData(["deep"])).toBeUndefined();
  });

  it("does not share mutable state with the caller's documents", () => {
    const store = openStore();
    const doc = { roles: ["admin"] };
    store.putData(["users", "zed"], doc);
    doc.roles.push("mutated");
    expect(store.getData(["users", "zed", "roles"])).toEqual(["admin"]);
  });

  it("activates a bundle: its data replaces base data under its roots", () => {
    const store = openStore({ data: { users: {}, teams: { stale: true } } });
    expect(store.activateBundle(bundle())).toEqual({ ok: true, revision: "1" });
    expect(store.policy.evaluate("teams").result).toEqual({ count_all: 2, members: ["x", "y"] });
    expect(store.bundleRevisions()).toEqual({ b1: { revision: "1" } });
    expect(store.ownerOf(["teams", "a"])).toBe("b1");
    expect(store.ownerOf([])).toBe("b1");
    expect(store.ownerOf(["users"])).toBeUndefined();
  });

  it("replaces a bundle's previous revision completely", () => {
    const store = openStore();
    store.activateBundle(bundle());
    store.activateBundle(bundle({ revision: "2", policies: [], data: { teams: { members: [] } } }));
    expect(store.policy.evaluate("teams").result).toEqual({ members: [] });
    expect(store.listPolicies().map((p) => p.id)).toEqual(["http/example.verdict"]);
  });

  it("refuses a bundle whose roots overlap another bundle's", () => {
    const store = openStore();
    store.activateBundle(bundle());
    const events: StoreEvent[] = [];
    store.onEvent((e) => events.push(e));
    const result = store.activateBundle(bundle({ name: "b2", roots: ["teams/sub"] }));
    expect(result.ok).toBe(false);
    expect(events).toEqual([{ type: "bundle_failed", name: "b2", message: expect.stringMatching(/overlaps/) }]);
    expect(store.bundleStatus().b2?.last_error?.message).toMatch(/overlaps/);
  });

  it("refuses a bundle that conflicts with the other policies, returning its diagnostics", () => {
    const store = openStore();
    const clash = bundle({
      roots: ["http"],
      policies: [{ path: "x.verdict", source: "package http.authz\n\ndefault allow := true\n" }],
      data: {},
    });
    const result = store.activateBundle(clash);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.length).toBeGreaterThan(0);
    expect(store.policy.evaluate("http.authz.allow", {}).result).toBe(false);
  });

  it("refuses bundle data that is not an object at its folder", () => {
    const store = openStore();
    const result = store.activateBundle(bundle({ data: { teams: [1, 2] } }));
    expect(result.ok).toBe(false);
  });

  it("tracks failures, pending bundles and events", () => {
    const store = openStore({ expectedBundles: ["b1", "later"] });
    const events: StoreEvent[] = [];
    store.onEvent((e) => events.push(e));
    store.bundleFailed("b1", "HTTP 500");
    expect(store.pendingBundles()).toEqual(["b1", "later"]);
    store.activateBundle(bundle());
    expect(store.pendingBundles()).toEqual(["later"]);
    expect(store.bundleStatus()).toEqual({
      b1: { revision: "1", activated_at: expect.any(String) },
      later: {},
    });
    expect(events.map((e) => e.type)).toEqual(["bundle_failed", "swapped", "bundle_activated"]);
  });
});
