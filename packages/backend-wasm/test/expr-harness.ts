import type { ScalarExpr } from "@unroll/ir";
import { chainKernel, kernelParams, type ExprChain } from "../src/elementwise/chain-kernel.js";
import { encodeModule } from "../src/elementwise/wasm-module.js";
import { wasm } from "./chain-harness.js";

/**
 * Computes `expr` over float32 operands (one array each, read element by element)
 * with the generated SIMD code: a one-member chain of the expression itself, so
 * that every function of the scalar language is reached, not only those an op uses.
 */
export function runExpr(expr: ScalarExpr, operands: readonly Float32Array[]): Float32Array {
  const n = operands[0].length;
  const pages = Math.ceil(((operands.length + 1) * (n + 1) * 4) / 65536) + 1;
  const chain: ExprChain = { members: [{ expr, operands: operands.map((_, k) => ({ input: k })) }], access: operands.map(() => "full") };
  const memory = new wasm.Memory({ initial: pages, maximum: pages });
  const module = new wasm.Module(
    encodeModule({ shared: false, initialPages: pages, maximumPages: pages }, [{ name: "c0", params: kernelParams(chain), body: chainKernel(chain) }]),
  );
  const { exports } = new wasm.Instance(module, { env: { memory } });
  const heap = new Float32Array(memory.buffer);
  const at = operands.map((x, k) => {
    heap.set(x, k * (n + 1));
    return k * (n + 1) * 4;
  });
  const out = operands.length * (n + 1) * 4;
  exports.c0(out, 0, n, 1, ...at);
  return heap.slice(out / 4, out / 4 + n);
}
