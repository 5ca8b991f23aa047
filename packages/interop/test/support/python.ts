import { execFile, spawnSync } from "node:child_process";
import { fileURLToPath } from "node:url";

/** The python with torch that the PyTorch tests run: `UNROLL_PYTHON`, or Debian's `/usr/bin/python3` (package python3-torch). */
export const PYTHON = process.env.UNROLL_PYTHON ?? "/usr/bin/python3";

/** Whether {@link PYTHON} has a module: finding it is enough to decide, and much faster than importing it (torch). */
function hasModule(name: string): boolean {
  return spawnSync(PYTHON, ["-c", `import importlib.util, sys; sys.exit(importlib.util.find_spec('${name}') is None)`]).status === 0;
}

/** Why the PyTorch tests are skipped, or undefined when they run: without torch they skip, except under CI, where they fail. */
export const torchSkip = !hasModule("torch") && !process.env.CI ? `skipped: ${PYTHON} has no torch (apt-get install -y python3-torch)` : undefined;

/** Why the ONNX checker test is skipped, or undefined when it runs: as {@link torchSkip}, for the onnx package. */
export const onnxCheckerSkip = !hasModule("onnx") && !process.env.CI ? `skipped: ${PYTHON} has no onnx (apt-get install -y python3-onnx)` : undefined;

/** The path of a committed script of `test/python/`. */
export function pythonScript(name: string): string {
  return fileURLToPath(new URL(`../python/${name}`, import.meta.url));
}

/**
 * Runs a script of `test/python/` with {@link PYTHON}, one thread per process
 * (the machines running the tests are shared), and resolves with its standard
 * output and how long it ran; rejects with its standard error when it fails.
 */
export function runPython(script: string, args: readonly string[], timeoutMs = 600_000): Promise<{ stdout: string; seconds: number }> {
  const env = { ...process.env, OPENBLAS_CORETYPE: process.env.OPENBLAS_CORETYPE ?? "SkylakeX", OMP_NUM_THREADS: process.env.OMP_NUM_THREADS ?? "1" };
  const start = performance.now();
  return new Promise((resolve, reject) => {
    execFile(PYTHON, [pythonScript(script), ...args], { env, timeout: timeoutMs, maxBuffer: 64 << 20 }, (error, stdout, stderr) => {
      if (error) reject(new Error(`${script} failed (${error.message.split("\n")[0]}):\n${stderr}`));
      else resolve({ stdout, seconds: (performance.now() - start) / 1000 });
    });
  });
}
