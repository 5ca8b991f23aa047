// Interleaved GEMM benchmark: the wasm kernels (relaxed SIMD and plain SIMD, each with plain
// Float32Array operands that are copied in and with zero-copy arena views) against the CPU
// backend's JS kernel. Prints median GFLOP/s per cell (2·M·N·K / median call time).
//   node --conditions=source --import tsx packages/kernels-wasm/bench/gemm-bench.ts [--rounds 8] [--ms 100] [--no-js]
// The host is noisy (see shared WASM.md): variants are interleaved round by round, so compare
// within a run, and take the best of several runs across runs.
import { createGemm, type Gemm } from "@unroll/kernels-wasm";
import { jsMatmul } from "./js-matmul.js";

const arg = (name: string, dflt: number): number => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : dflt;
};
const ROUNDS = arg("rounds", 8);
const ROUND_MS = arg("ms", 100);
const WARM_MS = 200;
const withJs = !process.argv.includes("--no-js");

/** M×K×N, as in WASM.md. */
const sizes: [number, number, number][] = [
  [1, 32, 32],
  [1, 256, 256],
  [16, 32, 32],
  [32, 256, 256],
  [2048, 64, 256],
  [256, 2048, 256],
  [2048, 256, 64],
];
const modes = ["NN", "NT", "TN"] as const;
type Mode = (typeof modes)[number];

interface Variant {
  readonly name: string;
  /** Prepares operands, returns the call to time. */
  setup(a: Float32Array, b: Float32Array, m: number, n: number, k: number, mode: Mode): () => Float32Array;
}

function wasmVariant(name: string, gemm: Gemm, arena: boolean): Variant {
  return {
    name,
    setup(a, b, m, n, k, mode) {
      gemm.reset();
      const place = (x: Float32Array): Float32Array => {
        if (!arena) return x;
        const v = gemm.alloc(x.length);
        v.set(x);
        return v;
      };
      const pa = place(a);
      const pb = place(b);
      const c = arena ? gemm.alloc(m * n) : new Float32Array(m * n);
      const opts = { transposeA: mode === "TN", transposeB: mode === "NT" };
      return () => {
        gemm.matmul(pa, pb, c, m, n, k, opts);
        return c;
      };
    },
  };
}

const jsVariant: Variant = {
  name: "JS (backend-cpu)",
  setup(a, b, m, n, k, mode) {
    const c = new Float32Array(m * n);
    return () => {
      jsMatmul(a, b, c, m, n, k, mode === "TN", mode === "NT");
      return c;
    };
  },
};

const relaxed = createGemm({ variant: "relaxed-simd" });
const plain = createGemm({ variant: "simd" });
const variants: Variant[] = [
  wasmVariant("relaxed, copy", relaxed, false),
  wasmVariant("relaxed, arena", relaxed, true),
  wasmVariant("simd, copy", plain, false),
  wasmVariant("simd, arena", plain, true),
  ...(withJs ? [jsVariant] : []),
];

/** Max |c − ref| / max |ref| over 200 sampled entries, ref in float64. */
function checkError(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, mode: Mode): number {
  let err = 0;
  let scale = 0;
  for (let s = 0; s < 200; s++) {
    const i = Math.floor(Math.random() * m);
    const j = Math.floor(Math.random() * n);
    let r = 0;
    for (let p = 0; p < k; p++) r += (mode === "TN" ? a[p * m + i] : a[i * k + p]) * (mode === "NT" ? b[j * k + p] : b[p * n + j]);
    err = Math.max(err, Math.abs(c[i * n + j] - r));
    scale = Math.max(scale, Math.abs(r));
  }
  return err / scale;
}

/** Calls f until `ms` have passed (and at least `min` times); returns ms per call. */
function timeRound(f: () => unknown, ms: number, min: number): number {
  let calls = 0;
  const t0 = performance.now();
  let t = t0;
  while (t - t0 < ms || calls < min) {
    f();
    calls++;
    t = performance.now();
  }
  return (t - t0) / calls;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((x, y) => x - y);
  const h = s.length >> 1;
  return s.length % 2 ? s[h] : (s[h - 1] + s[h]) / 2;
};

const rows: string[] = [];
console.log(`node ${process.version}, ${ROUNDS} interleaved rounds of >= ${ROUND_MS} ms, median GFLOP/s (µs per call for M = 1)`);
const header = ["M×K×N", "op", ...variants.map((v) => v.name), "copy cost (relaxed)"];
rows.push(`| ${header.join(" | ")} |`, `|${header.map(() => "---").join("|")}|`);
for (const [m, k, n] of sizes) {
  for (const mode of modes) {
    const a = Float32Array.from({ length: m * k }, () => Math.random() - 0.5);
    const b = Float32Array.from({ length: k * n }, () => Math.random() - 0.5);
    const calls = variants.map((v) => v.setup(a, b, m, n, k, mode));
    // the arena variants each reset their engine in setup, so set up all before timing
    for (const [vi, f] of calls.entries()) {
      const e = checkError(a, b, f(), m, n, k, mode);
      if (!(e < 1e-5)) throw new Error(`${variants[vi].name} ${m}×${k}×${n} ${mode}: relative error ${e}`);
      timeRound(f, WARM_MS, 3);
    }
    const times: number[][] = variants.map(() => []);
    for (let r = 0; r < ROUNDS; r++) for (const [vi, f] of calls.entries()) times[vi].push(timeRound(f, ROUND_MS, 1));
    const med = times.map(median);
    const flops = 2 * m * n * k;
    const cells = med.map((ms) => (flops / (ms * 1e6)).toFixed(1) + (m === 1 ? ` (${(ms * 1e3).toFixed(2)} µs)` : ""));
    const copyCost = ((med[0] / med[1] - 1) * 100).toFixed(0) + " %";
    const row = `| ${m}×${k}×${n} | ${mode} | ${cells.join(" | ")} | ${copyCost} |`;
    rows.push(row);
    console.log(row);
  }
}
console.log("\n" + rows.join("\n"));
