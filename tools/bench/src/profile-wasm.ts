// Where a training step of the wasm backend spends its time: matrix products, elementwise
// kernels, the other kernels by op, memory moves, waiting for workers, and the rest (the
// executor, the trainer). Every device call is timed, so totals run a little slow.
//   node --conditions=source --import tsx tools/bench/src/profile-wasm.ts [--only W1,W2] [--threads 1,2] [--steps N]
import { parseArgs } from "node:util";
import { sgd, Trainer, type Device } from "@unroll/bptt";
import type { WasmBuf } from "@unroll/backend-wasm";
import { elementwiseOf, type Node } from "@unroll/ir";
import { LEARNING_RATE, makeProblem } from "./data.js";
import { workloads } from "./workloads.js";

const { values } = parseArgs({
  options: { only: { type: "string", default: "W1,W2" }, threads: { type: "string", default: "1,2" }, steps: { type: "string", default: "5" } },
});

/** The category a kernel's time goes to. */
function category(nodes: readonly Node[]): string {
  if (nodes[0].op === "matmul") return "matmul";
  if (nodes.length > 1 || elementwiseOf(nodes[0]) !== undefined) return "elementwise";
  return nodes[0].op;
}

function timed(device: Device<WasmBuf>, totals: Map<string, number>): Device<WasmBuf> {
  const add = (key: string, t0: number): void => void totals.set(key, (totals.get(key) ?? 0) + performance.now() - t0);
  const memory =
    <A extends unknown[], R>(name: string, f: (...a: A) => R) =>
    (...a: A): R => {
      const t0 = performance.now();
      try {
        return f(...a);
      } finally {
        add(`device.${name}`, t0);
      }
    };
  return {
    ...device,
    alloc: memory("alloc", device.alloc),
    upload: memory("upload", device.upload),
    read: memory("read", device.read),
    copy: memory("copy", device.copy),
    accumulate: memory("accumulate", device.accumulate),
    fill: memory("fill", device.fill),
    release: memory("release", device.release),
    run(exe, inputs, out) {
      const t0 = performance.now();
      device.run(exe, inputs, out);
      add(category(exe.nodes), t0);
    },
  };
}

// imported on demand, as the bench's own rows import it (backends.ts)
const { createWasmBackend } = await import("@unroll/backend-wasm");
for (const id of values.only.split(",")) {
  const w = workloads.find((x) => x.id === id)!;
  const problem = makeProblem(w);
  for (const threads of values.threads.split(",").map(Number)) {
    const totals = new Map<string, number>();
    const backend = createWasmBackend({ threads, wrapDevice: (d) => timed(d, totals) });
    const loaded = await backend.load(problem.program, { dtype: "float32" });
    const trainer = new Trainer(loaded, problem.program, problem.params, { optimizer: sgd({ lr: LEARNING_RATE }), truncation: { kind: "full" } });
    const data = { sequences: { x: problem.x, y: problem.y } };
    await trainer.fit(data);
    totals.clear();
    const { waits } = await backend.threading();
    const before = waits();
    const steps = Number(values.steps);
    const t0 = performance.now();
    for (let i = 0; i < steps; i++) await trainer.fit(data);
    const ms = (performance.now() - t0) / steps;
    const after = waits();
    const wait = (after.ms - before.ms) / steps;
    const rows = [...totals].map(([k, v]) => [k, v / steps] as const).sort((a, b) => b[1] - a[1]);
    const inDevice = rows.reduce((s, [, v]) => s + v, 0);
    console.log(`${id} on wasm×${threads}: ${ms.toFixed(1)} ms per step (${steps} steps)`);
    for (const [k, v] of rows) console.log(`  ${k.padEnd(46)} ${v.toFixed(2).padStart(8)} ms  ${((100 * v) / ms).toFixed(1).padStart(5)} %`);
    console.log(
      `  ${"  of which waiting for workers".padEnd(46)} ${wait.toFixed(2).padStart(8)} ms  (${((after.jobs - before.jobs) / steps).toFixed(0)} jobs)`,
    );
    console.log(
      `  ${"executor, trainer, other".padEnd(46)} ${(ms - inDevice).toFixed(2).padStart(8)} ms  ${((100 * (ms - inDevice)) / ms).toFixed(1).padStart(5)} %`,
    );
    await loaded.dispose();
    await backend.dispose();
  }
}
