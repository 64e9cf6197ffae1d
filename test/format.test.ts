// Golden tests for the formatter: input -> expected canonical text. Every case also checks that
// the output parses without diagnostics and that formatting it again changes nothing.
import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import type * as A from "../src/lang/ast.js";
import { format, formatExpr } from "../src/lang/format.js";
import { parseModule } from "../src/lang/parse.js";
import { stripLocs } from "./arbitraries.js";

function parse(source: string): A.Module {
  const r = parseModule(source, "test.verdict");
  expect(r.diagnostics).toEqual([]);
  if (r.module === null) throw new Error("no module");
  return r.module;
}

/** Formats `source`, checking the output parses to the same AST and is a fixed point. */
function fmt(source: string): string {
  const module = parse(source);
  const out = format(module, source);
  const again = parse(out);
  expect(stripLocs({ ...again, comments: [] })).toEqual(stripLocs({ ...module, comments: [] }));
  expect(again.comments.map((c) => c.text.trimEnd())).toEqual(module.comments.map((c) => c.text.trimEnd()));
  expect(format(again, out)).toBe(out);
  return out;
}

function firstValue(source: string): A.Expr {
  const s = parse(source).statements[0];
  if (s?.kind !== "rule" || s.value === null) throw new Error("expected a rule with a value");
  return s.value;
}

describe("layout", () => {
  it("puts the package, imports and statements in blocks", () => {
    expect(
      fmt(`package   http.authz
import data.users
import   input.request   as req
default allow := false
`),
    ).toBe(`package http.authz

import data.users
import input.request as req

default allow := false
`);
  });

  it("separates statements by one blank line, keeping adjacent definitions of one name together", () => {
    expect(
      fmt(`package p
default allow := false
allow if x
allow if y


deny if z
allow if w
f(x) := 1 if x
f(x) := 2

f(x) := 3
`),
    ).toBe(`package p

default allow := false
allow if x
allow if y

deny if z

allow if w

f(x) := 1 if x
f(x) := 2

f(x) := 3
`);
  });

  it("ends with exactly one newline", () => {
    expect(fmt("package a")).toBe("package a\n");
    expect(fmt("package a\n\n\n\n")).toBe("package a\n");
    expect(fmt("\n\npackage a\nx := 1\n\n")).toBe("package a\n\nx := 1\n");
  });

  it("reads CRLF sources and writes LF", () => {
    expect(fmt("package a\r\n\r\n\r\np := 1 # x\r\nq if {\r\n  a\r\n\r\n\r\n  b\r\n}\r\n")).toBe(
      "package a\n\np := 1 # x\n\nq if {\n    a\n\n    b\n}\n",
    );
  });

  it("keeps at most one blank line between literals, none after `{` or before `}`", () => {
    expect(
      fmt(`package p

allow if {

  a


  b

}
`),
    ).toBe(`package p

allow if {
    a

    b
}
`);
  });
});

describe("statements", () => {
  it("prints every rule head form", () => {
    expect(
      fmt(`package p

a := 1
b if x
c := 2 if x
d contains "x"
e contains v if v := 1
g[k] := v if { some k, v in input.m }
h(a, b) := a+b
i() := true
j(x) if x>1
`),
    ).toBe(`package p

a := 1

b if x

c := 2 if x

d contains "x"

e contains v if v := 1

g[k] := v if {
    some k, v in input.m
}

h(a, b) := a + b

i() := true

j(x) if x > 1
`);
  });

  it("chains else on the closing-brace line", () => {
    expect(
      fmt(`package p

r := "a" if { x } else := "b" if { y } else := "c"
s := 1 if x else := 2 if y else := 3
t if { x } else if { y }
u(x) := 1 if x == 1 else := 2
`),
    ).toBe(`package p

r := "a" if {
    x
} else := "b" if {
    y
} else := "c"

s := 1 if x else := 2 if y else := 3

t if {
    x
} else if {
    y
}

u(x) := 1 if x == 1 else := 2
`);
  });

  it("keeps `with` clauses that start their own line on continuation lines", () => {
    expect(
      fmt(`package p

test "t" {
    allow with input as {"a": 1}
  with data.users as {}   # users
    allow with input as 1 with data.x as 2
}

a if b
with input as 1
`),
    ).toBe(`package p

test "t" {
    allow with input as {"a": 1}
        with data.users as {} # users
    allow with input as 1 with data.x as 2
}

a if b
    with input as 1
`);
  });

  it("destructures arrays", () => {
    expect(fmt(`package p\n\nr if {\n    [a,_ , b]:=input.xs\n    a == b\n}\n`)).toBe(
      `package p\n\nr if {\n    [a, _, b] := input.xs\n    a == b\n}\n`,
    );
  });

  it("prints tests and schemas", () => {
    expect(
      fmt(`package p

test "allow admin" { allow with input as {"user": "admin"} }
test "empty" {}
test "\\u0041 spelled" { true }
schema input := {"type": "object",
  "required": ["user"]}
`),
    ).toBe(`package p

test "allow admin" {
    allow with input as {"user": "admin"}
}

test "empty" {}

test "\\u0041 spelled" {
    true
}

schema input := {
    "type": "object",
    "required": ["user"],
}
`);
  });
});

