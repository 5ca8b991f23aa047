import { describe, expect, it } from "vitest";
import type { Node } from "@unroll/ir";
import type { OperandAccess } from "@unroll/ir";
import { chainModule, type WasmChain } from "../src/index.js";
import { instantiateChains, wasm, type ChainRun } from "./chain-harness.js";
import { chainAt, random } from "./float32-reference.js";

const node = (id: string, op: Node["op"], ...inputs: string[]): Node => ({ id, op, inputs, attrs: undefined }) as unknown as Node;

/** An LSTM cell's elementwise tail: c' = σ(f)·c + σ(i)·tanh(g + b), h' = σ(o)·tanh(c'); b is a bias [H] over [B, H]. */
const lstm: WasmChain = {
  members: [
    node("sf", "sigmoid", "f"),
    node("si", "sigmoid", "i"),
    node("gb", "add", "g", "b"),
    node("tg", "tanh", "gb"),
    node("fc", "mul", "sf", "c"),
    node("ig", "mul", "si", "tg"),
    node("c2", "add", "fc", "ig"),
    node("tc", "tanh", "c2"),
    node("so", "sigmoid", "o"),
    node("h2", "mul", "so", "tc"),
  ],
  inputs: ["f", "i", "g", "b", "c", "o"],
  access: ["full", "full", "full", "tile", "full", "full"],
};

/** relu(x·s + t) - x·x, with a scalar s and a tile t: native ops only, so exact; x is read by three members. */
const affine: WasmChain = {
  members: [node("xs", "mul", "x", "s"), node("a", "add", "xs", "t"), node("r", "relu", "a"), node("xx", "mul", "x", "x"), node("y", "sub", "r", "xx")],
  inputs: ["x", "s", "t"],
  access: ["full", "scalar", "tile"],
};

/** One input read as every kind at once: y = (x + x[0]) / x[j]. */
const mixed: WasmChain = {
  members: [node("p", "add", "x", "x0"), node("y", "div", "p", "xt")],
  inputs: ["x", "x0", "xt"],
  access: ["full", "scalar", "tile"],
};

/** Random operands for a chain of `n` output elements with tile period `period`. */
function operandsOf(chain: WasmChain, n: number, period: number, seed: number): Float32Array[] {
  const u = random(seed);
  const sizes: Record<OperandAccess, number> = { full: n, tile: period, scalar: 1 };
  return chain.access.map((a) => Float32Array.from({ length: sizes[a] }, () => (u() - 0.5) * 8));
}

/** Runs elements [start, end) of a chain over `n` elements; the rest of `out`, and one element past it, hold a sentinel that must survive. */
function check(run: ChainRun, chain: WasmChain, n: number, start: number, end: number, period: number, tolerance: number): void {
  const ins = operandsOf(chain, n, period, n * 31 + start * 7 + period);
  const SENTINEL = -12345;
  const out = new Float32Array(n + 1).fill(SENTINEL);
  run(out, start, end, period, ...ins);
  for (let i = 0; i <= n; i++) {
    const where = `n ${n}, [${start}, ${end}), period ${period}, element ${i}`;
    if (i < start || i >= end) {
      expect(out[i], where).toBe(SENTINEL);
      continue;
    }
    const want = chainAt(chain, i, period, ins);
    if (tolerance === 0) expect(out[i], where).toBe(want);
    else expect(Math.abs(out[i] - want), `${where}: got ${out[i]}, want ${want}`).toBeLessThanOrEqual(tolerance * Math.max(1, Math.abs(want)));
  }
}

/** Ranges of `n` elements: all of them, a start off a multiple of 4, fewer than 4, none, 4k + 3 elements, a range inside a period. */
const ranges = (n: number): [number, number][] => [
  [0, n],
  [Math.min(3, n), n],
  [Math.min(1, n), Math.min(8, n)],
  [Math.min(2, n), Math.min(13, n)],
  [Math.min(5, n), Math.min(7, n)],
  [Math.min(1, n), Math.min(2, n)],
  [Math.min(6, n), Math.min(6, n)],
  [Math.min(9, n), Math.min(30, n)],
];

