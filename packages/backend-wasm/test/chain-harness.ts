import type { OperandAccess } from "@unroll/ir";
import { chainModule, type WasmChain } from "../src/index.js";
import type { Node } from "@unroll/ir";

// The WebAssembly JS API, typed locally: the repository compiles with lib ES2022 and no DOM.
interface WasmMemory {
  readonly buffer: ArrayBuffer | SharedArrayBuffer;
  grow(pages: number): number;
}
interface WebAssemblyApi {
  validate(bytes: Uint8Array): boolean;
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { readonly exports: Record<string, (...args: number[]) => void> };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemory;
}
/** The global `WebAssembly`. */
export const wasm = (globalThis as unknown as { WebAssembly: WebAssemblyApi }).WebAssembly;

/** A chain's exported function on float32 arrays: `(out, start, end, period, ...inputs)`. */
export type ChainRun = (out: Float32Array, start: number, end: number, period: number, ...inputs: Float32Array[]) => void;

const PAGE = 65536;

/**
 * Instantiates the module of `chains` against a fresh memory (shared or not) and gives one
 * runner per chain, which copies the arrays into the memory (at 4-byte but not 16-byte aligned
 * offsets, to catch any alignment assumption), calls the function and copies `out` back.
 */
export function instantiateChains(chains: readonly WasmChain[], shared: boolean, pages = 64): ChainRun[] {
  const memory = new wasm.Memory({ initial: pages, maximum: pages, shared });
  const bytes = chainModule(chains, { shared, initialPages: pages, maximumPages: pages });
  const instance = new wasm.Instance(new wasm.Module(bytes), { env: { memory } });
  return chains.map((_, k) => (out, start, end, period, ...inputs) => {
    const heap = new Float32Array(memory.buffer);
    let top = 1;
    const place = (x: Float32Array): number => {
      if ((top + x.length + 1) * 4 > pages * PAGE) throw new Error("test arrays do not fit the memory");
      heap.set(x, top);
      const at = top * 4;
      top += x.length + 1;
      return at;
    };
    const ptrs = inputs.map(place);
    const o = place(out);
    instance.exports[`c${k}`](o, start, end, period, ...ptrs);
    out.set(heap.subarray(o / 4, o / 4 + out.length));
  });
}

/** A chain of one node `op(x0, x1, …)` reading its operands as `access` says. */
export function oneNodeChain(op: Node["op"], access: readonly OperandAccess[]): WasmChain {
  const inputs = access.map((_, k) => `x${k}`);
  const node = { id: "y", op, inputs, attrs: undefined } as unknown as Node;
  return { members: [node], inputs, access };
}
