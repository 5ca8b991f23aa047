import { setFlagsFromString } from "node:v8";
import { runInNewContext } from "node:vm";

/** The process's memory after a full garbage collection, in bytes. */
export interface MemorySample {
  /** Live JavaScript heap. */
  readonly heapUsed: number;
  /** Memory outside the heap held by JavaScript objects, array buffers included. */
  readonly external: number;
  /** `ArrayBuffer`s and `SharedArrayBuffer`s (a window's tensors live here). */
  readonly arrayBuffers: number;
  /** Resident set of the whole process, worker threads included (noisy: for the report only). */
  readonly rss: number;
}

setFlagsFromString("--expose-gc");
const gc = runInNewContext("gc") as () => void;

/** Collects garbage until it settles (finalizers run between rounds, and may free more), then reads the process's memory. */
export async function sampleMemory(): Promise<MemorySample> {
  for (let i = 0; i < 4; i++) {
    gc();
    await new Promise((r) => setTimeout(r, 10));
  }
  const { heapUsed, external, arrayBuffers, rss } = process.memoryUsage();
  return { heapUsed, external, arrayBuffers, rss };
}

/** `12.3 MB`. */
export function megabytes(bytes: number): string {
  return `${(bytes / 2 ** 20).toFixed(1)} MB`;
}
