import { compile } from "../src/index.js";
const src = `package extra

boom := x if {
    x := 1 / input.d
}

spin := n if {
    n := count([1 | some a in input.items; some b in input.items])
}

hostile := input["__proto__"].admin
ctor := input.constructor
`;
const r = compile([{ file: "extra.verdict", source: src }]);
console.log(r.diagnostics);
const p = r.policy!;
console.log(JSON.stringify(p.evaluate(["extra","boom"], {d: 0})));
console.log(JSON.stringify(p.evaluate(["extra","spin"], {items: Array.from({length: 300}, (_, i) => i)}, {limits: {maxSteps: 1000}})));
console.log(JSON.stringify(p.evaluate(["extra"], JSON.parse('{"__proto__": {"admin": true}, "constructor": 5}'))));
