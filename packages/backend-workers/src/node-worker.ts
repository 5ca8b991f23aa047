import { availableParallelism } from "node:os";
import { Worker } from "node:worker_threads";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import type { WorkerHandle, WorkerSpawner } from "./worker-handle.js";

/** Options of `loadNodeWorkerSpawner` (the Node spawner). */
export interface NodeWorkerSpawnerOptions {
  /**
   * The worker module. Default: `worker.js` next to this file (`dist/`), or
   * `worker.ts` when running from TypeScript sources. A replacement must serve
   * the same API, e.g. with `exposeWorkerService`.
   */
  readonly url?: URL;
}

/**
 * Starts the pool's workers as Node `worker_threads`.
 *
 * From the built package the worker is the plain module `dist/worker.js`. When
 * this file itself runs from TypeScript source (vitest, tsx), Node 20 cannot
 * load a `.ts` worker through `execArgv` loaders, so the worker is an eval'd
 * bootstrap that registers tsx (resolved here, since an eval'd worker resolves
 * bare names from the cwd) and then imports `worker.ts`; it runs with
 * `--conditions=source` so that sibling packages also load from source.
 */
export function createNodeWorkerSpawner(options: NodeWorkerSpawnerOptions = {}): WorkerSpawner {
  const fromSource = import.meta.url.endsWith(".ts");
  const url = options.url ?? new URL(fromSource ? "./worker.ts" : "./worker.js", import.meta.url);
  const start = (index: number): Worker => {
    const name = `unroll worker ${index}`;
    if (!url.pathname.endsWith(".ts")) return new Worker(url, { name });
    const tsx = import.meta.resolve("tsx/esm/api");
    const code = `import(${JSON.stringify(tsx)}).then((t) => { t.register(); return import(${JSON.stringify(url.href)}); });`;
    return new Worker(code, { eval: true, name, execArgv: ["--conditions=source"] });
  };
  return {
    kind: "worker_threads",
    defaultWorkers: () => availableParallelism(),
    spawn(index: number): WorkerHandle {
      const worker = start(index);
      worker.unref();
      let terminated = false;
      let dead = false;
      const listeners: ((cause: Error) => void)[] = [];
      const die = (cause: Error): void => {
        if (dead || terminated) return;
        dead = true;
        for (const l of listeners) l(cause);
      };
      // an uncaught error is reported first, then the exit: the error is the better cause
      worker.on("error", (e: unknown) => die(new Error(`crashed: ${e instanceof Error ? e.message : String(e)}`, { cause: e })));
      worker.on("exit", (code: number) => die(new Error(`exited with code ${code}`)));
      return {
        endpoint: nodeEndpoint(worker),
        onDeath: (l) => void listeners.push(l),
        ref: () => worker.ref(),
        unref: () => worker.unref(),
        async terminate() {
          terminated = true;
          await worker.terminate();
        },
      };
    },
  };
}
