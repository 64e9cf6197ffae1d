// Snapshot tests of the messages users see for bad policies: the text is part of the product.
import { describe, expect, it } from "vitest";
import { compile, formatDiagnostic } from "../src/index.js";

/** Compiles one file and renders its diagnostics exactly as `verdict check` prints them. */
function report(source: string, schemas?: { input?: unknown }): string {
  const { diagnostics } = compile([{ file: "policy.verdict", source }], schemas ? { schemas } : {});
  return diagnostics.map((d) => formatDiagnostic(d, source)).join("\n");
}

const cases: Record<string, string> = {
  "missing package": `allow if { true }\n`,
  "rego v0 body without if": `package p\n\nallow { input.x }\n`,
  "single = instead of :=": `package p\n\nx = 1\n`,
  "unterminated string": `package p\n\nx := "abc\n`,
  "two literals on one line": `package p\n\nallow if { input.a input.b }\n`,
  "unknown name with suggestion": `package p\n\nallow if { inptu.user == "bob" }\n`,
  "unknown name without suggestion": `package p\n\nallow if { user.admin }\n`,
  "unsafe variable": `package p\n\nallow if {\n    some x\n    x > 1\n}\n`,
  "head variable not bound": `package p\n\nnames contains n if { input.ok }\n`,
  "assigned twice": `package p\n\nallow if {\n    x := 1\n    x := 2\n}\n`,
  "shadowed import": `package p\n\nimport data.users\n\nallow if {\n    users := input.users\n    count(users) > 0\n}\n`,
  "unknown function": `package p\n\nallow if { startwith(input.path, "/a") }\n`,
  "wrong arity": `package p\n\nallow if { count(input.a, input.b) }\n`,
  "function used as value": `package p\n\nf(x) := x\n\nallow if { f }\n`,
  "direct recursion": `package p\n\nallow if { allow }\n`,
  "indirect recursion": `package p\n\na if { b }\n\nb if { c }\n\nc if { a }\n`,
  "rule and function with one name": `package p\n\nf := 1\n\nf(x) := x\n`,
  "two defaults": `package p\n\ndefault allow := false\n\ndefault allow := true\n\nallow if { input.ok }\n`,
  "non-constant default": `package p\n\ndefault allow := input.ok\n`,
  "every error in a file is reported": `package p\n\na if { nope1 }\n\nb if { nope2 }\n\nc if { count() }\n`,
  "syntax errors are recovered per statement": `package p\n\na if { input.x == }\n\nb if { nope }\n\nc := [1, 2\n\nd := 1\n`,
};

describe("checker messages", () => {
  for (const [name, source] of Object.entries(cases)) {
    it(name, () => {
      const text = report(source);
      expect(text, "a bad policy must produce at least one message").not.toBe("");
      expect(text).toMatchSnapshot();
    });
  }

  it("a schema flags fields the input cannot have and impossible comparisons", () => {
    const schema = {
      type: "object",
      additionalProperties: false,
      properties: {
        request: {
          type: "object",
          additionalProperties: false,
          properties: { method: { type: "string" }, path: { type: "string" }, size: { type: "integer" } },
        },
      },
    };
    const source = `package p\n\nimport input.request as req\n\nallow if {\n    req.methd == "GET"\n    req.size == "big"\n    req.path.x == 1\n}\n`;
    expect(report(source, { input: schema })).toMatchSnapshot();
  });

  it("a declared package schema is used without --schema", () => {
    const source = `package p\n\nschema input := {"type": "object", "additionalProperties": false, "properties": {"user": {"type": "string"}}}\n\nallow if { input.usr == "bob" }\n`;
    expect(report(source)).toMatchSnapshot();
  });

  it("warns about base data hidden by a rule, and still compiles", () => {
    const source = `package p\n\nallow if input.x == 1\n`;
    const r = compile([{ file: "policy.verdict", source }], { data: { p: { allow: "from-data", other: 1 } } });
    expect(r.policy).not.toBeNull();
    expect(r.diagnostics.map((d) => formatDiagnostic(d, source)).join("\n")).toMatchSnapshot();
  });

  it("a data schema does not apply to rules and packages", () => {
    const schema = { type: "object", additionalProperties: false, properties: { users: { type: "object" } } };
    const source = `package p\n\nlimit := 3\n\ny if data.p.limit == 3\n\nz if data.users.alice\n\nw if data.groups\n`;
    const { diagnostics } = compile([{ file: "policy.verdict", source }], { schemas: { data: schema } });
    expect(diagnostics.map((d) => `${d.code} ${d.message}`)).toEqual(["V402 data has no field 'groups' in its schema"]);
  });

  it("a valid policy has no messages", () => {
    expect(report(`package p\n\nallow if { input.user == "bob" }\n`)).toBe("");
  });
});
