import { readFileSync } from "node:fs";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { CACHE_LIMIT, cached } from "../src/eval/builtins/args.js";
import { globToRegex } from "../src/eval/builtins/glob.js";
import { builtins, defaultPlatform } from "../src/eval/builtins/index.js";
import { civilFromDays, daysFromCivil } from "../src/eval/builtins/time.js";
import type { BuiltinContext } from "../src/eval/builtins/types.js";
import { BuiltinError } from "../src/eval/errors.js";
import { getKey, isObject, objectFromEntries, SetValue, show } from "../src/eval/value.js";
import type { ObjectValue, Value } from "../src/eval/value.js";

const NOW_NS = 1_700_000_000_000_000_000;

function makeContext(): BuiltinContext {
  return { nowNs: NOW_NS, platform: defaultPlatform, cache: new Map() };
}

/** Calls a builtin by name with exactly its arity. */
function call(name: string, ...args: Value[]): Value | undefined {
  const b = builtins.get(name);
  if (b === undefined) throw new Error(`no builtin ${name}`);
  expect(args.length, `${name} arity`).toBe(b.arity);
  return b.impl(args, makeContext());
}

/** Asserts the result equals `expected` by canonical printing (sets, key order and types count). */
function check(name: string, args: Value[], expected: Value | undefined): void {
  expect(show(call(name, ...args)), `${name}(${args.map((a) => show(a)).join(", ")})`).toBe(show(expected));
}

/** Asserts a BuiltinError whose message matches. */
function fails(name: string, args: Value[], message: RegExp): void {
  let thrown: unknown;
  try {
    call(name, ...args);
  } catch (e) {
    thrown = e;
  }
  expect(thrown, `${name} should throw`).toBeInstanceOf(BuiltinError);
  expect((thrown as Error).message).toMatch(message);
}

const obj = (o: Record<string, Value>): ObjectValue => objectFromEntries(Object.entries(o));
const set = (...values: Value[]): SetValue => new SetValue(values);

describe("registry", () => {
  it("has unique dotted names, exact arities and signatures naming the builtin", () => {
    for (const [name, b] of builtins) {
      expect(b.name).toBe(name);
      expect(b.signature.startsWith(name + "(")).toBe(true);
      expect(Number.isInteger(b.arity) && b.arity >= 0).toBe(true);
    }
    expect(builtins.size).toBeGreaterThan(100);
  });

  it("marks only clock-dependent builtins and print impure", () => {
    const impure = [...builtins.values()].filter((b) => b.impure === true).map((b) => b.name);
    expect(impure.sort()).toEqual(["io.jwt.decode_verify", "print", "time.now_ns"]);
  });

  // Every builtin gets every combination of these operand types: each call must either return
  // a well-formed value or throw BuiltinError, never crash with a TypeError or leak NaN.
  const samples: Value[] = [null, true, 1.5, 2, "x", "", [1], objectFromEntries([["a", 1]]), new SetValue([1])];

  function wellFormed(v: Value | undefined): boolean {
    if (v === undefined || v === null || typeof v === "string" || typeof v === "boolean") return true;
    if (typeof v === "number") return Number.isFinite(v);
    if (Array.isArray(v)) return v.every(wellFormed);
    if (v instanceof SetValue) return v.sorted().every(wellFormed);
    return Object.getPrototypeOf(v) === null && Object.values(v as ObjectValue).every(wellFormed);
  }

  function combinations(arity: number): Value[][] {
    if (arity === 0) return [[]];
    return combinations(arity - 1).flatMap((rest) => samples.map((v) => [v, ...rest]));
  }

  it("returns well-formed values or throws BuiltinError for any operand types", () => {
    for (const [name, b] of builtins) {
      for (const args of combinations(b.arity)) {
        let result: Value | undefined;
        try {
          result = b.impl(args, makeContext());
        } catch (e) {
          expect(e, `${name}(${args.map((a) => show(a)).join(", ")})`).toBeInstanceOf(BuiltinError);
          continue;
        }
        expect(wellFormed(result), `${name}(${args.map((a) => show(a)).join(", ")}) = ${show(result)}`).toBe(true);
      }
    }
  });

  it("are all documented in docs/builtins.md", () => {
    const docs = readFileSync(new URL("../docs/builtins.md", import.meta.url), "utf8");
    const undocumented = [...builtins.keys()].filter(
      (name) => !docs.includes("`" + name + "(") && !docs.includes("`" + name.replace("io.jwt.", "") + "`"),
    );
    expect(undocumented).toEqual([]);
  });

  it("names the operand position and actual type in type errors", () => {
    fails("upper", [1], /^operand 1 must be string but got number$/);
    fails("startswith", ["a", [1]], /^operand 2 must be string but got array$/);
    fails("array.slice", [[1], 0, "1"], /^operand 3 must be integer but got string$/);
    fails("object.keys", [set()], /^operand 1 must be object but got set$/);
  });
});

describe("args.cached", () => {
  it("builds once per key and stays bounded", () => {
    const ctx = makeContext();
    let builds = 0;
    for (let i = 0; i < 3; i++) cached(ctx, "k", () => ++builds);
    expect(builds).toBe(1);
    for (let i = 0; i < CACHE_LIMIT + 50; i++) cached(ctx, `n${i}`, () => i);
    expect(ctx.cache.size).toBe(CACHE_LIMIT);
    expect(ctx.cache.has("k")).toBe(false); // the oldest went first
    expect(ctx.cache.has(`n${CACHE_LIMIT + 49}`)).toBe(true);
  });
});

