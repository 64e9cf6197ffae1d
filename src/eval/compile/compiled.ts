// Compiled expressions: a Scalar when the expression has at most one value, always a Gen.
import type { Frame, Gen, Scalar, V } from "../context.js";
import type { Value } from "../value.js";

export interface Compiled {
  /** Set when the expression has at most one value (no iteration at this level). */
  readonly scalar: Scalar | null;
  readonly gen: Gen;
  /** Set when the value is known at compile time. */
  readonly constant?: Value;
}

export function fromScalar(scalar: Scalar): Compiled {
  return {
    scalar,
    gen: (f, k) => {
      const v = scalar(f);
      return v !== undefined && k(v);
    },
  };
}

export function constant(value: Value): Compiled {
  return { ...fromScalar(() => value), constant: value };
}

export function fromGen(gen: Gen): Compiled {
  return { scalar: null, gen };
}

/** Combines several expressions into one, trying every combination of their values (left to right). */
export function combine(parts: readonly Compiled[], build: (values: Value[], f: Frame) => V): Compiled {
  if (parts.every((p) => p.scalar !== null)) {
    const scalars = parts.map((p) => p.scalar!);
    switch (scalars.length) {
      case 1: {
        const [a] = scalars as [Scalar];
        return fromScalar((f) => {
          const va = a(f);
          return va === undefined ? undefined : build([va], f);
        });
      }
      case 2: {
        const [a, b] = scalars as [Scalar, Scalar];
        return fromScalar((f) => {
          const va = a(f);
          if (va === undefined) return undefined;
          const vb = b(f);
          return vb === undefined ? undefined : build([va, vb], f);
        });
      }
      default:
        return fromScalar((f) => {
          const values: Value[] = new Array<Value>(scalars.length);
          for (let i = 0; i < scalars.length; i++) {
            const v = scalars[i]!(f);
            if (v === undefined) return undefined;
            values[i] = v;
          }
          return build(values, f);
        });
    }
  }
  const gens = parts.map((p) => p.gen);
  return fromGen((f: Frame, k) => {
    const values: Value[] = new Array<Value>(gens.length);
    const next = (i: number): boolean => {
      if (i === gens.length) {
        const v = build(values.slice(), f);
        return v !== undefined && k(v);
      }
      return gens[i]!(f, (v) => {
        values[i] = v;
        return next(i + 1);
      });
    };
    return next(0);
  });
}

/** True when some value of the expression is defined and not false. */
export function holdsSomehow(c: Compiled, f: Frame): boolean {
  if (c.scalar) {
    const v = c.scalar(f);
    return v !== undefined && v !== false;
  }
  return c.gen(f, (v) => v !== false);
}