describe.each([false, true])("chainModule in a memory with shared: %s", (shared) => {
  const [runLstm, runAffine, runMixed] = instantiateChains([lstm, affine, mixed], shared);

  it.each([1, 2, 3, 4, 5, 7, 8, 13, 64])("an LSTM cell's chain of ten members, period %i", (period) => {
    // sigmoid's and tanh's few ulps, through the products and sums of the cell
    for (const n of [0, 1, 3, period, 4 * period, 5 * period + 3 * period].filter((k) => k % period === 0))
      for (const [start, end] of ranges(n)) check(runLstm, lstm, n, start, end, period, 1e-6);
  });

  it.each([1, 2, 3, 5, 6, 8, 13])("a scalar and a tile operand, exact, period %i", (period) => {
    for (const n of [0, period, 2 * period, 7 * period]) for (const [start, end] of ranges(n)) check(runAffine, affine, n, start, end, period, 0);
  });

  it("one array read as full, scalar and tile operands", () => {
    for (const period of [3, 4, 10]) for (const [start, end] of ranges(40)) check(runMixed, mixed, 40, start, end, period, 0);
  });

  it("a long range split at arbitrary points, as threads would, gives the same bits as one call", () => {
    const n = 1000;
    const period = 37;
    const ins = operandsOf(lstm, n, period, 5);
    const whole = new Float32Array(n);
    runLstm(whole, 0, n, period, ...ins);
    const pieces = new Float32Array(n);
    const cuts = [0, 1, 6, 37, 38, 250, 251, 999, n];
    for (let k = 0; k + 1 < cuts.length; k++) {
      const out = new Float32Array(n);
      runLstm(out, cuts[k], cuts[k + 1], period, ...ins);
      pieces.set(out.subarray(cuts[k], cuts[k + 1]), cuts[k]);
    }
    expect(Array.from(pieces)).toEqual(Array.from(whole));
  });

  it("traps on period 0 when an operand is a tile, rather than looping forever", () => {
    const x = new Float32Array(8);
    expect(() => runAffine(new Float32Array(8), 0, 8, 0, x, Float32Array.of(1), x)).toThrow(/unreachable/);
  });
});

describe("the module", () => {
  it("validates for a shared and a non-shared memory, with one export per chain", () => {
    for (const shared of [false, true]) {
      const bytes = chainModule([lstm, affine, mixed], { shared, initialPages: 2, maximumPages: 100 });
      expect(wasm.validate(bytes)).toBe(true);
    }
    const memory = new wasm.Memory({ initial: 2, maximum: 100 });
    const { exports } = new wasm.Instance(new wasm.Module(chainModule([lstm, affine], { shared: false, initialPages: 2, maximumPages: 100 })), {
      env: { memory },
    });
    expect(Object.keys(exports)).toEqual(["c0", "c1"]);
  });

  it("an empty module for no chains", () => {
    expect(wasm.validate(chainModule([], { shared: false, initialPages: 1, maximumPages: 1 }))).toBe(true);
  });

  it("rejects chains it cannot compute", () => {
    const memory = { shared: false, initialPages: 1, maximumPages: 1 };
    expect(() => chainModule([{ members: [node("y", "matmul", "a", "b")], inputs: ["a", "b"], access: ["full", "full"] }], memory)).toThrow(/not elementwise/);
    expect(() => chainModule([{ members: [node("y", "tanh", "z")], inputs: ["x"], access: ["full"] }], memory)).toThrow(/neither an earlier member/);
    expect(() => chainModule([{ members: [node("y", "tanh", "x")], inputs: ["x"], access: [] }], memory)).toThrow(/accesses/);
    expect(() => chainModule([{ members: [], inputs: [], access: [] }], memory)).toThrow(/at least one member/);
  });
});