describe("aggregates", () => {
  it("count", () => {
    check("count", ["héllo😀"], 6);
    check("count", [[1, 2, 3]], 3);
    check("count", [set(1, 2, 2)], 2);
    check("count", [obj({ a: 1, b: 2 })], 2);
    fails("count", [1], /^operand 1 must be array, object, set or string but got number$/);
  });

  it("sum and product", () => {
    check("sum", [[1, 2, 3.5]], 6.5);
    check("sum", [set(1, 2)], 3);
    check("sum", [[]], 0);
    check("product", [[2, 3, 4]], 24);
    check("product", [[]], 1);
    expect(Object.is(call("product", [-1, 0]), 0)).toBe(true);
    fails("sum", [[1, "2"]], /operand 1 must contain only numbers but element 1 is string/);
    fails("sum", ["12"], /operand 1 must be array or set but got string/);
    fails("product", [[1e200, 1e200]], /out of range/);
  });

  it("max, min and sort use the canonical order", () => {
    check("max", [[1, 3, 2]], 3);
    check("min", [set(3, 1, 2)], 1);
    check("max", [[1, "a", null]], "a");
    check("min", [[1, "a", null]], null);
    expect(call("max", [])).toBeUndefined();
    expect(call("min", set())).toBeUndefined();
    check("sort", [[3, "a", null, 1, [1], false]], [null, false, 1, 3, "a", [1]]);
    check("sort", [set("b", "a")], ["a", "b"]);
    fails("sort", [obj({})], /operand 1 must be array or set but got object/);
  });
});

describe("numbers", () => {
  it("abs, round, ceil, floor", () => {
    check("abs", [-2.5], 2.5);
    check("round", [2.5], 3);
    check("round", [-2.5], -3);
    check("round", [2.49], 2);
    check("ceil", [1.1], 2);
    check("floor", [-1.1], -2);
    expect(Object.is(call("round", -0.4), 0)).toBe(true);
    fails("abs", ["1"], /operand 1 must be number but got string/);
  });

  it("to_number", () => {
    check("to_number", [null], 0);
    check("to_number", [true], 1);
    check("to_number", [false], 0);
    check("to_number", [7], 7);
    check("to_number", ["-1.5e3"], -1500);
    check("to_number", [".5"], 0.5);
    for (const bad of ["", " 1", "1 ", "0x10", "Inf", "NaN", "1e", "1,000"])
      fails("to_number", [bad], /invalid number/);
    fails("to_number", ["1e400"], /out of range/);
    fails("to_number", [[1]], /operand 1 must be null, boolean, number or string but got array/);
  });

  it("format_int", () => {
    check("format_int", [255, 16], "ff");
    check("format_int", [5, 2], "101");
    check("format_int", [8, 8], "10");
    check("format_int", [-10.7, 10], "-10");
    check("format_int", [2 ** 70, 10], "1180591620717411303424");
    fails("format_int", [1, 3], /must be one of 2, 8, 10 or 16/);
    fails("format_int", [1, 2.5], /operand 2 must be integer/);
  });
});

describe("type checks", () => {
  const samples: Value[] = [null, true, 1, "s", [1], obj({ a: 1 }), set(1)];
  const names = ["is_null", "is_boolean", "is_number", "is_string", "is_array", "is_object", "is_set"];

  it("return true for their type and false (not undefined) otherwise", () => {
    names.forEach((name, i) => {
      samples.forEach((v, j) => expect(call(name, v), `${name}(${show(v)})`).toBe(i === j));
    });
  });

  it("type_name", () => {
    expect(samples.map((v) => call("type_name", v))).toEqual([
      "null",
      "boolean",
      "number",
      "string",
      "array",
      "object",
      "set",
    ]);
  });
});