describe("literals", () => {
  it("prints some, every, assignments and with clauses", () => {
    expect(
      fmt(`package p

allow if {
  some x
  some a, b
  some v in input.list
  some k, v in input.obj
  every k, v in input.obj { v > 0; k != "" }
  every v in [1,2] {
  }
  y := f(x) with input.user as "bob" with data.roles as {}
  not input.denied
}
`),
    ).toBe(`package p

allow if {
    some x
    some a, b
    some v in input.list
    some k, v in input.obj
    every k, v in input.obj {
        v > 0
        k != ""
    }
    every v in [1, 2] {}
    y := f(x) with input.user as "bob" with data.roles as {}
    not input.denied
}
`);
  });

  it("splits `;`-separated literals onto their own lines", () => {
    expect(fmt("package p\n\nallow if { a; b;; c }\n")).toBe("package p\n\nallow if {\n    a\n    b\n    c\n}\n");
  });
});

describe("expressions", () => {
  it("spaces operators, keeps parentheses and the source spelling of scalars", () => {
    expect(
      fmt(`package p

a := 1+2*3
b := (1+2)*3
c := -x - -1
d := not (a == b)
e := 1.50 + 1e3 + 0.1E-2
f := "\\u0041\\/" + \`raw "x"\`
g := input.request.headers["X-Id"][0].in
h := glob.match("a", ["."], p)
i := [ 1,2 ,3 ]
j := {"a":1,"b":[]}
k := {1,2}
l := set()
m := {}
n := x in {1} and y or z
o := ((a))
t := a.b.c(1)[2].d
__proto__ := {"constructor": 1, "__proto__": []}
`),
    ).toBe(`package p

a := 1 + 2 * 3

b := (1 + 2) * 3

c := -x - -1

d := not (a == b)

e := 1.50 + 1e3 + 0.1E-2

f := "\\u0041\\/" + \`raw "x"\`

g := input.request.headers["X-Id"][0].in

h := glob.match("a", ["."], p)

i := [1, 2, 3]

j := {"a": 1, "b": []}

k := {1, 2}

l := set()

m := {}

n := x in {1} and y or z

o := ((a))

t := a.b.c(1)[2].d

__proto__ := {"constructor": 1, "__proto__": []}
`);
  });

  it("prints a collection that spanned lines one item per line with a trailing comma", () => {
    expect(
      fmt(`package p

roles := ["admin",
  "editor"]
obj := {
  "a": 1, "b": {"c": 2}
}
s := {1,
2}
nested := [[1, 2], [3,
4]]
empty := [
]
`),
    ).toBe(`package p

roles := [
    "admin",
    "editor",
]

obj := {
    "a": 1,
    "b": {"c": 2},
}

s := {
    1,
    2,
}

nested := [
    [1, 2],
    [
        3,
        4,
    ],
]

empty := []
`);
  });

  it("prints comprehensions on one line with `; ` or one literal per line", () => {
    expect(
      fmt(`package p

o := [x | some x in y; x > 1]
q := {k: v | some k, v in obj}
s := {x | x := 1}
one := [x | every y in z { y > x; y < 10 }]
admins := {name |
  some name, u in users
  "admin" in u.roles
}
all := [x |
  every y in z { y > x }
]
`),
    ).toBe(`package p

o := [x | some x in y; x > 1]

q := {k: v | some k, v in obj}

s := {x | x := 1}

one := [x | every y in z { y > x; y < 10 }]

admins := {name |
    some name, u in users
    "admin" in u.roles
}

all := [x |
    every y in z {
        y > x
    }
]
`);
  });

  it("breaks a call whose first argument was on a new line; otherwise hugs", () => {
    expect(
      fmt(`package p

a := f(
  1, 2)
b := f(1, [
  2, 3,
])
c := f(1,
  2)
`),
    ).toBe(`package p

a := f(
    1,
    2
)

b := f(1, [
    2,
    3,
])

c := f(1, 2)
`);
  });

  it("keeps `-`, `[` and `(` on the line of their left operand after a multi-line operand", () => {
    expect(
      fmt(`package p

x := [1,
  2] - [2]
y := [1,
  2][0]
z := f(
  1)[0] - (2)
`),
    ).toBe(`package p

x := [
    1,
    2,
] - [2]

y := [
    1,
    2,
][0]

z := f(
    1
)[0] - (2)
`);
  });
});

