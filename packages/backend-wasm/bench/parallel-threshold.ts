// Measures, for matrix products and elementwise kernels of growing size, one thread against the team
// of two (the caller and one worker), interleaved in one run: where splitting starts to pay is the
// threshold the backend uses (PARALLEL_MIN_FLOPS, PARALLEL_MIN_ELEMENTS). Between calls the caller
// busies itself for `--gap` µs, as it does between kernels in a real step, so a worker that has gone
// to sleep pays its wake-up.
//   node --conditions=source --import tsx packages/backend-wasm/bench/parallel-threshold.ts [--gap 20] [--ms 200]
import { parseArgs } from "node:util";
import { compileGemm, type GemmExports } from "@unroll/kernels-wasm";
import { chainModule, ThreadTeam } from "../src/index.js";
import type { Node } from "@unroll/ir";
import { wasm } from "../test/chain-harness.js";

const { values } = parseArgs({ options: { gap: { type: "string", default: "20" }, ms: { type: "string", default: "200" } } });
const gapMs = Number(values.gap) / 1000;
const PAGE = 65536;
const memory = new wasm.Memory({ initial: 4096, maximum: 4096, shared: true });
const { module } = compileGemm(undefined, "shared");
const gemm = new wasm.Instance(module, { env: { memory } }).exports as unknown as GemmExports;
const team = await ThreadTeam.start({ memory, gemm: module, control: PAGE, threads: 2, hangTimeoutMs: 5000 });
const WS = [1 << 20, 6 << 20];
const DATA = 16 << 20;
new Float32Array(memory.buffer, DATA, (200 << 20) / 4).fill(0.5);

const busy = (ms: number): void => {
  const end = performance.now() + ms;
  while (performance.now() < end);
};

function timeIt(f: () => void): number {
  const times: number[] = [];
  const until = performance.now() + Number(values.ms);
  while (performance.now() < until || times.length < 20) {
    busy(gapMs);
    const t0 = performance.now();
    f();
    times.push(performance.now() - t0);
  }
  times.sort((a, b) => a - b);
  return times[times.length >> 1] * 1000;
}

console.log("matrix products, split along N (M ≤ 128) or M: µs per call, median");
console.log("m×k×n           flops      1 thread   2 threads   speed-up");
for (const [m, k, n] of [
  [1, 64, 64],
  [4, 64, 64],
  [8, 128, 128],
  [32, 64, 64],
  [32, 128, 128],
  [16, 256, 256],
  [32, 256, 256],
  [64, 256, 256],
  [64, 512, 512],
  [2048, 64, 256],
  [256, 2048, 256],
]) {
  const [a, b, c] = [DATA, DATA + 4 * m * k, DATA + 4 * (m * k + k * n)];
  const one = () => gemm.gemm(0, m, n, k, a, k, b, n, c, n, 1, 0, WS[0]);
  const byRows = m >= 128;
  const half = byRows ? Math.ceil(m / 2 / 4) * 4 : Math.ceil(n / 2 / 8) * 8;
  const two = () => {
    if (byRows) {
      team.postGemm(1, [0, m - half, n, k, a + 4 * half * k, k, b, n, c + 4 * half * n, n], 1, 0, WS[1]);
      gemm.gemm(0, half, n, k, a, k, b, n, c, n, 1, 0, WS[0]);
    } else {
      team.postGemm(1, [0, m, n - half, k, a, k, b + 4 * half, n, c + 4 * half, n], 1, 0, WS[1]);
      gemm.gemm(0, m, half, k, a, k, b, n, c, n, 1, 0, WS[0]);
    }
    team.join([1], "a product");
  };
  const [t1, t2] = [timeIt(one), timeIt(two)];
  console.log(
    `${`${m}×${k}×${n}`.padEnd(15)} ${String(2 * m * n * k).padStart(10)} ${t1.toFixed(1).padStart(10)} ${t2.toFixed(1).padStart(11)} ${(t1 / t2).toFixed(2).padStart(10)}`,
  );
}

const tanh = { id: "t", op: "tanh", inputs: ["x"] } as Node;
const add = { id: "s", op: "add", inputs: ["x", "y"] } as Node;
const bytes = chainModule([{ members: [add, { ...tanh, inputs: ["s"] } as Node], inputs: ["x", "y"], access: ["full", "tile"] }], {
  shared: true,
  initialPages: 1,
  maximumPages: 4096,
});
const fn = (new wasm.Instance(new wasm.Module(bytes), { env: { memory } }).exports as Record<string, (...a: number[]) => void>).c0;
while (!team.provide(0, bytes)) busy(1);
console.log("\nelementwise tanh(x + bias): µs per call, median");
console.log("elements     1 thread   2 threads   speed-up");
for (const size of [1024, 4096, 8192, 16384, 32768, 65536, 131072, 524288]) {
  const [x, y, out] = [DATA, DATA + 4 * size, DATA + 8 * size];
  const one = () => fn(out, 0, size, 256, x, y);
  const two = () => {
    const half = size / 2;
    team.postChain(1, team.localModule(0), 0, out, half, size, 256, [x, y]);
    fn(out, 0, half, 256, x, y);
    team.join([1], "a chain");
  };
  const [t1, t2] = [timeIt(one), timeIt(two)];
  console.log(`${String(size).padEnd(12)} ${t1.toFixed(1).padStart(9)} ${t2.toFixed(1).padStart(11)} ${(t1 / t2).toFixed(2).padStart(10)}`);
}
await team.terminate();