describe("strings", () => {
  it("concat", () => {
    check("concat", [", ", ["a", "b"]], "a, b");
    check("concat", ["-", set("b", "a")], "a-b");
    check("concat", ["-", []], "");
    fails("concat", ["-", ["a", 1]], /operand 2 must contain only strings but element 1 is number/);
    fails("concat", [1, ["a"]], /operand 1 must be string but got number/);
  });

  it("contains, startswith, endswith, lower, upper", () => {
    check("contains", ["hello", "ell"], true);
    check("contains", ["hello", "xyz"], false);
    check("startswith", ["hello", "he"], true);
    check("endswith", ["hello", "lo"], true);
    check("endswith", ["hello", "he"], false);
    check("lower", ["ÀBC"], "àbc");
    check("upper", ["àbc"], "ÀBC");
    fails("contains", ["a", null], /operand 2 must be string but got null/);
  });

  it("split and replace, code point aware like Go", () => {
    check("split", ["a,b,,c", ","], ["a", "b", "", "c"]);
    check("split", ["a😀b", ""], ["a", "😀", "b"]);
    check("split", ["", ","], [""]);
    check("replace", ["aaa", "a", "b"], "bbb");
    check("replace", ["a😀", "", "-"], "-a-😀-");
    check("strings.replace_n", [obj({ a: "1", ab: "2", c: "3" }), "abc"], "1b3");
    fails("strings.replace_n", [obj({ a: 1 }), "abc"], /must map strings to strings/);
  });

  it("trim family", () => {
    check("trim", ["xxhixyx", "xy"], "hi");
    check("trim_left", ["xxhix", "x"], "hix");
    check("trim_right", ["xxhix", "x"], "xxhi");
    check("trim", ["😀a😀", "😀"], "a");
    check("trim_prefix", ["prefix-x", "prefix-"], "x");
    check("trim_prefix", ["x", "y"], "x");
    check("trim_suffix", ["x.txt", ".txt"], "x");
    check("trim_suffix", ["x", ""], "x");
    check("trim_space", ["\u00a0\t hi \n\u3000"], "hi");
    check("trim_space", ["\ufeffhi"], "\ufeffhi"); // Go does not treat the BOM as space
  });

  it("substring and indexof count code points", () => {
    check("substring", ["héllo😀", 1, 3], "éll");
    check("substring", ["héllo😀", 4, -1], "o😀");
    check("substring", ["abc", 1, 100], "bc");
    check("substring", ["abc", 5, 1], "");
    fails("substring", ["abc", -1, 1], /operand 2 must not be negative/);
    fails("substring", ["abc", 0.5, 1], /operand 2 must be integer/);
    check("indexof", ["h😀llo", "l"], 2);
    check("indexof", ["hello", "z"], -1);
    fails("indexof", ["hello", ""], /empty string/);
    check("indexof_n", ["a😀aa", "a"], [0, 2, 3]);
    check("indexof_n", ["aaa", "aa"], [0, 1]);
    check("strings.reverse", ["a😀b"], "b😀a");
  });
});

describe("sprintf", () => {
  const cases: [string, Value[], string][] = [
    ["%s is %d years", ["bob", 42], "bob is 42 years"],
    ["%v|%v|%v|%v", [[1, "a"], set(2, 1), obj({ b: 1, a: "x" }), null], '[1, "a"]|{1, 2}|{"a": "x", "b": 1}|null'],
    ["%v %v %v", [1.5, 1e-7, 0.1 + 0.2], "1.5 1e-07 0.30000000000000004"],
    ["%v %v", [1234567.5, 2 ** 53], "1.2345675e+06 9007199254740992"],
    ["%v", [set()], "set()"],
    ["%s", [true], "true"],
    ["%.2f|%f|%.0f|%.0f", [3.14159, 1.5, 2.5, 3.5], "3.14|1.500000|2|4"],
    ["%f", [1e21], "1000000000000000000000.000000"],
    ["%e|%E", [1234.5678, 0.00012], "1.234568e+03|1.200000E-04"],
    ["%g|%g|%.3g", [1e21, 100000, 1234.5678], "1e+21|100000|1.23e+03"],
    ["%x|%X|%o|%b|%#x", [255, 255, 8, 5, 255], "ff|FF|10|101|0xff"],
    ["%x", ["hi"], "6869"],
    ["%q", ['a"b\n'], '"a\\"b\\n"'],
    ["%t %t", [true, false], "true false"],
    ["100%%", [], "100%"],
    ["[%5d][%-5d][%05d][%+d][% d]", [42, 42, -42, 5, 5], "[   42][42   ][-0042][+5][ 5]"],
    ["[%6.2f][%-8s][%.3s]", [3.14159, "ab", "abcdef"], "[  3.14][ab      ][abc]"],
    ["%d", [-(2 ** 60)], "-1152921504606846976"],
  ];
  it.each(cases)("sprintf(%j, …)", (format, values, expected) => {
    expect(call("sprintf", format, values)).toBe(expected);
  });

  it("rejects mismatched verbs and argument counts", () => {
    fails("sprintf", ["%d", [1.5]], /%d needs an integer but got number 1.5/);
    fails("sprintf", ["%d", ["x"]], /%d needs an integer but got string/);
    fails("sprintf", ["%t", [1]], /%t needs a boolean/);
    fails("sprintf", ["%f", ["1"]], /%f needs a number/);
    fails("sprintf", ["%s %s", ["a"]], /too few values/);
    fails("sprintf", ["%s", ["a", "b"]], /1 more value/);
    fails("sprintf", ["%z", [1]], /unsupported verb %z/);
    fails("sprintf", ["50%", []], /missing verb/);
    fails("sprintf", ["%99999d", [1]], /must not exceed/);
    fails("sprintf", ["%s", "a"], /operand 2 must be array but got string/);
  });
});

