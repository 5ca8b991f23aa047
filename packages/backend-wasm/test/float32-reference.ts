import { elementwiseOf, evalScalar, type ScalarExpr } from "@unroll/ir";
import type { WasmChain } from "../src/index.js";

/** `evalScalar` in float32: each call's result rounded (Math.fround), as the SIMD code rounds each step. */
export function evalFloat32(expr: ScalarExpr, inputs: readonly number[]): number {
  if ("input" in expr) return Math.fround(inputs[expr.input]);
  if ("const" in expr) return Math.fround(expr.const);
  const args = expr.args.map((a) => ({ const: evalFloat32(a, inputs) }));
  return Math.fround(evalScalar({ fn: expr.fn, args }, []));
}

/** A chain's output at element i (see `chainModule`), each member by {@link evalFloat32}. */
export function chainAt(chain: WasmChain, i: number, period: number, inputs: readonly Float32Array[]): number {
  const values = new Map<string, number>();
  const outside = (id: string): number => {
    const k = chain.inputs.indexOf(id);
    const a = chain.access[k];
    return inputs[k][a === "full" ? i : a === "tile" ? i % period : 0];
  };
  let last = NaN;
  for (const m of chain.members) {
    last = evalFloat32(
      elementwiseOf(m)!,
      m.inputs.map((id) => values.get(id) ?? outside(id)),
    );
    values.set(m.id, last);
  }
  return last;
}

const bitsOf = new Uint32Array(1);
const floatOf = new Float32Array(bitsOf.buffer);

/** Float32 bits on a line where neighbours differ by 1 and -0 meets +0: for ulp distances. */
function ordered(x: number): number {
  floatOf[0] = x;
  const b = bitsOf[0];
  return b >= 0x80000000 ? -(b - 0x80000000) : b;
}

/** How many float32 values apart `a` and `b` are (0 for NaN and NaN, Infinity for NaN and a number). */
export function ulpDistance(a: number, b: number): number {
  if (Number.isNaN(a) || Number.isNaN(b)) return Number.isNaN(a) && Number.isNaN(b) ? 0 : Infinity;
  return Math.abs(ordered(a) - ordered(b));
}

/** The float32 ulp at the exact value `x` (float64): 2^(exponent - 23), at least the smallest subnormal 2^-149. */
export function ulpAt(x: number): number {
  if (Math.abs(x) < 2 ** -126) return 2 ** -149;
  float64[0] = x;
  // the binary exponent of x, from its float64 bits
  const exponent = ((words[1] >>> 20) & 0x7ff) - 1023;
  return 2 ** (exponent - 23);
}

const float64 = new Float64Array(1);
const words = new Uint32Array(float64.buffer);

/** A deterministic uniform generator on [0, 1) (mulberry32). */
export function random(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
