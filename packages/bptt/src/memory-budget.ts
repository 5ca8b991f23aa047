import { sizeOf, type Dtype } from "@unroll/ir";
import { InputError } from "./input-error.js";
import { formatBytes } from "./program/format-window.js";
import { estimateWindowMemory, type MaterializedValues, type WindowMemory } from "./program/memory-estimate.js";
import type { WindowProgram } from "./program/window-program.js";

/** The memory budget where the machine says nothing of its memory: 1 GiB, about what a browser tab can count on. */
export const DEFAULT_MEMORY_BUDGET = 2 ** 30;

/** What a host may tell of its memory, looked up by feature detection so that this package runs in Node and in browsers alike. */
export interface MemoryHints {
  /** Node's `process`. */
  readonly process?: {
    /** The bytes still available to the process (Node ≥ 20.13). */
    readonly availableMemory?: () => number;
  };
  /** A browser's `navigator`. */
  readonly navigator?: {
    /** The device's memory in GiB, rounded (Chromium). */
    readonly deviceMemory?: number;
  };
}

/**
 * The bytes a request may use unless told otherwise: half of what this
 * machine can give, leaving the rest to everything else that runs. Node
 * (≥ 20.13) tells the memory still available to the process
 * (`process.availableMemory()`, which honours container limits), a browser
 * its device memory in GiB (`navigator.deviceMemory`, rounded and capped by
 * the browser); elsewhere {@link DEFAULT_MEMORY_BUDGET}.
 */
export function defaultMemoryBudget(host: MemoryHints = globalThis as MemoryHints): number {
  const available = host.process?.availableMemory?.();
  if (typeof available === "number" && Number.isFinite(available) && available > 0) return Math.floor(available / 2);
  const device = host.navigator?.deviceMemory;
  if (typeof device === "number" && Number.isFinite(device) && device > 0) return Math.floor((device * 2 ** 30) / 2);
  return DEFAULT_MEMORY_BUDGET;
}

/** Bytes of one number of a dtype. */
export function bytesPerNumber(dtype: Dtype): number {
  return dtype === "float32" ? 4 : 8;
}

/** Throws unless `budget` is a positive number of bytes; returns it. */
export function checkBudget(budget: number): number {
  if (!(typeof budget === "number" && budget > 0 && !Number.isNaN(budget)))
    throw new InputError(`the memory budget must be a positive number of bytes, got ${budget}`);
  return budget;
}

/**
 * A request refused because it would need more memory than its budget,
 * before anything was allocated. The message names the field (or file) at
 * fault when there is one, what needs the memory, the figure and the budget.
 */
export class MemoryBudgetError extends InputError {
  /** The document field or file the size comes from, e.g. `layers[0].hidden`; empty when no one field is to blame. */
  readonly field: string;
  /** Bytes the request would need. */
  readonly bytes: number;
  /** The budget it is above, in bytes. */
  readonly budget: number;

  /** `message` says what needs `bytes` and that it is above `budget`; the field, if any, is put before it. */
  constructor(field: string, bytes: number, budget: number, message: string) {
    super(field ? `${field}: ${message}` : message);
    this.name = "MemoryBudgetError";
    this.field = field;
    this.bytes = bytes;
    this.budget = budget;
  }
}

/**
 * Throws a {@link MemoryBudgetError} when `bytes` is above `budget`, saying
 * `field: <needs> 3.2 GiB (<figures>), above the memory budget of 1.00 GiB`.
 * `needs` is the subject and its verb (`the parameters need`), `figures` the
 * count behind the bytes (`1,200 numbers in float32`).
 */
export function checkMemory(bytes: number, budget: number, needs: string, figures = "", field = ""): void {
  if (bytes <= checkBudget(budget)) return;
  const counted = figures ? ` (${figures})` : "";
  throw new MemoryBudgetError(field, bytes, budget, `${needs} ${formatBytes(bytes)}${counted}, above the memory budget of ${formatBytes(budget)}`);
}

/** The numbers and bytes of a set of parameters. */
export interface ParamsMemory {
  /** Numbers over all parameters. */
  readonly numbers: number;
  /** Their bytes in the dtype. */
  readonly bytes: number;
  /** The parameter with the most numbers (empty when there are none). */
  readonly largest: string;
}

/** Counts the numbers and bytes of parameters of these shapes. */
export function paramsMemory(params: Readonly<Record<string, readonly number[]>>, dtype: Dtype): ParamsMemory {
  let numbers = 0;
  let largest = "";
  let most = -1;
  for (const [name, shape] of Object.entries(params)) {
    const n = sizeOf(shape);
    numbers += n;
    if (n > most) [most, largest] = [n, name];
  }
  return { numbers, bytes: numbers * bytesPerNumber(dtype), largest };
}

/**
 * Refuses parameters that would not fit in `budget` bytes, before they are
 * allocated: `field: the parameters need 74.5 GiB (20,000,000,400 numbers in float32), above the memory budget of 7.6 GiB`.
 * `field` names where their size comes from (default the largest parameter's name).
 */
export function checkParamsMemory(params: Readonly<Record<string, readonly number[]>>, dtype: Dtype, budget: number, field?: string): ParamsMemory {
  const m = paramsMemory(params, dtype);
  checkMemory(m.bytes, budget, "the parameters need", `${m.numbers.toLocaleString("en-US")} numbers in ${dtype}`, field ?? m.largest);
  return m;
}

/**
 * Refuses a window program whose estimated peak ({@link estimateWindowMemory})
 * is above `budget`, before its buffers are allocated; returns the estimate.
 */
export function checkWindowMemory(program: WindowProgram, budget: number, materialized?: MaterializedValues): WindowMemory {
  const m = estimateWindowMemory(program, materialized);
  const window = `a window of ${program.steps} steps × batch ${program.batch}${program.gradients ? " with gradients" : ""} needs`;
  const parts = `inputs ${formatBytes(m.inputs)}, buffers ${formatBytes(m.buffers)}, scan workspace ${formatBytes(m.workspace)}, loop ${formatBytes(m.loop)}`;
  checkMemory(m.peak, budget, window, parts);
  return m;
}