describe("regex", () => {
  it("match uses RE2 syntax, unanchored like Go", () => {
    check("regex.match", ["^a+$", "aaa"], true);
    check("regex.match", ["b", "abc"], true);
    check("regex.match", ["(?i)ABC", "xabcx"], true);
    check("regex.match", ["^\\d{3}$", "12a"], false);
    fails("regex.match", ["(", "x"], /invalid regular expression/);
    fails("regex.match", ["(?<=a)b", "ab"], /invalid regular expression/); // no lookbehind in RE2
  });

  it("runs in linear time on patterns that make backtracking engines explode", () => {
    const start = Date.now();
    expect(call("regex.match", "^(a+)+$", "a".repeat(5000) + "b")).toBe(false);
    expect(Date.now() - start).toBeLessThan(2000);
  });

  it("caches compiled patterns in ctx.cache", () => {
    const ctx = makeContext();
    const match = builtins.get("regex.match");
    match?.impl(["a+", "aa"], ctx);
    match?.impl(["a+", "b"], ctx);
    expect([...ctx.cache.keys()]).toEqual(["regex:a+"]);
  });

  it("is_valid", () => {
    check("regex.is_valid", ["a(b|c)*"], true);
    check("regex.is_valid", ["a(b"], false);
    check("regex.is_valid", [1], false);
  });

  it("split, find_n and submatches follow Go", () => {
    check("regex.split", ["a", "banana"], ["b", "n", "n", ""]);
    check("regex.split", ["z+", "pizza"], ["pi", "a"]);
    check("regex.split", ["[,;]", "a,b;c"], ["a", "b", "c"]);
    check("regex.split", ["x*", "axbxxc"], ["a", "b", "c"]);
    check("regex.split", ["a", ""], [""]);
    check("regex.find_n", ["a.", "paranormal", -1], ["ar", "an", "al"]);
    check("regex.find_n", ["a.", "paranormal", 2], ["ar", "an"]);
    check("regex.find_n", ["a.", "none", -1], []);
    check("regex.find_n", ["a*", "baaac", -1], ["", "aaa", ""]);
    check("regex.find_n", [".", "😀x", -1], ["😀", "x"]);
    fails("regex.find_n", ["a", "a", 1.5], /operand 3 must be integer/);
    const submatch = "regex.find_all_string_submatch_n";
    check(
      submatch,
      ["a(x*)b", "-ab-axb-", -1],
      [
        ["ab", ""],
        ["axb", "x"],
      ],
    );
    check(submatch, ["a(x*)b(c)?", "-axxb-", -1], [["axxb", "xx", ""]]);
  });

  it("replace expands $ templates like Go's ReplaceAllString", () => {
    const re = "a(x*)b";
    check("regex.replace", ["-ab-axxb-", re, "T"], "-T-T-");
    check("regex.replace", ["-ab-axxb-", re, "$1"], "--xx-");
    check("regex.replace", ["-ab-axxb-", re, "$1W"], "---");
    check("regex.replace", ["-ab-axxb-", re, "${1}W"], "-W-xxW-");
    check("regex.replace", ["-ab-axxb-", "a(?P<mid>x*)b", "<${mid}>"], "-<>-<xx>-");
    check("regex.replace", ["-ab-", re, "$$1"], "-$1-");
    check("regex.replace", ["-ab-", re, "$__proto__"], "--");
    check("regex.replace", ["baaac", "a*", "X"], "XbXcX");
    check("regex.replace", ["ab", "(b)", "${1"], "a${1");
  });
});

