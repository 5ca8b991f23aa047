import { unrollLabel, type UnrollBackendEntry } from "./backend-entry.js";
import { unrollBackends } from "./backends.js";
import { browserBackends } from "./browser-backends.js";
import type { Workload } from "./workloads.js";

/** Which implementation a row measures. */
export type SystemName = "unroll" | "tfjs-cpu" | "tfjs-wasm";

/** One system configuration: an unroll backend, or a TensorFlow.js peer. */
export interface SystemEntry {
  /** Unique label, e.g. `"unroll/workers×2"` or `"tfjs-wasm"`; `--systems` matches it or `system`. */
  readonly label: string;
  /** The system, as in the JSON output. */
  readonly system: SystemName;
  /** The backend (unroll's backend name, or TF.js's `"cpu"` / `"wasm"`). */
  readonly backend: string;
  /** Workers of an unroll backend that has them. */
  readonly workers?: number;
  /** A peer is compared with unroll and capped by the time budget. */
  readonly peer: boolean;
  /** False: skipped under `--quick`. */
  readonly quick: boolean;
  /** Why this system cannot run a case (reported "n/a" without starting a process), or undefined. */
  readonly unsupported?: (w: Workload) => string | undefined;
  /** The unroll backend, for unroll entries. */
  readonly unroll?: UnrollBackendEntry;
}

function tfjsUnsupported(w: Workload): string | undefined {
  if (w.custom) return "the same computation as the built-in case";
  if (w.deltaNorms) return "TF.js does not measure gradient flow through time";
  if (w.method === "rtrl" || w.method === "snap1") return TFJS_NO_RTRL;
  return w.checkpointEvery ? TFJS_NO_CHECKPOINTING : undefined;
}

/** Why TF.js does not run the checkpointed case. */
export const TFJS_NO_CHECKPOINTING = "TF.js has no time checkpointing";
/** Why TF.js does not run the RTRL and SnAp-1 cases: it has reverse-mode gradients only, no forward-mode sensitivities carried through time. */
export const TFJS_NO_RTRL = "TF.js has no RTRL or SnAp-1";

function unrollSystem(b: UnrollBackendEntry): SystemEntry {
  return { label: unrollLabel(b), system: "unroll", backend: b.backend, workers: b.workers, peer: false, quick: b.quick ?? true, unroll: b };
}

/** Every system in table order: the unroll backends first (the reference is the first, cpu), then the peers. */
export const systems: readonly SystemEntry[] = [
  ...unrollBackends.map(unrollSystem),
  { label: "tfjs-cpu", system: "tfjs-cpu", backend: "cpu", peer: true, quick: true, unsupported: tfjsUnsupported },
  { label: "tfjs-wasm", system: "tfjs-wasm", backend: "wasm", peer: true, quick: true, unsupported: tfjsUnsupported },
];

/**
 * The systems of the browser page (`--browser`), in table order: unroll's
 * browser backends, the reference first. TF.js is not run in the browser.
 */
export const browserSystems: readonly SystemEntry[] = browserBackends.map(unrollSystem);

/** The reference every ratio is taken against: unroll on its CPU backend (in Node and in the browser alike). */
export const REFERENCE = systems[0].label;

/** The system with this label, among `from` (default: Node's systems). */
export function systemByLabel(label: string, from: readonly SystemEntry[] = systems): SystemEntry {
  const s = from.find((e) => e.label === label);
  if (!s) throw new Error(`unknown system "${label}"; known: ${from.map((e) => e.label).join(", ")}`);
  return s;
}

/**
 * The systems of `from` (default: Node's) picked by `--systems` (labels or
 * system names); when absent all, less those marked not for `--quick` in a
 * quick run. The reference always runs.
 */
export function selectSystems(only: readonly string[] | undefined, quick: boolean, from: readonly SystemEntry[] = systems): SystemEntry[] {
  if (!only || only.length === 0) return from.filter((s) => s.quick || !quick);
  for (const name of only) {
    if (!from.some((s) => s.label === name || s.system === name)) {
      throw new Error(`--systems: unknown system "${name}"; known: ${from.map((s) => s.label).join(", ")}, unroll`);
    }
  }
  return from.filter((s) => s.label === REFERENCE || only.includes(s.label) || only.includes(s.system));
}

/**
 * The systems a build comparison runs: as `selectSystems`, except that without
 * `--systems` only unroll's backends run. A comparison measures unroll's
 * engine; TF.js is the same package on both sides, so it runs only when named
 * (as a control: its ratio shows the run's noise).
 */
export function selectComparisonSystems(only: readonly string[] | undefined, quick: boolean): SystemEntry[] {
  const picked = selectSystems(only, quick);
  return only && only.length ? picked : picked.filter((s) => !s.peer);
}