describe("comments", () => {
  it("keeps header, trailing and import comments", () => {
    expect(
      fmt(`# License header

# About this package
package a.b   # pkg
# before import
import data.x
import input.y as z  # imp
`),
    ).toBe(`# License header

# About this package
package a.b # pkg

# before import
import data.x
import input.y as z # imp
`);
  });

  it("keeps comments before, after and at the end of body literals", () => {
    expect(
      fmt(`package p

allow if {   # opener
  # leading
  x := 1  # trailing


  # after blank
  y
  # end of body
}
# between
deny if z   # single
`),
    ).toBe(`package p

allow if { # opener
    # leading
    x := 1 # trailing

    # after blank
    y
    # end of body
}

# between
deny if z # single
`);
  });

  it("keeps comments in empty bodies and around else", () => {
    expect(
      fmt(`package p

f(x) := 1 if { x } else := 0 if {
    # only comment
}
# before else
else := -1
`),
    ).toBe(`package p

f(x) := 1 if {
    x
} else := 0 if {
    # only comment
    # before else
} else := -1
`);
  });

  it("keeps comments inside collections, calls and comprehensions", () => {
    expect(
      fmt(`package p

roles := [
  "admin",   # can do anything
  # editors edit
  "editor",
  # more later
]
c := g(
   1,  # one
   2
)
t := [x |
   some x in data.y  # iter
   # filter
   x > 1
]
none := [
    # nothing yet
]
`),
    ).toBe(`package p

roles := [
    "admin", # can do anything
    # editors edit
    "editor",
    # more later
]

c := g(
    1, # one
    2
)

t := [x |
    some x in data.y # iter
    # filter
    x > 1
]

none := [
    # nothing yet
]
`);
  });

  it("moves a comment from inside a joined line above it", () => {
    expect(
      fmt(`package p

total := a +   # left part
  b
allow if {
  x := (1 +  # why
     2)
}
`),
    ).toBe(`package p

# left part
total := a + b

allow if {
    # why
    x := (1 + 2)
}
`);
  });

  it("keeps comment text as written and comments at the end of the file", () => {
    expect(
      fmt(`package p

x := 1 #no space
#   wide
y := 2 # trailing spaces   
# trailing file comment

# last
`),
    ).toBe(`package p

x := 1 #no space

#   wide
y := 2 # trailing spaces
# trailing file comment

# last
`);
  });

  it("keeps `#` inside strings out of comment handling", () => {
    expect(fmt('package p\n\nx := "# no"   # yes\ny := `a\n# raw`\n')).toBe(
      'package p\n\nx := "# no" # yes\n\ny := `a\n# raw`\n',
    );
  });
});

describe("policies/http/example.verdict", () => {
  const source = readFileSync(new URL("../policies/http/example.verdict", import.meta.url), "utf8");

  it("formats to the canonical text", () => {
    expect(fmt(source)).toBe(`package http.authz # rules live at data.http.authz.*

import data.users # \`users\` now names data.users
import input.request as req

default allow := false

allow if { # several definitions of a rule = OR
    req.method == "GET"
    glob.match("/public/**", ["/"], req.path)
}

allow if {
    user := users[req.user] # := binds a local
    "admin" in user.roles
}

deny contains msg if { # partial set rule
    not req.tls
    msg := sprintf("TLS required for %s", [req.path])
}

roles_by_user[name] := u.roles if { # partial object rule
    some name, u in users
}

reason := "admin" if {
    "admin" in users[req.user].roles
} else := "other"

is_owner(user, doc) if doc.owner == user.id # function

everyone_verified if {
    every name, u in users {
        u.verified == true
    }
}

admins := {name | some name, u in users; "admin" in u.roles} # comprehension
`);
  });

  it("is idempotent and keeps every comment text", () => {
    const module = parse(source);
    const once = format(module, source);
    expect(format(parse(once), once)).toBe(once);
    expect(module.comments.length).toBeGreaterThan(0);
    for (const c of module.comments) expect(once).toContain("#" + c.text.trimEnd());
    expect(parse(once).comments).toHaveLength(module.comments.length);
  });
});

