import { describe, expect, it } from "vitest";
import type { OpKind } from "@unroll/ir";
import { instantiateChains, oneNodeChain } from "./chain-harness.js";
import { random, ulpAt } from "./float32-reference.js";

/** The worst error of a function of float32 inputs against the exact (float64) value. */
interface Errors {
  /** Largest |got - exact| / ulp(exact), in float32 ulps. */
  readonly ulp: number;
  /** Largest |got - exact|. */
  readonly abs: number;
  /** The input where the ulp error is largest. */
  readonly at: number;
}

const POINTS = 1_000_000;

/** Runs op over `xs` (already float32) in the module, and measures against `exact` where `counts(exact)`. */
function sweep(op: OpKind, xs: Float32Array, exact: (x: number) => number, counts: (y: number) => boolean = () => true): Errors {
  const [run] = instantiateChains([oneNodeChain(op, ["full"])], false, 256);
  const out = new Float32Array(xs.length);
  run(out, 0, xs.length, 1, xs);
  let ulp = 0;
  let abs = 0;
  let at = NaN;
  xs.forEach((x, k) => {
    const y = exact(x);
    if (!Number.isFinite(Math.fround(y))) {
      // beyond float32's range the only right answer is the infinity
      if (out[k] !== Math.fround(y)) [ulp, at] = [Infinity, x];
      return;
    }
    const e = Math.abs(out[k] - y);
    abs = Math.max(abs, e);
    if (counts(y) && e / ulpAt(y) > ulp) [ulp, at] = [e / ulpAt(y), x];
  });
  return { ulp, abs, at };
}

/** `n` float32 points uniform on [lo, hi] and `n` log-uniform in magnitude on [tiny, huge] (with random signs if `signed`). */
function points(lo: number, hi: number, tiny: number, huge: number, signed: boolean, seed: number): Float32Array {
  const u = random(seed);
  const xs = new Float32Array(POINTS);
  const half = POINTS / 2;
  for (let k = 0; k < half; k++) xs[k] = lo + ((hi - lo) * k) / (half - 1);
  for (let k = half; k < POINTS; k++) {
    const m = Math.exp(Math.log(tiny) + (Math.log(huge) - Math.log(tiny)) * u());
    xs[k] = signed && u() < 0.5 ? -m : m;
  }
  return xs;
}

const sigmoid = (x: number): number => 1 / (1 + Math.exp(-x));

describe("exp, log, tanh and sigmoid against Math in float64, 10^6 points each", () => {
  it("exp on [-100, 89]", () => {
    const e = sweep("exp", points(-100, 89, 1e-8, 88, true, 1), Math.exp);
    console.log("exp", e);
  });
  it("log on (0, 1e30]", () => {
    const e = sweep("log", points(0.25, 4, 1e-45, 1e30, false, 2), Math.log);
    console.log("log", e);
  });
  it("tanh on [-20, 20]", () => {
    const xs = points(-20, 20, 1e-10, 20, true, 3);
    const e = sweep("tanh", xs, Math.tanh, (y) => Math.abs(y) > 1e-3);
    const all = sweep("tanh", xs, Math.tanh);
    console.log("tanh", e, all);
  });
  it("sigmoid on [-30, 30]", () => {
    const xs = points(-30, 30, 1e-10, 88, true, 4);
    console.log("sigmoid", sweep("sigmoid", xs, sigmoid));
    console.log(
      "sigmoid far",
      sweep("sigmoid", points(-104, 89, 1e-10, 1, true, 5), sigmoid, (y) => y > 2 ** -126),
    );
  });
});
