import type { BackendName } from "@unroll/backends/web";
import { defaultLr, type TextTrainingSettings } from "@unroll/demo-kit";

/** Everything that defines one training run: the model and its training as both demos describe them, and the page's own choices. */
export interface TrainSettings extends TextTrainingSettings {
  /**
   * `cpu`: the CPU backend inside the trainer worker; `wasm`: the WebAssembly backend there, its large kernels split
   * across `threads`; `workers`: a pool of Web Workers it starts; `webgpu`: the GPU, driven from the trainer worker.
   */
  readonly backend: BackendName;
  /** Pool size when `backend` is `workers`. */
  readonly workers: number;
  /** Threads when `backend` is `wasm`, the trainer worker's own included (the page asks for one per core). */
  readonly threads: number;
  /** Draw a sample every this many steps. */
  readonly sampleEvery: number;
  /** Characters per sample. */
  readonly sampleLength: number;
  /** Sampling temperature (> 0). */
  readonly temperature: number;
}

/** The page's starting choices: one LSTM layer trained with Adam. */
export const defaultSettings: TrainSettings = {
  cell: "lstm",
  hidden: 64,
  layers: 1,
  window: 25,
  backend: "cpu",
  workers: 2,
  threads: 2,
  batch: 16,
  optimizer: "adam",
  lr: defaultLr.adam,
  seed: 1,
  sampleEvery: 20,
  sampleLength: 240,
  temperature: 0.8,
};
