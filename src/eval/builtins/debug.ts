// Debugging aids for policy authors.
import { show } from "../value.js";
import type { Builtin } from "./types.js";

export const debugBuiltins: readonly Builtin[] = [
  {
    name: "print",
    arity: 1,
    signature: "print(value) -> true",
    // Shown by `verdict test -v` and in explanations; a no-op in decisions. Always holds, so it
    // can sit in the middle of a body.
    impl: (args, ctx) => {
      const v = args[0]!;
      ctx.print?.(typeof v === "string" ? v : show(v));
      return true;
    },
    impure: true,
  },
];
