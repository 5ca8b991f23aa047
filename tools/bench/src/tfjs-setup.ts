import { createRequire } from "node:module";
import { dirname } from "node:path";
import * as tf from "@tensorflow/tfjs";
import { setWasmPaths } from "@tensorflow/tfjs-backend-wasm";

/** The TF.js backends this benchmark compares with. */
export type TfjsBackend = "cpu" | "wasm";

/**
 * Selects a TF.js backend in production mode (no debug checks, no "install
 * tfjs-node" banner). The wasm backend reads its `.wasm` binaries from the
 * package's `dist/` folder in node_modules, given as a file path; in Node it
 * runs the single-threaded SIMD binary (TF.js disables wasm threads in Node).
 */
export async function useTfjsBackend(backend: TfjsBackend): Promise<void> {
  tf.enableProdMode();
  if (backend === "wasm") {
    const main = createRequire(import.meta.url).resolve("@tensorflow/tfjs-backend-wasm");
    setWasmPaths(`${dirname(main)}/`);
  }
  if (!(await tf.setBackend(backend))) throw new Error(`TF.js backend "${backend}" failed to initialize`);
  await tf.ready();
}
