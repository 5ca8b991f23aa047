import { serveTeam } from "./team-worker.js";

/** One worker of a thread team, in Node or a browser. */
export interface TeamThread {
  /** Posts a message (the memory and modules are shared or cloned, never copied per job). */
  post(message: unknown): void;
  /** Calls `listener` with every message the worker posts. */
  onMessage(listener: (message: unknown) => void): void;
  /** Calls `listener` once if the worker crashes or exits on its own. */
  onDeath(listener: (cause: Error) => void): void;
  /** Stops the worker, even in the middle of a kernel. */
  terminate(): Promise<void>;
}

// esbuild (tsx, vitest) may wrap named functions in `__name(...)` calls: give the eval'd source one
const PRELUDE = "const __name = (f) => f;\n";

interface NodeWorker {
  on(event: string, listener: (value: unknown) => void): void;
  postMessage(message: unknown): void;
  terminate(): Promise<number>;
  unref(): void;
}
interface WebWorker {
  addEventListener(event: string, listener: (event: { data?: unknown; message?: string; preventDefault?: () => void }) => void): void;
  postMessage(message: unknown): void;
  terminate(): void;
}
interface Globals {
  process?: { getBuiltinModule?: (id: string) => unknown };
  Worker?: new (url: string, options?: { name?: string }) => WebWorker;
  Blob?: new (parts: string[], options: { type: string }) => object;
  URL: { createObjectURL?: (blob: object) => string };
}

/**
 * Starts a worker running `serveTeam`: a `worker_threads` worker from
 * eval'd source in Node, a Web Worker from a blob URL in browsers. Both run
 * the same function's source, so there is one implementation and nothing for
 * a bundler to find.
 */
export function startThread(name: string): TeamThread {
  const g = globalThis as unknown as Globals;
  const threads = g.process?.getBuiltinModule?.("node:worker_threads") as { Worker: new (code: string, options: object) => NodeWorker } | undefined;
  const deaths: ((cause: Error) => void)[] = [];
  let over = false;
  const die = (cause: Error): void => {
    if (over) return;
    over = true;
    for (const l of deaths) l(cause);
  };
  if (threads) {
    const code = `${PRELUDE}const { parentPort } = require("node:worker_threads");\n(${serveTeam.toString()})({ on: (f) => parentPort.on("message", f), post: (m) => parentPort.postMessage(m) });`;
    const worker = new threads.Worker(code, { eval: true, name });
    worker.unref();
    const listeners: ((m: unknown) => void)[] = [];
    worker.on("message", (m) => listeners.forEach((l) => l(m)));
    worker.on("error", (e) => die(new Error(`crashed: ${e instanceof Error ? e.message : String(e)}`)));
    worker.on("exit", (code) => die(new Error(`exited with code ${String(code)}`)));
    return {
      post: (m) => worker.postMessage(m),
      onMessage: (l) => void listeners.push(l),
      onDeath: (l) => void deaths.push(l),
      async terminate() {
        over = true;
        await worker.terminate();
      },
    };
  }
  if (!g.Worker || !g.Blob || !g.URL.createObjectURL) throw new Error("wasm threads need worker_threads (Node) or Web Workers (browsers), and neither is here");
  const code = `${PRELUDE}(${serveTeam.toString()})({ on: (f) => self.addEventListener("message", (e) => f(e.data)), post: (m) => self.postMessage(m) });`;
  const worker = new g.Worker(g.URL.createObjectURL(new g.Blob([code], { type: "text/javascript" })), { name });
  worker.addEventListener("error", (e) => {
    e.preventDefault?.();
    die(new Error(`crashed: ${e.message ?? "uncaught error"}`));
  });
  return {
    post: (m) => worker.postMessage(m),
    onMessage: (l) => worker.addEventListener("message", (e) => l(e.data)),
    onDeath: (l) => void deaths.push(l),
    async terminate() {
      over = true;
      worker.terminate();
    },
  };
}
