import type { WasmMemoryObject } from "../linear-memory.js";
import { startThread, type TeamThread } from "./start-thread.js";
import { ARGS, DONE, LOADED, MESSAGE, Op, OP, SEQ, SLOT_WORDS, STATUS, type TeamChains, type TeamInit } from "./team-protocol.js";

/** Options of {@link ThreadTeam.start}. */
export interface ThreadTeamOptions {
  /** The shared `WebAssembly.Memory`. */
  readonly memory: WasmMemoryObject;
  /** The GEMM module built for a shared memory. */
  readonly gemm: object;
  /** Byte offset of the control block ({@link controlBytes} of it). */
  readonly control: number;
  /** Threads in all, the lead (the caller's thread) included: workers are `threads - 1`. */
  readonly threads: number;
  /** How long a job may run before its worker counts as hung. */
  readonly hangTimeoutMs: number;
  /** Starts one worker (default {@link startThread}); tests wrap it to make workers fail. */
  readonly startThread?: (name: string) => TeamThread;
}

/** A worker's failure: a job threw, it hung, or it died. The team must be restarted. */
export class ThreadFailure extends Error {
  /** `"ThreadFailure"`. */
  override readonly name = "ThreadFailure";
}

/** How much a team's lead has waited for its workers. */
export interface ThreadWaits {
  /** Jobs posted to workers. */
  readonly jobs: number;
  /** Milliseconds the lead spent waiting for workers after its own part. */
  readonly ms: number;
}

/** Bytes of control block a team of `threads` needs. */
export function controlBytes(threads: number): number {
  return 4 * SLOT_WORDS * threads;
}

// watch a worker's done word this long before sleeping: most jobs end within microseconds of the lead's own part,
// and a sleeping lead wakes ~2 ms late on a 2-vCPU VM
const SPIN_MS = 20;

