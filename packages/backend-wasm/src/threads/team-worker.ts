/**
 * The body of every worker of a thread team. It is turned into source with
 * `toString()` and started as an eval'd `worker_threads` worker in Node or a
 * blob-URL Web Worker in browsers, so it must not use anything from outside
 * its own body (no imports: the protocol's numbers are written out, and
 * `team-protocol.ts` names them).
 *
 * `port` receives messages and posts replies. The worker waits for jobs on
 * its slot with `Atomics.wait` (after a short spin, since kernels follow each
 * other closely) and runs them with the instances it made against the shared
 * memory.
 */
export function serveTeam(port: { on(listener: (message: unknown) => void): void; post(message: unknown): void }): void {
  type Exports = Record<string, (...args: number[]) => void>;
  interface Wasm {
    Module: new (bytes: Uint8Array) => object;
    Instance: new (module: object, imports: object) => { exports: Exports };
  }
  const wasm = (globalThis as unknown as { WebAssembly: Wasm }).WebAssembly;
  // protocol (team-protocol.ts): slots of 128 words; SEQ 0, DONE 1, STATUS 2, OP 3, LOADED 4, ARGS 8, MESSAGE 64; ops Gemm 1, Chain 2, Yield 3, Wake 4
  // after a job, watch for the next one this long before sleeping: waking a sleeping thread took ~2 ms on
  // this project's 2-vCPU machines (an idle vCPU is halted), 40 recurrent products' worth
  const SPIN_MS = 10;
  let ctrl: Int32Array;
  let floats: Float32Array; // the same words, for float32 arguments
  let base = 0;
  let memory: object;
  let gemm: Exports;
  const chains: Exports[] = [];
  let last = 0;
  // idle, it blocks in Atomics.wait and never returns to its event loop: a page's
  // performance.measureUserAgentSpecificMemory(), which waits for every worker's event loop, then waits
  // for as long as the backend lives (an Atomics.waitAsync loop did that, but hung a job in Chromium once in CI)

  const loop = (): void => {
    for (;;) {
      let seq = Atomics.load(ctrl, base);
      for (let i = 0, until = performance.now() + SPIN_MS; seq === last && (i & 1023 || performance.now() < until); i++) seq = Atomics.load(ctrl, base);
      if (seq === last) {
        Atomics.wait(ctrl, base, last);
        continue;
      }
      last = seq;
      const op = ctrl[base + 3];
      const a = base + 8;
      let status = 0;
      try {
        if (op === 1) {
          gemm.gemm(
            ctrl[a],
            ctrl[a + 1],
            ctrl[a + 2],
            ctrl[a + 3],
            ctrl[a + 4],
            ctrl[a + 5],
            ctrl[a + 6],
            ctrl[a + 7],
            ctrl[a + 8],
            ctrl[a + 9],
            floats[a + 10],
            floats[a + 11],
            ctrl[a + 12],
          );
        } else if (op === 2) {
          const fn = chains[ctrl[a]][`c${ctrl[a + 1]}`];
          const count = ctrl[a + 6];
          const args = [ctrl[a + 2], ctrl[a + 3], ctrl[a + 4], ctrl[a + 5]];
          for (let k = 0; k < count; k++) args.push(ctrl[a + 7 + k]);
          fn(...args);
        } else if (op === 4) {
          // awake now, and watching for the next job
        } else if (op === 3) {
          Atomics.store(ctrl, base + 1, seq);
          Atomics.notify(ctrl, base + 1);
          return; // back to the event loop: the next message is a module
        } else {
          throw new Error(`unknown job ${op}`);
        }
      } catch (e) {
        status = 1;
        const text = (e instanceof Error ? `${e.name}: ${e.message}` : String(e)).slice(0, 63);
        ctrl[base + 64] = text.length;
        for (let i = 0; i < text.length; i++) ctrl[base + 65 + i] = text.charCodeAt(i);
      }
      ctrl[base + 2] = status;
      Atomics.store(ctrl, base + 1, seq);
      Atomics.notify(ctrl, base + 1);
    }
  };

  port.on((message) => {
    const m = message as { kind: string; memory: { buffer: ArrayBufferLike }; gemm: object; control: number; slot: number; bytes: Uint8Array };
    if (m.kind === "init") {
      memory = m.memory;
      ctrl = new Int32Array(m.memory.buffer, m.control, 128 * (m.slot + 1));
      floats = new Float32Array(ctrl.buffer, ctrl.byteOffset, ctrl.length);
      base = 128 * m.slot;
      last = Atomics.load(ctrl, base);
      gemm = new wasm.Instance(m.gemm, { env: { memory } }).exports;
      port.post({ kind: "ready" });
      loop();
    } else if (m.kind === "chains") {
      chains.push(new wasm.Instance(new wasm.Module(m.bytes), { env: { memory } }).exports);
      Atomics.store(ctrl, base + 4, chains.length);
      loop();
    }
  });
}
