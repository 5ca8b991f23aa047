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

// Measured (V8, Node 20), the worst of 10^6 points each, against the exact value in float64:
//   exp      0.96 ulp on [-100, 89] (subnormal results in ulps of 2^-149; +Infinity exactly where float32 overflows)
//   log      0.82 ulp on (0, 1e30], subnormal inputs included; abs 3.8e-6 at the largest results
//   tanh     1.23 ulp, abs 7.3e-8 on [-20, 20] (relative accuracy holds down to 1e-10 and below)
//   sigmoid  2.27 ulp, abs 8.9e-8 on [-30, 30]; on [-104, 89] 2.08 ulp where the result is normal, and
//            below x ≈ -88.7 the IR's 1/(1 + e^-x) is 0 in float32 (e^-x overflows), an abs error under 3e-39
// The bounds below add a little to these, far inside the conformance kit's float32 tolerances (atol 2e-5, rtol 1e-4).
describe("exp, log, tanh and sigmoid against Math in float64, 10^6 points each", () => {
  it("exp on [-100, 89]: within 1 ulp", () => {
    const e = sweep("exp", points(-100, 89, 1e-8, 88, true, 1), Math.exp);
    expect(e.ulp, `at ${e.at}`).toBeLessThanOrEqual(1);
  });

  it("log on (0, 1e30]: within 1 ulp", () => {
    const e = sweep("log", points(0.25, 4, 1e-45, 1e30, false, 2), Math.log);
    expect(e.ulp, `at ${e.at}`).toBeLessThanOrEqual(1);
    expect(e.abs).toBeLessThan(5e-6);
  });

  it("tanh on [-20, 20]: within 1.5 ulp and 1e-7", () => {
    const e = sweep("tanh", points(-20, 20, 1e-10, 20, true, 3), Math.tanh);
    expect(e.ulp, `at ${e.at}`).toBeLessThanOrEqual(1.5);
    expect(e.abs).toBeLessThanOrEqual(1e-7);
  });

  it("sigmoid on [-30, 30]: within 2.5 ulp and 1e-7", () => {
    const e = sweep("sigmoid", points(-30, 30, 1e-10, 30, true, 4), sigmoid);
    expect(e.ulp, `at ${e.at}`).toBeLessThanOrEqual(2.5);
    expect(e.abs).toBeLessThanOrEqual(1e-7);
  });

  it("sigmoid on [-104, 89]: within 2.5 ulp where the result is normal, 1e-7 everywhere", () => {
    const e = sweep("sigmoid", points(-104, 89, 1e-10, 1, true, 5), sigmoid, (y) => y >= 2 ** -126);
    expect(e.ulp, `at ${e.at}`).toBeLessThanOrEqual(2.5);
    expect(e.abs).toBeLessThanOrEqual(1e-7);
  });
});
