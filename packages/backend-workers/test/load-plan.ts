import { loadProgram, resolveShape, type CheckedProgram, type Tensor } from "@unroll/ir";
import { createRng, maskOfLengths, type GradientMethod, type WindowRequest } from "@unroll/bptt";
import { workerFaults, type WorkerFault } from "./fixtures/faulty-steps.js";
import { randomParams, tensor } from "./support.js";

/** A program of the load test and whether its windows may run RTRL and SnAp-1 (which cost `params × state²` per step). */
export interface LoadProgram {
  readonly name: string;
  readonly program: CheckedProgram;
  readonly params: Record<string, Tensor>;
  /** Classes of a cross-entropy program's targets, else undefined (mse). */
  readonly classes: number | undefined;
  readonly forwardModes: boolean;
}

/** The load test's programs: an LSTM with mse, a GRU with cross-entropy (small enough for RTRL), a bidirectional RNN under an LSTM. */
export function loadPrograms(): LoadProgram[] {
  const make = (name: string, spec: Parameters<typeof loadProgram>[0], seed: number, classes: number | undefined, forwardModes: boolean): LoadProgram => {
    const program = loadProgram(spec);
    return { name, program, params: randomParams(program, seed), classes, forwardModes };
  };
  return [
    make("lstm", { input: 4, layers: [{ cell: "lstm", hidden: 24 }], head: { units: 3, activation: "linear" }, loss: "mse" }, 1, undefined, false),
    make("gru-ce", { input: 3, layers: [{ cell: "gru", hidden: 5 }], head: { units: 4, activation: "softmax" }, loss: "cross_entropy" }, 2, 4, true),
    make(
      "birnn-lstm",
      {
        input: 3,
        layers: [
          { cell: "rnn", hidden: 8, bidirectional: true },
          { cell: "lstm", hidden: 8 },
        ],
        head: { units: 2, activation: "tanh" },
        loss: "mse",
      },
      3,
      undefined,
      false,
    ),
  ];
}

/** A fault the load test injects into one window: a worker fault (carried by a marker), a kill from outside the pool, or an abort by the caller. */
export type LoadFault = WorkerFault | "kill" | "abort";

/** Every {@link LoadFault}, with how often the plan picks it. */
export const faultWeights: Readonly<Record<LoadFault, number>> = { throw: 3, crash: 2, exit: 2, hang: 1, spin: 1, scribble: 2, kill: 3, abort: 3 };

/** One window of the load test. */
export interface PlannedWindow {
  readonly index: number;
  readonly program: number;
  readonly steps: number;
  readonly batch: number;
  readonly gradients: false | GradientMethod;
  readonly masked: boolean;
  readonly checkpointEvery: number;
  readonly collectStates: boolean;
  readonly seed: number;
  /** The injected fault: which one, the batch row whose worker it hits (worker faults) or the pool place it hits (kill), and its delay. */
  readonly fault?: { readonly kind: LoadFault; readonly row: number; readonly place: number; readonly delayMs: number };
}

/** `windows` windows drawn from `seed`: programs, lengths, batch sizes and gradient methods mixed, a fault in about `faultRate` of them. */
export function planWindows(seed: number, windows: number, programs: readonly LoadProgram[], workers: number, faultRate: number): PlannedWindow[] {
  const rng = createRng(seed);
  const int = (lo: number, hi: number): number => lo + Math.floor(rng() * (hi - lo + 1));
  const kinds = Object.entries(faultWeights) as [LoadFault, number][];
  const totalWeight = kinds.reduce((n, [, w]) => n + w, 0);
  const pickFault = (): LoadFault => {
    let r = rng() * totalWeight;
    for (const [kind, w] of kinds) if ((r -= w) < 0) return kind;
    return kinds[0][0];
  };
  return Array.from({ length: windows }, (_, index) => {
    const program = int(0, programs.length - 1);
    const forward = programs[program].forwardModes && rng() < 0.4;
    const steps = forward ? int(4, 24) : int(32, 160);
    const batch = forward ? int(1, 6) : int(1, 16);
    const g = rng();
    const gradients: false | GradientMethod = forward ? (g < 0.6 ? "rtrl" : "snap1") : g < 0.35 ? false : "bptt";
    const fault = rng() < faultRate ? pickFault() : undefined;
    return {
      index,
      program,
      steps,
      batch,
      gradients,
      masked: rng() < 0.3,
      checkpointEvery: gradients === "bptt" && rng() < 0.3 ? int(2, 5) : 1,
      collectStates: rng() < 0.8,
      seed: int(1, 1e9),
      ...(fault ? { fault: { kind: fault, row: int(0, batch - 1), place: int(0, Math.min(batch, workers) - 1), delayMs: int(0, 15) } } : {}),
    };
  });
}

/** The request of a planned window (without its fault marker or signal). */
export function requestOf(w: PlannedWindow, p: LoadProgram): WindowRequest {
  const rng = createRng(w.seed);
  const next = (): number => 2 * rng() - 1;
  const { program } = p;
  const sequences: Record<string, Tensor> = {};
  for (const [name, shape] of Object.entries(program.dataInputs)) {
    const s = [w.steps, ...resolveShape(shape, w.batch)];
    // cross-entropy targets are class ids
    sequences[name] = name === "y" && p.classes !== undefined ? tensor(s, () => Math.floor(rng() * p.classes!)) : tensor(s, next);
  }
  const initialState = Object.fromEntries(
    Object.entries(program.states).map(([k, info]) => [k, tensor(resolveShape(info.shape, w.batch), () => 0.5 * next())]),
  );
  const lengths = Array.from({ length: w.batch }, () => 1 + Math.floor(rng() * w.steps));
  return {
    params: p.params,
    sequences,
    initialState,
    ...(w.masked ? { mask: maskOfLengths(lengths, w.steps, "float64") } : {}),
    gradients: w.gradients !== false,
    ...(w.gradients !== false ? { method: w.gradients } : {}),
    checkpointEvery: w.checkpointEvery,
    collectStates: w.collectStates,
  };
}

/** Worker faults, the ones a marker carries. */
export function isWorkerFault(kind: LoadFault): kind is WorkerFault {
  return (workerFaults as readonly string[]).includes(kind);
}