// ---- ASTs built in memory ----

const loc: A.Loc = { file: "", line: 1, col: 1, endLine: 1, endCol: 1, offset: 0, endOffset: 0 };
const v = (name: string): A.Expr => ({ kind: "var", loc, name });
const num = (value: number): A.Expr => ({ kind: "scalar", loc, value, raw: String(value) });
const bin = (op: A.BinaryOp, left: A.Expr, right: A.Expr): A.Expr => ({ kind: "binary", loc, op, left, right });
const field = (head: A.Expr, ...names: string[]): A.Expr => ({
  kind: "ref",
  loc,
  head,
  path: names.map((name) => ({ kind: "field", loc, name })),
});

describe("formatExpr", () => {
  it("prints a parsed expression on one line", () => {
    expect(formatExpr(firstValue('package p\n\nx := [\n  1,  # one\n  {"a": [2,\n 3]},\n]\n'))).toBe(
      '[1, {"a": [2, 3]}]',
    );
    expect(formatExpr(firstValue("package p\n\nx := [y |\n  every z in y {\n    z > 1\n  }\n]\n"))).toBe(
      "[y | every z in y { z > 1 }]",
    );
    expect(formatExpr(firstValue("package p\n\nx := f(\n  a,\n  -1\n)\n"))).toBe("f(a, -1)");
  });

  it("adds the parentheses a hand-built expression needs", () => {
    expect(formatExpr(bin("*", bin("+", v("a"), v("b")), v("c")))).toBe("(a + b) * c");
    expect(formatExpr(bin("-", v("a"), bin("-", v("b"), v("c"))))).toBe("a - (b - c)");
    expect(formatExpr(bin("-", bin("-", v("a"), v("b")), v("c")))).toBe("a - b - c");
    expect(formatExpr(bin("==", bin("<", v("a"), v("b")), v("c")))).toBe("(a < b) == c");
    expect(formatExpr(bin("and", v("a"), { kind: "not", loc, operand: bin("or", v("b"), v("c")) }))).toBe(
      "a and not (b or c)",
    );
    expect(formatExpr(bin("==", { kind: "not", loc, operand: v("a") }, v("b")))).toBe("(not a) == b");
    expect(formatExpr({ kind: "neg", loc, operand: num(1) })).toBe("-(1)");
    expect(formatExpr({ kind: "neg", loc, operand: num(-1) })).toBe("--1");
    expect(formatExpr(field(bin("+", v("a"), v("b")), "c"))).toBe("(a + b).c");
    expect(formatExpr(field(num(-1), "c"))).toBe("(-1).c");
    expect(formatExpr(field(field(v("a"), "b"), "c"))).toBe("a.b.c");
    expect(formatExpr(field(v("a"), "not an identifier"))).toBe('a["not an identifier"]');
    expect(formatExpr({ kind: "scalar", loc, value: 'say "hi"', raw: "" })).toBe('"say \\"hi\\""');
  });
});

describe("format of an in-memory module", () => {
  const module = parse("package p\n\nq if {\n    {1} == x\n}\n\nr := [\n  1,\n]\n");

  it("prints every collection on one line when there is no source", () => {
    expect(format(module, "")).toBe("package p\n\nq if {\n    {1} == x\n}\n\nr := [1]\n");
  });

  it("braces a single-literal body that would start with `{` after `if`", () => {
    const [q, r] = module.statements;
    if (q?.kind !== "rule" || q.body === null || r === undefined) throw new Error("unexpected parse");
    const unbraced: A.Module = { ...module, statements: [{ ...q, body: { ...q.body, braced: false } }, r] };
    expect(format(unbraced, "")).toBe("package p\n\nq if {\n    {1} == x\n}\n\nr := [1]\n");
  });

  it("refuses to drop comments when the source is missing", () => {
    const commented = parse("package p\n\n# c\nx := 1\n");
    expect(() => format(commented, "")).toThrow(/comments/);
  });
});
