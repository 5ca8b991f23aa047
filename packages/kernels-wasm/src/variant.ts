import { relaxedSimdSharedWasm, relaxedSimdWasm, simdSharedWasm, simdWasm } from "./generated/gemm-wasm.js";
import { wasmApi } from "./wasm-api.js";

/** Which build of the kernel runs: fused multiply-add (relaxed SIMD) or plain SIMD mul + add. */
export type GemmVariant = "relaxed-simd" | "simd";

/**
 * The memory a build imports as `env.memory`: its own (`WebAssembly.Memory({ initial })`), or
 * a shared one (`{ initial, maximum ≤ 65536, shared: true }`) that several threads instantiate
 * the same module against. WebAssembly links a build only to the kind it was built for.
 */
export type GemmMemoryKind = "own" | "shared";

/** A compiled kernel module and the build it came from. */
export interface CompiledGemm {
  /** The `WebAssembly.Module`; its instance exports {@link GemmExports} and imports `env.memory`. */
  readonly module: object;
  /** Which build it is. */
  readonly variant: GemmVariant;
}

function decodeBase64(text: string): Uint8Array {
  const bin = atob(text);
  const bytes = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) bytes[i] = bin.charCodeAt(i);
  return bytes;
}

/**
 * Node 20 (V8 11.3) ships relaxed SIMD behind a flag that `NODE_OPTIONS` rejects but
 * `v8.setFlagsFromString` accepts. `process.getBuiltinModule` keeps `node:v8` out of the
 * import graph, so browser bundles never see it; elsewhere this is a no-op.
 */
function enableRelaxedSimdInNode(): void {
  const proc = (globalThis as { process?: { getBuiltinModule?: (id: string) => unknown } }).process;
  const v8 = proc?.getBuiltinModule?.("node:v8") as { setFlagsFromString?: (flags: string) => void } | undefined;
  v8?.setFlagsFromString?.("--experimental-wasm-relaxed-simd");
}

/**
 * Compiles the fastest build this runtime accepts: the relaxed-SIMD one if it validates
 * (after enabling the flag on Node 20), else plain SIMD. `want` forces one build; `memory`
 * picks the build for a memory of the module's own or a shared one.
 */
export function compileGemm(want?: GemmVariant, memory: GemmMemoryKind = "own"): CompiledGemm {
  const shared = memory === "shared";
  if (want !== "simd") {
    const relaxed = decodeBase64(shared ? relaxedSimdSharedWasm : relaxedSimdWasm);
    let ok = wasmApi.validate(relaxed);
    if (!ok) {
      enableRelaxedSimdInNode();
      ok = wasmApi.validate(relaxed);
    }
    if (ok) return { module: new wasmApi.Module(relaxed), variant: "relaxed-simd" };
    if (want === "relaxed-simd") throw new Error("this runtime does not support WebAssembly relaxed SIMD");
  }
  const plain = decodeBase64(shared ? simdSharedWasm : simdWasm);
  if (!wasmApi.validate(plain)) throw new Error("this runtime does not support WebAssembly SIMD");
  return { module: new wasmApi.Module(plain), variant: "simd" };
}
