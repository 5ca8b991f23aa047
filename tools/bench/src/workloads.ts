import type { GradientMethod } from "@unroll/bptt";

/** The recurrent cell of a workload. */
export type Cell = "rnn" | "lstm";

/** What one timed step of a workload does. */
export type Mode =
  /** Forward, gradients (full or truncated BPTT, or RTRL), and an SGD update per window. */
  | "train"
  /** Forward only (with the loss), no gradients. */
  | "infer";

/** Sizes of one model and batch. */
export interface Shape {
  /** Batch rows B. */
  readonly batch: number;
  /** Sequence length T. */
  readonly steps: number;
  /** Input width I. */
  readonly input: number;
  /** Hidden size H. */
  readonly hidden: number;
  /** Output width O of the linear head. */
  readonly output: number;
}

/**
 * One benchmark case: a workload (`W1`…`W7`) in one variant
 * (a cell for W3, a BPTT scheme for W6, a gradient method and length for W7).
 */
export interface Workload extends Shape {
  /** Unique id, e.g. `"W3-lstm"` or `"W6-trunc64"`; `--only` accepts it or the workload name. */
  readonly id: string;
  /** The workload, `"W1"`…`"W7"`. */
  readonly workload: string;
  /** What distinguishes this case from its siblings (`""` when it has none). */
  readonly variant: string;
  /** The recurrent cell. */
  readonly cell: Cell;
  /** Training step or forward-only inference. */
  readonly mode: Mode;
  /** Build the cell by hand from primitive ops instead of the model spec (same math and weights). */
  readonly custom?: boolean;
  /** Truncated BPTT window (chunked); absent for full BPTT. */
  readonly window?: number;
  /** Time checkpointing: keep the state only every this many steps. */
  readonly checkpointEvery?: number;
  /** How gradients are computed; absent: BPTT. */
  readonly method?: GradientMethod;
  /** Measure gradient flow (`deltaNorms`) in every window: what it costs against the same case without. */
  readonly deltaNorms?: boolean;
  /** RTRL: an SGD update every this many steps, state and sensitivities carried on (online learning); absent: one per sequence. */
  readonly updateEvery?: number;
  /**
   * The id of the same model and method at a shorter length: `--check` asserts
   * that this case's memory (peak RSS over the process's base) is at most
   * `MEMORY_GROWTH_TOLERANCE` times that one's, i.e. does not grow with T.
   */
  readonly memoryFlatFrom?: string;
  /**
   * The id of a case on the same data whose first window computes the same
   * gradient by another method: `--check` asserts equal losses and gradient
   * norms (RTRL's first update of `updateEvery` steps is exactly truncated
   * BPTT's first window of as many steps).
   */
  readonly firstWindowAs?: string;
  /** Sizes used by `--quick` instead, so the whole quick run stays short. */
  readonly quick?: Partial<Shape>;
  /** One line for the table. */
  readonly description: string;
}

const w1: Shape = { batch: 32, steps: 64, input: 64, hidden: 256, output: 64 };
const w6: Shape = { batch: 8, steps: 4096, input: 32, hidden: 128, output: 32 };
// --quick keeps every model and batch size but shortens the sequences; W6 keeps
// several truncation windows and checkpoint segments
const w1Quick: Partial<Shape> = { steps: 4 };
const w6Quick: Partial<Shape> = { steps: 128 };
// W7: RTRL costs O(B·H²·P) per step (P parameters), so a small model; the long
// length is 4× the short one, and --quick keeps that ratio and several updates
const w7: Shape = { batch: 8, steps: 1024, input: 16, hidden: 32, output: 16 };
const w7Quick: Partial<Shape> = { steps: 128 };
/** W7's update interval: RTRL updates as often as truncated BPTT's window, so the two do the same number of SGD steps. */
const W7_EVERY = 32;

