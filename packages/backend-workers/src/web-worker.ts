import type { Endpoint } from "comlink";
import type { WorkerHandle, WorkerSpawner } from "./worker-handle.js";

/** The part of the DOM `Worker` this factory uses (the package builds without the DOM lib). */
interface DomWorker extends Endpoint {
  terminate(): void;
}

/** The DOM `Worker` constructor, declared here for the same reason. */
declare const Worker: (new (url: URL | string, options?: { type?: "module" | "classic"; name?: string }) => DomWorker) | undefined;

/** Options of {@link createWebWorkerSpawner}. */
export interface WebWorkerSpawnerOptions {
  /**
   * The worker module: the built `browser-worker.js` of this package (exported
   * as `@unroll/backend-workers/browser-worker`), e.g. the URL a bundler gives
   * for it (in Vite, that module imported with the `?worker&url` suffix).
   * Default: `browser-worker.js` next to this file, written as
   * `new URL("./browser-worker.js", import.meta.url)`, a pattern bundlers
   * (Vite, webpack 5) recognize and bundle.
   */
  readonly url?: URL | string;
}

/**
 * Starts the pool's workers as module Web Workers, for browsers. The page must
 * be cross-origin isolated (COOP `same-origin`, COEP `require-corp`) for
 * tensors to be shared; otherwise the backend says so once in its log and
 * transfers copies instead.
 */
export function createWebWorkerSpawner(options: WebWorkerSpawnerOptions = {}): WorkerSpawner {
  const nav = (globalThis as { navigator?: { hardwareConcurrency?: number } }).navigator;
  return {
    kind: "web",
    defaultWorkers: () => nav?.hardwareConcurrency ?? 1,
    spawn(index: number): WorkerHandle {
      if (typeof Worker === "undefined") throw new Error("Web Workers are not available here; in Node use the default (worker_threads) spawner");
      // written out literally so that bundlers recognize the worker and bundle it
      const worker = options.url
        ? new Worker(options.url, { type: "module", name: `unroll worker ${index}` })
        : new Worker(new URL("./browser-worker.js", import.meta.url), { type: "module" });
      let dead = false;
      let terminated = false;
      const listeners: ((cause: Error) => void)[] = [];
      const die = (cause: Error): void => {
        if (dead || terminated) return;
        dead = true;
        worker.terminate();
        for (const l of listeners) l(cause);
      };
      // a Web Worker has no exit event: an uncaught error or an undecodable message ends it here
      worker.addEventListener("error", (e: unknown) => {
        const ev = e as unknown as { message?: string; preventDefault?: () => void };
        ev.preventDefault?.();
        die(new Error(`crashed: ${ev.message ?? "uncaught error (or the worker script failed to load)"}`));
      });
      worker.addEventListener("messageerror", () => die(new Error("sent a message that could not be deserialized")));
      return {
        endpoint: worker,
        onDeath: (l) => void listeners.push(l),
        ref: () => {},
        unref: () => {},
        async terminate() {
          terminated = true;
          worker.terminate();
        },
      };
    },
  };
}
