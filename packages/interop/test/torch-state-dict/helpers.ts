import { createCpuBackend } from "@unroll/backend-cpu";
import { runForward } from "@unroll/bptt";
import { loadProgram, type ModelSpec, type Tensor } from "@unroll/ir";

/** A seeded uniform generator in [-1, 1) (mulberry32), so every test draws the same numbers. */
export function uniform(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return (((t ^ (t >>> 14)) >>> 0) / 4294967296) * 2 - 1;
  };
}

/** A float64 tensor of the shape filled from `draw`. */
export function randomTensor(shape: number[], draw: () => number, scale = 1): Tensor {
  const size = shape.reduce((n, d) => n * d, 1);
  return { shape, data: Float64Array.from({ length: size }, () => draw() * scale) };
}

/** A PyTorch-layout state_dict of an nn.RNN/LSTM/GRU (and optional Linear head, Embedding), uniform in [-1, 1). */
export function randomStateDict(
  m: {
    cell: "rnn" | "lstm" | "gru";
    layers: number;
    bidirectional: boolean;
    prefix: string;
    head?: { prefix: string; units: number };
    embedding?: { prefix: string; vocab: number };
  },
  inputSize: number,
  hidden: number,
  seed: number,
): Record<string, Tensor> {
  const draw = uniform(seed);
  const gates = { rnn: 1, lstm: 4, gru: 3 }[m.cell];
  const dirs = m.bidirectional ? 2 : 1;
  const sd: Record<string, Tensor> = {};
  for (let l = 0; l < m.layers; l++) {
    for (const suffix of ["", "_reverse"].slice(0, dirs)) {
      sd[`${m.prefix}weight_ih_l${l}${suffix}`] = randomTensor([gates * hidden, l === 0 ? inputSize : hidden * dirs], draw);
      sd[`${m.prefix}weight_hh_l${l}${suffix}`] = randomTensor([gates * hidden, hidden], draw);
      sd[`${m.prefix}bias_ih_l${l}${suffix}`] = randomTensor([gates * hidden], draw);
      sd[`${m.prefix}bias_hh_l${l}${suffix}`] = randomTensor([gates * hidden], draw);
    }
  }
  if (m.head) {
    sd[`${m.head.prefix}weight`] = randomTensor([m.head.units, hidden * dirs], draw);
    sd[`${m.head.prefix}bias`] = randomTensor([m.head.units], draw);
  }
  if (m.embedding) sd[`${m.embedding.prefix}weight`] = randomTensor([m.embedding.vocab, inputSize], draw);
  return sd;
}

/** unroll's outputs `[T, B, O]` for a model spec and weights (float64, CPU backend; a loss is left out: no targets). */
export async function runModel(spec: ModelSpec, weights: Record<string, Tensor>, x: Tensor, initialState?: Record<string, Tensor>): Promise<Tensor> {
  const { loss: _, ...withoutLoss } = spec;
  const program = loadProgram(withoutLoss);
  const backend = createCpuBackend();
  try {
    const loaded = await backend.load(program, { dtype: "float64" });
    const r = await runForward(loaded, weights, { sequences: { x }, ...(initialState ? { initialState } : {}) }, program);
    return r.outputs;
  } finally {
    await backend.dispose();
  }
}

/** The largest |a − b| between a tensor and nested arrays of the same layout. */
export function maxAbsDiff(t: Tensor, expected: number[][][]): number {
  const flat = expected.flat(2);
  if (flat.length !== t.data.length) throw new Error(`lengths differ: ${t.data.length} vs ${flat.length}`);
  return flat.reduce((m, v, i) => Math.max(m, Math.abs(v - t.data[i])), 0);
}