describe("glob", () => {
  const cases: [string, Value, string, boolean][] = [
    ["*.github.com", [], "api.github.com", true],
    ["*.github.com", [], "api.cdn.github.com", false],
    ["*hub.com", null, "api.cdn.github.com", true],
    ["*:github:com", [":"], "api:github:com", true],
    ["api.**.com", [], "api.github.com", true],
    ["api.**.com", [], "api.cdn.github.com", true],
    ["/public/**", ["/"], "/public/a/b", true],
    ["/public/*", ["/"], "/public/a/b", false],
    ["/public/*", ["/"], "/public/a", true],
    ["?at", [], "cat", true],
    ["?at", [], "at", false],
    ["?at", [], ".at", false],
    ["?at", null, ".at", true],
    ["[abc]at", [], "bat", true],
    ["[!abc]at", [], "cat", false],
    ["[!abc]at", [], "fat", true],
    ["[a-c]at", [], "cat", true],
    ["[a-c]at", [], "dat", false],
    ["{cat,bat,[fr]at}", [], "rat", true],
    ["{cat,bat}", [], "fat", false],
    ["{a,b{c,d}}x", [], "bdx", true],
    ["\\*", [], "*", true],
    ["\\*", [], "a", false],
    ["a,b}", [], "a,b}", true],
    ["(x)|y", [], "(x)|y", true],
    ["*", ["/"], "a\nb", true],
    ["😀?", [], "😀😀", true],
    ["", [], "", true],
  ];
  it.each(cases)("glob.match(%j, %j, %j) is %j", (pattern, delimiters, s, expected) => {
    expect(call("glob.match", pattern, delimiters, s)).toBe(expected);
  });

  it("stays linear on many stars", () => {
    const start = Date.now();
    expect(call("glob.match", "*a*a*a*a*a*a*a*a*a*b", null, "a".repeat(20000))).toBe(false);
    expect(Date.now() - start).toBeLessThan(2000);
  });

  it("reports invalid patterns and delimiters", () => {
    fails("glob.match", ["[abc", [], "a"], /invalid glob pattern: unclosed \[/);
    fails("glob.match", ["{a,b", [], "a"], /unclosed \{/);
    fails("glob.match", ["a\\", [], "a"], /trailing/);
    fails("glob.match", ["[]", [], "a"], /empty character class/);
    fails("glob.match", ["[z-a]", [], "a"], /bad range/);
    fails("glob.match", ["*", ["ab"], "a"], /single-character strings/);
    fails("glob.match", ["*", [1], "a"], /single-character strings/);
    fails("glob.match", ["*", ".", "a"], /operand 2 must be array or null but got string/);
    fails("glob.match", ["*", [], 1], /operand 3 must be string/);
  });

  it("translates to an anchored RE2 pattern", () => {
    expect(globToRegex("a*", ["."])).toBe("(?s)\\A(?:\\x{61}(?:[^\\x{2e}]*))\\z");
  });

  it("quote_meta escapes every metacharacter so the glob matches literally", () => {
    check("glob.quote_meta", ["*.github.com"], "\\*.github.com");
    check("glob.quote_meta", ["[a]{b,c}?\\"], "\\[a\\]\\{b,c\\}\\?\\\\");
    fc.assert(
      fc.property(fc.string(), (s) => call("glob.match", call("glob.quote_meta", s) as string, null, s) === true),
    );
  });
});

describe("net", () => {
  it("cidr_contains with addresses and networks", () => {
    check("net.cidr_contains", ["10.0.0.0/8", "10.1.2.3"], true);
    check("net.cidr_contains", ["10.0.0.0/8", "11.0.0.1"], false);
    check("net.cidr_contains", ["10.0.0.0/8", "10.1.0.0/16"], true);
    check("net.cidr_contains", ["10.1.0.0/16", "10.0.0.0/8"], false);
    check("net.cidr_contains", ["10.1.2.3/8", "10.200.0.0"], true);
    check("net.cidr_contains", ["0.0.0.0/0", "1.2.3.4"], true);
    check("net.cidr_contains", ["2001:db8::/32", "2001:db8:1::1"], true);
    check("net.cidr_contains", ["2001:db8::/32", "2001:db9::1"], false);
    check("net.cidr_contains", ["2001:db8::/32", "2001:db8:ab::/48"], true);
    check("net.cidr_contains", ["::/0", "10.0.0.1"], false);
    check("net.cidr_contains", ["10.0.0.0/8", "::ffff:10.1.1.1"], true);
    check("net.cidr_contains", ["::ffff:10.0.0.0/104", "10.9.9.9"], true);
    check("net.cidr_contains", ["fe80::1:2:3:4/128", "fe80:0:0:0:1:2:3:4"], true);
    fails("net.cidr_contains", ["10.0.0.0/33", "10.0.0.1"], /operand 1 is not a valid CIDR/);
    fails("net.cidr_contains", ["10.0.0.0/8", "256.0.0.1"], /operand 2 is not a valid IP address or CIDR/);
    fails("net.cidr_contains", ["10.0.0.0/8", "010.0.0.1"], /operand 2/);
    fails("net.cidr_contains", ["10.0.0.0", "10.0.0.1"], /operand 1 is not a valid CIDR/);
  });

  it("cidr_intersects", () => {
    check("net.cidr_intersects", ["10.0.0.0/8", "10.1.0.0/16"], true);
    check("net.cidr_intersects", ["10.1.0.0/16", "10.0.0.0/8"], true);
    check("net.cidr_intersects", ["10.0.0.0/16", "10.1.0.0/16"], false);
    check("net.cidr_intersects", ["fd00::/8", "fd12::/16"], true);
    check("net.cidr_intersects", ["fd00::/8", "10.0.0.0/8"], false);
    fails("net.cidr_intersects", ["10.0.0.0/8", "nope"], /operand 2 is not a valid CIDR/);
  });

  it("cidr_is_valid", () => {
    for (const good of [
      "10.0.0.0/8",
      "10.0.0.1/24",
      "::/0",
      "2001:db8::/32",
      "::ffff:1.2.3.4/128",
      "1:2:3:4:5:6:7:8/64",
    ]) {
      expect(call("net.cidr_is_valid", good), good).toBe(true);
    }
    for (const bad of [
      "10.0.0.0",
      "10.0.0.0/",
      "10.0.0.0/08",
      "1.2.3/8",
      "1::2::3/64",
      "1:2:3:4:5:6:7:8::/64",
      "fe80::1%eth0/64",
      "::1/129",
    ]) {
      expect(call("net.cidr_is_valid", bad), bad).toBe(false);
    }
    check("net.cidr_is_valid", [7], false);
  });
});

describe("time", () => {
  it("now_ns reads the evaluation clock", () => {
    check("time.now_ns", [], NOW_NS);
  });

  it("parse_rfc3339_ns", () => {
    check("time.parse_rfc3339_ns", ["1970-01-01T00:00:00Z"], 0);
    check("time.parse_rfc3339_ns", ["1970-01-01T00:00:01.5Z"], 1.5e9);
    check("time.parse_rfc3339_ns", ["1969-12-31T23:59:59Z"], -1e9);
    check("time.parse_rfc3339_ns", ["1970-01-01T00:00:00.123456789123Z"], 123456789);
    check("time.parse_rfc3339_ns", ["2024-02-29T12:00:00+02:00"], Date.UTC(2024, 1, 29, 10) * 1e6);
    check("time.parse_rfc3339_ns", ["2024-02-29T12:00:00-05:30"], Date.UTC(2024, 1, 29, 17, 30) * 1e6);
    for (const bad of [
      "2023-02-29T00:00:00Z",
      "2024-13-01T00:00:00Z",
      "2024-01-01 00:00:00Z",
      "2024-01-01T00:00:00z",
      "2024-01-01T24:00:00Z",
      "2024-01-01T00:00:00",
      "2024-01-01T00:00:00+2:00",
      "24-01-01T00:00:00Z",
    ]) {
      fails("time.parse_rfc3339_ns", [bad], /invalid RFC 3339 time/);
    }
  });

  it("agrees with Date.UTC on random instants (to the millisecond)", () => {
    fc.assert(
      fc.property(fc.integer({ min: -62135596800000, max: 253402300799999 }), (ms) => {
        const text = new Date(ms).toISOString().replace(/^\+0*/, "");
        return call("time.parse_rfc3339_ns", text) === ms * 1e6;
      }),
    );
  });

  it("civil date conversion round-trips", () => {
    fc.assert(
      fc.property(fc.integer({ min: -1_000_000, max: 3_000_000 }), (days) => {
        const [y, m, d] = civilFromDays(days);
        return daysFromCivil(y, m, d) === days;
      }),
    );
  });

  it("date, clock and weekday in UTC", () => {
    check("time.date", [0], [1970, 1, 1]);
    check("time.date", [-1], [1969, 12, 31]);
    check("time.clock", [-1], [23, 59, 59]);
    check("time.weekday", [0], "Thursday");
    const leapNoon = Date.UTC(2024, 1, 29, 12, 34, 56) * 1e6;
    check("time.date", [leapNoon], [2024, 2, 29]);
    check("time.clock", [leapNoon], [12, 34, 56]);
    check("time.weekday", [leapNoon], "Thursday");
    check("time.date", [[leapNoon, "UTC"]], [2024, 2, 29]);
    fails("time.date", ["x"], /operand 1 must be number or \[number, string\]/);
    fails("time.date", [1e30], /outside the supported range/);
  });

  it("date and clock in a named zone", () => {
    const ns = Date.UTC(2024, 0, 1, 3, 0, 0) * 1e6;
    check("time.date", [[ns, "America/New_York"]], [2023, 12, 31]);
    check("time.clock", [[ns, "America/New_York"]], [22, 0, 0]);
    check("time.weekday", [[ns, "Asia/Tokyo"]], "Monday");
    fails("time.date", [[ns, "Mars/Olympus"]], /unknown time zone/);
  });

  it("parse_duration_ns", () => {
    check("time.parse_duration_ns", ["1h30m"], 5400e9);
    check("time.parse_duration_ns", ["1.5s"], 1.5e9);
    check("time.parse_duration_ns", ["-300ms"], -300e6);
    check("time.parse_duration_ns", ["1us2µs3ns"], 3003);
    check("time.parse_duration_ns", ["0"], 0);
    for (const bad of ["", "1", "1x", "h", "1h 2m", "-"]) fails("time.parse_duration_ns", [bad], /invalid duration/);
  });
});

describe("encoding", () => {
  it("base64 and base64url", () => {
    check("base64.encode", ["hello"], "aGVsbG8=");
    check("base64.decode", ["aGVsbG8="], "hello");
    check("base64.decode", ["aGVs\nbG8="], "hello");
    check("base64.encode", ["héllo😀"], "aMOpbGxv8J+YgA==");
    check("base64.decode", ["aMOpbGxv8J+YgA=="], "héllo😀");
    check("base64.encode", [""], "");
    fails("base64.decode", ["aGVsbG8"], /invalid base64 input/);
    fails("base64.decode", ["a-_="], /invalid base64 input/);
    check("base64url.encode", ["??>"], "Pz8-");
    check("base64.encode", ["??>"], "Pz8+");
    check("base64url.encode", ["a"], "YQ==");
    check("base64url.encode_no_pad", ["a"], "YQ");
    check("base64url.decode", ["YQ"], "a");
    check("base64url.decode", ["YQ=="], "a");
    check("base64url.decode", ["Pz8-"], "??>");
    fails("base64url.decode", ["Y"], /invalid base64url input/);
    check("base64.is_valid", ["aGVsbG8="], true);
    check("base64.is_valid", ["aGVsbG8"], false);
    check("base64.is_valid", [1], false);
  });

  it("hex", () => {
    check("hex.encode", ["hi é"], "686920c3a9");
    check("hex.decode", ["686920C3A9"], "hi é");
    fails("hex.decode", ["6"], /invalid hex input/);
    fails("hex.decode", ["zz"], /invalid hex input/);
  });

  it("urlquery", () => {
    check("urlquery.encode", ["a b&c=d/é~"], "a+b%26c%3Dd%2F%C3%A9~");
    check("urlquery.decode", ["a+b%26c%3Dd%2F%C3%A9~😀"], "a b&c=d/é~😀");
    fails("urlquery.decode", ["%zz"], /invalid URL escape "%zz"/);
    fails("urlquery.decode", ["%4"], /invalid URL escape/);
    check("urlquery.encode_object", [obj({ b: ["2", "1"], a: "x y", c: set("z") })], "a=x+y&b=2&b=1&c=z");
    fails("urlquery.encode_object", [obj({ a: 1 })], /must be a string or a collection of strings/);
    check("urlquery.decode_object", ["a=1&a=2&b=&c"], obj({ a: ["1", "2"], b: [""], c: [""] }));
    fails("urlquery.decode_object", ["a=1;b=2"], /semicolon/);
    const decoded = call("urlquery.decode_object", "__proto__=x") as ObjectValue;
    expect(Object.getPrototypeOf(decoded)).toBeNull();
    expect(show(getKey(decoded, "__proto__"))).toBe('["x"]');
  });
});

describe("json", () => {
  it("marshal is canonical", () => {
    const value = obj({ b: 1, a: [1, obj({ "10": true, "9": null })], s: set(2, 1), u: "é\n" });
    check("json.marshal", [value], '{"a":[1,{"10":true,"9":null}],"b":1,"s":[1,2],"u":"é\\n"}');
    check("json.marshal", ["x"], '"x"');
  });

  it("unmarshal builds null-prototype objects and cannot pollute prototypes", () => {
    const result = call("json.unmarshal", '{"__proto__": {"polluted": true}, "a": [1, {"b": null}]}');
    expect(isObject(result as Value)).toBe(true);
    const o = result as ObjectValue;
    expect(Object.getPrototypeOf(o)).toBeNull();
    expect(show(getKey(o, "__proto__"))).toBe('{"polluted": true}');
    expect(({} as Record<string, unknown>)["polluted"]).toBeUndefined();
    const inner = (getKey(o, "a") as Value[])[1] as ObjectValue;
    expect(Object.getPrototypeOf(inner)).toBeNull();
  });

  it("unmarshal rejects invalid, out-of-range and too deep input", () => {
    fails("json.unmarshal", ["{"], /invalid JSON/);
    fails("json.unmarshal", ["1e400"], /out of range/);
    fails("json.unmarshal", ["[".repeat(1001) + "]".repeat(1001)], /nested deeper than 1000/);
    check(
      "json.unmarshal",
      ["[".repeat(1000) + "]".repeat(1000)],
      JSON.parse("[".repeat(1000) + "]".repeat(1000)) as Value,
    );
    check("json.unmarshal", ['"[[[[" '], "[[[[");
  });

  it("is_valid", () => {
    check("json.is_valid", ['{"a": 1}'], true);
    check("json.is_valid", ["{a: 1}"], false);
    check("json.is_valid", [1], false);
  });
});

describe("crypto", () => {
  it("digests", () => {
    check("crypto.sha256", [""], "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
    check("crypto.sha256", ["abc"], "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
    check("crypto.sha1", ["abc"], "a9993e364706816aba3e25717850c26c9cd0d89d");
    check("crypto.md5", ["abc"], "900150983cd24fb0d6963f7d28e17f72");
  });

  it("HMACs (RFC 2104 / 2202 / 4231 vectors)", () => {
    const data = "what do ya want for nothing?";
    check("crypto.hmac.md5", [data, "Jefe"], "750c783e6ab0b503eaa86e310a5db738");
    check("crypto.hmac.sha1", [data, "Jefe"], "effcdf6ae5eb2fa2d27416d5f184df9c259a7c79");
    check("crypto.hmac.sha256", [data, "Jefe"], "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843");
    check(
      "crypto.hmac.sha512",
      [data, "Jefe"],
      "164b7a7bfcf819e2e395fbe73b56e0a387bd64222e831fd610270cd7ea2505549758bf75c05a994a6d034f65f8f0e6fdcaeab1a34d4a6b4b636e070a38bce737",
    );
    check("crypto.hmac.equal", ["abc", "abc"], true);
    check("crypto.hmac.equal", ["abc", "abd"], false);
    check("crypto.hmac.equal", ["abc", "ab"], false);
    fails("crypto.hmac.sha256", ["x", 1], /operand 2 must be string/);
  });
});

describe("objects", () => {
  const nested = obj({ a: obj({ b: 1, list: [10, 20] }), s: set("m") });

  it("object.get with keys and paths", () => {
    check("object.get", [nested, "a", 0], obj({ b: 1, list: [10, 20] }));
    check("object.get", [nested, "z", 0], 0);
    check("object.get", [nested, ["a", "b"], 0], 1);
    check("object.get", [nested, ["a", "x"], "d"], "d");
    check("object.get", [nested, ["a", "list", 1], 0], 20);
    check("object.get", [nested, ["a", "list", 5], 0], 0);
    check("object.get", [nested, ["s", "m"], 0], "m");
    check("object.get", [nested, [], 0], nested);
    check("object.get", [nested, "__proto__", "d"], "d");
    check("object.get", [nested, "constructor", "d"], "d");
    check("object.get", [nested, 1, "d"], "d");
    fails("object.get", [[1], 0, 0], /operand 1 must be object but got array/);
  });

  it("keys, remove, filter", () => {
    check("object.keys", [obj({ b: 1, a: 2 })], set("a", "b"));
    const o = obj({ a: 1, b: 2, c: 3 });
    check("object.remove", [o, ["a", "zz"]], obj({ b: 2, c: 3 }));
    check("object.remove", [o, set("a", "b")], obj({ c: 3 }));
    check("object.remove", [o, obj({ c: null })], obj({ a: 1, b: 2 }));
    check("object.filter", [o, ["a", "c", 5]], obj({ a: 1, c: 3 }));
    fails("object.filter", [o, "a"], /operand 2 must be array, set or object but got string/);
    expect(Object.getPrototypeOf(call("object.filter", o, ["a"]))).toBeNull();
  });

  it("union merges recursively, the right side winning", () => {
    const a = obj({ a: obj({ x: 1, y: 2 }), b: 1, keep: true });
    const b = obj({ a: obj({ y: 3 }), b: obj({ c: 1 }) });
    check("object.union", [a, b], obj({ a: obj({ x: 1, y: 3 }), b: obj({ c: 1 }), keep: true }));
    check(
      "object.union_n",
      [[a, b, obj({ keep: false })]],
      obj({ a: obj({ x: 1, y: 3 }), b: obj({ c: 1 }), keep: false }),
    );
    check("object.union_n", [[]], obj({}));
    fails("object.union_n", [[a, 1]], /operand 1 must contain only objects but element 1 is number/);
    const hostile = call("object.union", obj({}), call("json.unmarshal", '{"__proto__": {"x": 1}}') as Value);
    expect(Object.getPrototypeOf(hostile)).toBeNull();
    expect(show(getKey(hostile as ObjectValue, "__proto__"))).toBe('{"x": 1}');
  });
});

describe("sets and arrays", () => {
  it("union and intersection of a set of sets", () => {
    check("union", [set(set(1, 2), set(2, 3))], set(1, 2, 3));
    check("union", [set()], set());
    check("intersection", [set(set(1, 2, 3), set(2, 3, 4), set(3, 2))], set(2, 3));
    check("intersection", [set()], set());
    fails("union", [set(1)], /operand 1 must contain only sets but element 0 is number/);
    fails("intersection", [[set(1)]], /operand 1 must be set but got array/);
  });

  it("array.concat, array.slice (clamped), array.reverse", () => {
    check("array.concat", [[1, 2], [3]], [1, 2, 3]);
    check("array.slice", [[1, 2, 3, 4], 1, 3], [2, 3]);
    check("array.slice", [[1, 2, 3, 4], -1, 10], [1, 2, 3, 4]);
    check("array.slice", [[1, 2, 3, 4], 3, 1], []);
    check("array.slice", [[1, 2], 5, 9], []);
    fails("array.slice", [[1], 0.5, 1], /operand 2 must be integer/);
    check("array.reverse", [[1, 2, 3]], [3, 2, 1]);
    fails("array.concat", [[1], set(2)], /operand 2 must be array but got set/);
  });
});

describe("semver", () => {
  it("orders versions by SemVer 2.0 precedence", () => {
    const ordered = [
      "1.0.0-alpha",
      "1.0.0-alpha.1",
      "1.0.0-alpha.beta",
      "1.0.0-beta",
      "1.0.0-beta.2",
      "1.0.0-beta.11",
      "1.0.0-rc.1",
      "1.0.0",
      "1.0.1",
      "1.1.0",
      "2.0.0",
      "10.0.0",
      "10.0.99999999999999999999",
    ];
    for (let i = 0; i < ordered.length; i++) {
      for (let j = 0; j < ordered.length; j++) {
        expect(
          call("semver.compare", ordered[i] as string, ordered[j] as string),
          `${ordered[i]} vs ${ordered[j]}`,
        ).toBe(Math.sign(i - j));
      }
    }
    check("semver.compare", ["1.0.0+build.1", "1.0.0+build.2"], 0);
  });

  it("validates strictly", () => {
    for (const good of ["0.0.0", "1.2.3-0.a-b.3", "1.2.3+001.x", "1.2.3-rc.1+build"]) {
      expect(call("semver.is_valid", good), good).toBe(true);
    }
    for (const bad of ["1.0", "v1.0.0", "01.0.0", "1.0.0-01", "1.0.0-", "1.0.0+", "1.0.0-a..b", " 1.0.0"]) {
      expect(call("semver.is_valid", bad), bad).toBe(false);
    }
    check("semver.is_valid", [1], false);
    fails("semver.compare", ["1.0", "1.0.0"], /operand 1 is not a valid semantic version/);
    fails("semver.compare", ["1.0.0", "x"], /operand 2 is not a valid semantic version/);
  });
});

describe("units", () => {
  it("parse_bytes", () => {
    const cases: [string, number][] = [
      ["10", 10],
      ["10KB", 10000],
      ["10kb", 10000],
      ["10K", 10000],
      ["10KiB", 10240],
      ["10ki", 10240],
      ["1.5mb", 1500000],
      ["4.35KB", 4350],
      ["1e3", 1000],
      ["1eb", 1e18],
      ["2GiB", 2 * 1024 ** 3],
      ['"10kb"', 10000],
      ["0.5", 0],
      [".5k", 500],
    ];
    for (const [input, expected] of cases) expect(call("units.parse_bytes", input), input).toBe(expected);
    fails("units.parse_bytes", [""], /no amount provided/);
    fails("units.parse_bytes", ["KB"], /no amount provided/);
    fails("units.parse_bytes", ["10 KB"], /spaces not allowed/);
    fails("units.parse_bytes", ["10XB"], /byte unit xb not recognized/);
  });

  it("parse", () => {
    const cases: [string, number][] = [
      ["10m", 0.01],
      ["1k", 1000],
      ["1K", 1000],
      ["1M", 1e6],
      ["1Mi", 1024 ** 2],
      ["1mi", 1024 ** 2],
      ["1ki", 1024],
      ["1Ki", 1024],
      ["1.5", 1.5],
      ["1e-3K", 1],
      ["2.5e6M", 2.5e12],
      ["1G", 1e9],
      ["-2k", -2000],
      ["1500m", 1.5],
      ["0.1m", 0.0001],
    ];
    for (const [input, expected] of cases) expect(call("units.parse", input), input).toBe(expected);
    fails("units.parse", ["1mb"], /unit mb not recognized/);
    fails("units.parse", ["1 k"], /spaces not allowed/);
    fails("units.parse", ["k"], /no amount provided/);
  });
});
