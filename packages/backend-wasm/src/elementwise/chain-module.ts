import { elementwiseOf, type NodeOf, type OpKind, type OperandAccess } from "@unroll/ir";
import { chainKernel, kernelParams, type ChainOperand, type ExprChain } from "./chain-kernel.js";
import { encodeModule, type ImportedMemory } from "./wasm-module.js";

/** A chain of elementwise nodes computed by one exported function, which writes only the last member's value. */
export interface WasmChain {
  /** Member nodes, in order; each has an elementwise expression (`elementwiseOf`), the last one's value is the output. */
  readonly members: readonly NodeOf<OpKind>[];
  /** Values read from outside the chain: the function's `in0`, `in1`, … in this order. */
  readonly inputs: readonly string[];
  /** How each of `inputs` is read. */
  readonly access: readonly OperandAccess[];
}

/** The memory the module imports as `env.memory`, where every operand lives. */
export type ChainMemory = ImportedMemory;

/**
 * A WebAssembly SIMD module (binary) that computes each chain with one
 * exported function `c0`, `c1`, …, importing `memory` as `env.memory`.
 * `cK(out, start, end, period, in0, in1, …)`, every pointer the byte offset
 * of a float32 array in the memory, computes output elements `start ≤ i < end`:
 *
 * ```ts
 * for (let i = start; i < end; i++) {
 *   const e = inputs.map((x, k) => x[access[k] === "full" ? i : access[k] === "tile" ? i % period : 0]);
 *   // each member's expression on e and the earlier members' values, every step in float32
 *   out[i] = the last member's value;
 * }
 * ```
 *
 * Four elements at a time (f32x4) over each run of contiguous elements, the
 * rest of a run through the same code in one lane, so `start`, `end` and
 * `period` are arbitrary (`period ≥ 1` when an operand is `tile`: the
 * function traps on 0). Intermediate values stay in locals; exp, log and
 * tanh are float32-accurate polynomials (within about one ulp).
 */
export function chainModule(chains: readonly WasmChain[], memory: ChainMemory): Uint8Array {
  return encodeModule(
    memory,
    chains.map((chain, k) => {
      const resolved = resolveChain(chain);
      return { name: `c${k}`, params: kernelParams(resolved), body: chainKernel(resolved) };
    }),
  );
}

/** The chain's members as expressions, each operand an input of the kernel or an earlier member. */
function resolveChain(chain: WasmChain): ExprChain {
  const name = chain.members.map((m) => m.id).join(" → ");
  if (chain.members.length === 0) throw new Error("a chain needs at least one member");
  if (chain.access.length !== chain.inputs.length) throw new Error(`chain ${name}: ${chain.inputs.length} inputs but ${chain.access.length} accesses`);
  const members = chain.members.map((m, k) => {
    const expr = elementwiseOf(m);
    if (!expr) throw new Error(`chain ${name}: ${m.id} (${m.op}) is not elementwise`);
    const operands = m.inputs.map((id): ChainOperand => {
      const member = chain.members.slice(0, k).findIndex((p) => p.id === id);
      if (member >= 0) return { member };
      const input = chain.inputs.indexOf(id);
      if (input < 0) throw new Error(`chain ${name}: ${m.id} reads ${id}, neither an earlier member nor an input`);
      return { input };
    });
    return { expr, operands };
  });
  return { members, access: chain.access };
}
