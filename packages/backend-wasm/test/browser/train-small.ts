import { loadProgram, type Dtype, type Tensor } from "@unroll/ir";
import { initParams, sgd, Trainer, type Backend } from "@unroll/bptt";
import { FORWARD_TOLERANCE, isClose } from "@unroll/backend-conformance";
import { expect } from "vitest";

/** A GRU on two sine waves, large enough that the 2-thread backend splits its kernels (when asked to). */
const program = loadProgram({ input: 4, layers: [{ cell: "gru", hidden: 16 }], head: { units: 2, activation: "linear" }, loss: "mse" });

function wave(shape: readonly number[], phase: number, dtype: Dtype): Tensor {
  const n = shape.reduce((a, b) => a * b, 1);
  const data = dtype === "float32" ? new Float32Array(n) : new Float64Array(n);
  for (let i = 0; i < n; i++) data[i] = Math.sin(0.37 * i + phase);
  return { shape: [...shape], data };
}

/** The loss of each of `steps` SGD steps (full BPTT over 8 steps, batch 4) of the program above, from fixed params. */
export async function trainSmall(backend: Backend, dtype: Dtype, steps = 5): Promise<number[]> {
  const loaded = await backend.load(program, { dtype });
  try {
    const trainer = new Trainer(loaded, program, initParams(program, 3, dtype), { optimizer: sgd({ lr: 0.1 }) });
    const data = { sequences: { x: wave([8, 4, 4], 0, dtype), y: wave([8, 4, 2], 1, dtype) }, initialState: {} };
    const losses: number[] = [];
    for (let s = 0; s < steps; s++) losses.push((await trainer.fit(data)).loss);
    return losses;
  } finally {
    await loaded.dispose();
  }
}

/**
 * Trains the program above on `backend` in float32 and in float64: the float32 losses decrease, and each equals the
 * float64 one within float32 tolerance (float64 runs the reference kernels, whatever the threads). The isolated and the
 * not-isolated page both check this, so their float32 results agree with each other to twice that tolerance.
 */
export async function expectTrainsLikeFloat64(backend: Backend): Promise<void> {
  const f32 = await trainSmall(backend, "float32");
  const f64 = await trainSmall(backend, "float64");
  f32.forEach((loss, s) => expect(isClose(loss, f64[s], FORWARD_TOLERANCE.float32), `step ${s}: float32 ${loss}, float64 ${f64[s]}`).toBe(true));
  expect(
    f32.every((loss, s) => Number.isFinite(loss) && (s === 0 || loss < f32[s - 1])),
    `losses ${f32.join(", ")}`,
  ).toBe(true);
}
