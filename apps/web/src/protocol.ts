import type { WebGpuAdapterInfo } from "@unroll/backend-webgpu";
import type { TrainSettings } from "./settings.js";

/** Page → trainer worker. */
export type ToTrainer =
  /** Start one run; `stop` is an Int32 flag in shared memory (when the page is cross-origin isolated). */
  | { readonly type: "start"; readonly settings: TrainSettings; readonly text: string; readonly stop?: SharedArrayBuffer }
  /** Stop between two windows (also signalled through the shared flag, which needs no message turn). */
  | { readonly type: "stop" }
  /** Use this temperature for the next samples. */
  | { readonly type: "temperature"; readonly value: number };

/** One optimizer step, as the page shows it. */
export interface Progress {
  /** Optimizer steps so far. */
  readonly step: number;
  /** The window's mean cross-entropy (nats per character). */
  readonly loss: number;
  /** Recent throughput: optimizer steps (windows) per second. */
  readonly stepsPerSecond: number;
  /** Recent throughput: characters per second, B · K per step. */
  readonly tokensPerSecond: number;
  /** Completed passes over the text. */
  readonly epoch: number;
  /** Seconds spent training (not sampling). */
  readonly seconds: number;
  /** Gradient flow of the window: `‖∂L/∂h_t‖` by state for each of its K steps, the first step first (`StepReport.deltaNorms`). */
  readonly deltaNorms: Readonly<Record<string, readonly number[]>>;
}

/** Trainer worker → page. */
export type FromTrainer =
  /** The model is loaded and training starts. */
  | { readonly type: "ready"; readonly vocabSize: number; readonly paramCount: number; readonly streamLength: number; readonly backend: string }
  | ({ readonly type: "progress" } & Progress)
  /** A sample drawn after `step` steps, and how long drawing it took. */
  | { readonly type: "sample"; readonly step: number; readonly text: string; readonly temperature: number; readonly ms: number }
  /** The adapter the WebGPU backend opened, before the model loads on it. */
  | { readonly type: "adapter"; readonly adapter: WebGpuAdapterInfo }
  /** How many threads the WebAssembly backend runs on, of those asked for, and why fewer if it does (`WasmThreading`). */
  | { readonly type: "threading"; readonly threads: number; readonly requested: number; readonly reason?: string }
  /** A line of the worker pool's log (e.g. whether memory is shared). */
  | { readonly type: "log"; readonly message: string }
  /** Training ended after `step` steps because stop was asked; nothing follows. */
  | { readonly type: "stopped"; readonly step: number }
  /** Training failed; nothing follows. */
  | { readonly type: "error"; readonly message: string };