/** Whether this thread may block in `Atomics.wait` (a browser's main thread may not). */
function canBlock(probe: Int32Array): boolean {
  try {
    Atomics.wait(probe, 0, 1, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * The workers that share the lead's memory. The lead posts a job by writing
 * its arguments into a worker's slot and bumping the slot's sequence number
 * (`Atomics.notify`), runs its own part, then waits for each worker's done
 * word: no message per job. A job that throws, a worker that does not finish
 * within `hangTimeoutMs`, or one that died fails with a {@link ThreadFailure};
 * the team is then `broken` and its owner starts a new one.
 */
export class ThreadTeam {
  private readonly ctrl: Int32Array;
  private readonly floats: Float32Array;
  private readonly block: boolean;
  private failure: Error | undefined;
  /** Modules posted to the workers so far. */
  private modules = 0;
  /** The team's number of each module it was given, by the caller's number. */
  private readonly given = new Map<number, number>();
  private jobs = 0;
  private waitedMs = 0;

  private constructor(
    private readonly options: ThreadTeamOptions,
    private readonly workers: readonly TeamThread[],
  ) {
    this.ctrl = new Int32Array(options.memory.buffer, options.control, SLOT_WORDS * options.threads);
    this.floats = new Float32Array(this.ctrl.buffer, this.ctrl.byteOffset, this.ctrl.length);
    this.block = canBlock(this.ctrl);
    for (const [i, w] of workers.entries())
      w.onDeath((cause) => (this.failure ??= new ThreadFailure(`wasm thread ${i + 2} of ${options.threads} ${cause.message}`)));
  }

  /** Starts `threads - 1` workers on a zeroed control block and waits until each has instantiated the GEMM. */
  static async start(options: ThreadTeamOptions): Promise<ThreadTeam> {
    new Int32Array(options.memory.buffer, options.control, SLOT_WORDS * options.threads).fill(0);
    const workers: TeamThread[] = [];
    try {
      await Promise.all(
        Array.from({ length: options.threads - 1 }, (_, i) => {
          const w = (options.startThread ?? startThread)(`unroll wasm thread ${i + 2}`);
          workers.push(w);
          return new Promise<void>((resolve, reject) => {
            w.onMessage((m) => (m as { kind?: string }).kind === "ready" && resolve());
            w.onDeath((cause) => reject(new Error(`wasm thread ${i + 2} failed to start: ${cause.message}`)));
            const init: TeamInit = { kind: "init", memory: options.memory, gemm: options.gemm, control: options.control, slot: i + 1 };
            w.post(init);
          });
        }),
      );
    } catch (e) {
      await Promise.all(workers.map((w) => w.terminate()));
      throw e;
    }
    return new ThreadTeam(options, workers);
  }

  /** Threads in all, the lead included. */
  get size(): number {
    return this.options.threads;
  }

  /** Jobs posted so far, and milliseconds the lead spent waiting for workers after its own part. */
  get waits(): ThreadWaits {
    return { jobs: this.jobs, ms: this.waitedMs };
  }

  /** Why the team cannot be used any more, if it cannot. */
  get broken(): Error | undefined {
    return this.failure;
  }

  /** Posts `gemm(...)` (the GEMM module's arguments) to worker `w` (1-based). */
  postGemm(w: number, args: readonly number[], alpha: number, beta: number, ws: number): void {
    const at = this.claim(w) + ARGS;
    for (let i = 0; i < 10; i++) this.ctrl[at + i] = args[i];
    this.floats[at + 10] = alpha;
    this.floats[at + 11] = beta;
    this.ctrl[at + 12] = ws;
    this.post(w, Op.Gemm);
  }

  /** Posts elementwise chain `index` of module `module` on elements `[start, end)` to worker `w`. */
  postChain(w: number, module: number, index: number, out: number, start: number, end: number, period: number, inputs: readonly number[]): void {
    const at = this.claim(w) + ARGS;
    const words = [module, index, out, start, end, period, inputs.length, ...inputs];
    if (ARGS + words.length > MESSAGE) throw new RangeError(`an elementwise chain of ${inputs.length} inputs does not fit a job slot`);
    for (let i = 0; i < words.length; i++) this.ctrl[at + i] = words[i];
    this.post(w, Op.Chain);
  }

  /** Whether worker `w` has instantiated this team's chain module `module`. */
  private hasModule(w: number, module: number): boolean {
    return Atomics.load(this.ctrl, this.slot(w) + LOADED) > module;
  }

  /**
   * Whether every worker has instantiated the caller's module `module`: the
   * first call gives it to them (each returns to its event loop to
   * instantiate it, which takes a moment), later ones check. Until it is
   * true, the caller runs that module's chains alone.
   */
  provide(module: number, bytes: Uint8Array): boolean {
    let local = this.given.get(module);
    if (local === undefined) this.given.set(module, (local = this.loadModule(bytes)));
    for (let w = 1; w < this.size; w++) if (!this.hasModule(w, local)) return false;
    return true;
  }

  /** The team's number of the caller's module `module` (given by {@link provide}), for {@link postChain}. */
  localModule(module: number): number {
    return this.given.get(module)!;
  }

  /** Gives every worker a module of elementwise chains; returns its number in this team. */
  private loadModule(bytes: Uint8Array): number {
    const message: TeamChains = { kind: "chains", bytes };
    for (let w = 1; w < this.size; w++) {
      this.workers[w - 1].post(message);
      this.post(w, Op.Yield);
      this.join([w], "taking a module");
    }
    return this.modules++;
  }

  /**
   * Wakes every worker without waiting for it: a worker that has slept takes
   * a while to wake (~2 ms on this project's VMs), which then overlaps the
   * caller's own work before its first kernel. A window's start calls this.
   */
  wake(): void {
    for (let w = 1; w < this.size; w++) this.post(w, Op.Wake);
  }

  /** Waits until workers `ws` have finished their jobs; throws a {@link ThreadFailure} if one threw, hung or died. */
  join(ws: readonly number[], what: string): void {
    const t0 = performance.now();
    for (const w of ws) this.waitFor(w, what);
    this.waitedMs += performance.now() - t0;
  }

  /** Stops every worker. */
  async terminate(): Promise<void> {
    this.failure ??= new ThreadFailure("the wasm threads were stopped");
    await Promise.all(this.workers.map((w) => w.terminate()));
  }

  private slot(w: number): number {
    return w * SLOT_WORDS;
  }

  /** Worker `w`'s slot, once its last job (perhaps a wake-up, never joined) is done: only then may its words be rewritten. */
  private claim(w: number): number {
    if (this.failure) throw this.failure;
    const s = this.slot(w);
    if (Atomics.load(this.ctrl, s + DONE) !== Atomics.load(this.ctrl, s + SEQ)) this.waitFor(w, "waking up");
    return s;
  }

  private post(w: number, op: Op): void {
    const s = this.claim(w);
    this.ctrl[s + OP] = op;
    this.jobs++;
    Atomics.add(this.ctrl, s + SEQ, 1);
    Atomics.notify(this.ctrl, s + SEQ);
  }

  private waitFor(w: number, what: string): void {
    const s = this.slot(w);
    const seq = Atomics.load(this.ctrl, s + SEQ);
    let done = Atomics.load(this.ctrl, s + DONE);
    const start = performance.now();
    for (let i = 0, until = start + Math.min(SPIN_MS, this.options.hangTimeoutMs); done !== seq && (i & 1023 || performance.now() < until); i++)
      done = Atomics.load(this.ctrl, s + DONE);
    if (done !== seq) {
      const deadline = start + this.options.hangTimeoutMs;
      while (done !== seq) {
        if (this.failure) throw this.failure;
        if (performance.now() > deadline) {
          this.failure = new ThreadFailure(
            `wasm thread ${w + 1} of ${this.size} did not finish ${what} within ${this.options.hangTimeoutMs} ms (hung or crashed); ` +
              "the threads are restarted before the next call",
          );
          throw this.failure;
        }
        if (this.block) Atomics.wait(this.ctrl, s + DONE, done, 20);
        done = Atomics.load(this.ctrl, s + DONE);
      }
    }
    if (this.ctrl[s + STATUS] !== 0) {
      const length = this.ctrl[s + MESSAGE];
      const message = String.fromCharCode(...this.ctrl.subarray(s + MESSAGE + 1, s + MESSAGE + 1 + length));
      this.failure = new ThreadFailure(`wasm thread ${w + 1} of ${this.size} failed in ${what}: ${message}`);
      throw this.failure;
    }
  }
}