/** Every case, in the order they run and print. */
export const workloads: readonly Workload[] = [
  { id: "W1", workload: "W1", variant: "", cell: "rnn", mode: "train", ...w1, quick: w1Quick, description: "rnn train, full BPTT" },
  { id: "W2", workload: "W2", variant: "", cell: "lstm", mode: "train", ...w1, quick: w1Quick, description: "lstm train, full BPTT" },
  {
    id: "W1-custom",
    workload: "W1",
    variant: "custom",
    cell: "rnn",
    mode: "train",
    custom: true,
    ...w1,
    quick: w1Quick,
    description: "rnn train, hand-composed cell",
  },
  {
    id: "W2-custom",
    workload: "W2",
    variant: "custom",
    cell: "lstm",
    mode: "train",
    custom: true,
    ...w1,
    quick: w1Quick,
    description: "lstm train, hand-composed cell",
  },
  {
    id: "W1-flow",
    workload: "W1",
    variant: "flow",
    cell: "rnn",
    mode: "train",
    deltaNorms: true,
    ...w1,
    quick: w1Quick,
    firstWindowAs: "W1",
    description: "rnn train, measuring gradient flow (deltaNorms)",
  },
  { id: "W3-rnn", workload: "W3", variant: "rnn", cell: "rnn", mode: "infer", ...w1, quick: w1Quick, description: "rnn forward only" },
  { id: "W3-lstm", workload: "W3", variant: "lstm", cell: "lstm", mode: "infer", ...w1, quick: w1Quick, description: "lstm forward only" },
  {
    id: "W4",
    workload: "W4",
    variant: "",
    cell: "rnn",
    mode: "train",
    batch: 1,
    steps: 32,
    input: 16,
    hidden: 32,
    output: 16,
    description: "tiny rnn train (overhead)",
  },
  {
    id: "W5",
    workload: "W5",
    variant: "",
    cell: "rnn",
    mode: "train",
    batch: 64,
    steps: 128,
    input: 256,
    hidden: 512,
    output: 256,
    quick: { steps: 2 },
    description: "large rnn train, full BPTT",
  },
  {
    id: "W6-trunc64",
    workload: "W6",
    variant: "trunc64",
    cell: "rnn",
    mode: "train",
    ...w6,
    window: 64,
    quick: w6Quick,
    description: "long rnn, truncated BPTT (64)",
  },
  { id: "W6-full", workload: "W6", variant: "full", cell: "rnn", mode: "train", ...w6, quick: w6Quick, description: "long rnn, full BPTT" },
  {
    id: "W6-ckpt64",
    workload: "W6",
    variant: "ckpt64",
    cell: "rnn",
    mode: "train",
    ...w6,
    checkpointEvery: 64,
    quick: w6Quick,
    description: "long rnn, full BPTT, checkpoint every 64",
  },
  {
    id: "W7-rtrl-short",
    workload: "W7",
    variant: "rtrl-short",
    cell: "rnn",
    mode: "train",
    ...w7,
    steps: 256,
    method: "rtrl",
    updateEvery: W7_EVERY,
    quick: { steps: 32 },
    description: `online rnn, RTRL, update every ${W7_EVERY} (T/4 of W7-rtrl-long)`,
  },
  {
    id: "W7-rtrl-long",
    workload: "W7",
    variant: "rtrl-long",
    cell: "rnn",
    mode: "train",
    ...w7,
    method: "rtrl",
    updateEvery: W7_EVERY,
    quick: w7Quick,
    memoryFlatFrom: "W7-rtrl-short",
    firstWindowAs: "W7-trunc32",
    description: `online rnn, RTRL, update every ${W7_EVERY}`,
  },
  {
    id: "W7-snap-short",
    workload: "W7",
    variant: "snap-short",
    cell: "rnn",
    mode: "train",
    ...w7,
    steps: 256,
    method: "snap1",
    updateEvery: W7_EVERY,
    quick: { steps: 32 },
    description: `online rnn, SnAp-1, update every ${W7_EVERY} (T/4 of W7-snap-long)`,
  },
  {
    id: "W7-snap-long",
    workload: "W7",
    variant: "snap-long",
    cell: "rnn",
    mode: "train",
    ...w7,
    method: "snap1",
    updateEvery: W7_EVERY,
    quick: w7Quick,
    memoryFlatFrom: "W7-snap-short",
    description: `online rnn, SnAp-1, update every ${W7_EVERY}`,
  },
  {
    id: "W7-trunc32",
    workload: "W7",
    variant: "trunc32",
    cell: "rnn",
    mode: "train",
    ...w7,
    window: W7_EVERY,
    quick: w7Quick,
    description: `online rnn, truncated BPTT (${W7_EVERY})`,
  },
  { id: "W7-full", workload: "W7", variant: "full", cell: "rnn", mode: "train", ...w7, quick: w7Quick, description: "online rnn, full BPTT (reference)" },
];

/** The case with this id, with its `--quick` sizes applied when `quick`. */
export function workloadById(id: string, quick: boolean): Workload {
  const w = workloads.find((c) => c.id === id);
  if (!w) throw new Error(`unknown workload case "${id}"; known: ${workloads.map((c) => c.id).join(", ")}`);
  return quick && w.quick ? { ...w, ...w.quick } : w;
}

/**
 * The cases picked by `--only`: each name is a workload (`W3`, all its cases)
 * or a case id (`W3-lstm`). Unknown names are an error, not silently ignored.
 */
export function selectWorkloads(only: readonly string[] | undefined): Workload[] {
  if (!only || only.length === 0) return [...workloads];
  for (const name of only) {
    if (!workloads.some((w) => w.workload === name || w.id === name)) {
      throw new Error(`--only: unknown workload "${name}"; known: ${[...new Set(workloads.flatMap((w) => [w.workload, w.id]))].join(", ")}`);
    }
  }
  return workloads.filter((w) => only.includes(w.workload) || only.includes(w.id));
}

/** Windows of one sequence: what one timed step runs as optimizer steps. */
export function windowsPerStep(w: Workload): number {
  const every = w.window ?? w.updateEvery;
  return w.mode === "train" && every ? Math.ceil(w.steps / every) : 1;
}
