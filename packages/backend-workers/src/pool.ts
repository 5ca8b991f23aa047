import { releaseProxy, wrap, type Remote } from "comlink";
import type { Dtype, Program } from "@unroll/ir";
import type { PoolCall } from "./call-timeout.js";
import { abortError, WorkerError } from "./errors.js";
import type { WorkerApi } from "./protocol.js";
import type { WorkerHandle, WorkerSpawner } from "./worker-handle.js";

/** One place in the pool and the worker currently filling it. */
interface Slot {
  readonly index: number;
  readonly handle: WorkerHandle;
  readonly api: Remote<WorkerApi>;
  /** Settles once the worker has started and loaded every registered program. */
  ready: Promise<void>;
  /** Why the worker died, once it has. */
  dead?: Error;
  /** Calls in flight, told of the worker's death. */
  readonly watchers: Set<(cause: Error) => void>;
  /** Calls in flight, to keep the process alive only while there are some. */
  busy: number;
  /** True once the worker has answered: a worker that dies before is not respawned eagerly. */
  started: boolean;
  /** Settles when the worker has answered every call sent so far: the next call is sent then, so that its timeout counts its own work only. */
  tail: Promise<void>;
}

/** setTimeout's longest delay; a longer timeout is no timeout. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * A fixed number of workers driven with comlink. Each worker gets one call at
 * a time (the next is sent when it answers). Every call is raced against the
 * worker's death (comlink alone would wait forever for a dead worker), its
 * timeout, counted from when it is sent, and an optional abort signal; a
 * worker that dies, hangs past the timeout or is cancelled mid-call is
 * terminated and replaced by a fresh one that gets every loaded program again.
 */
export class WorkerPool {
  private readonly slots: (Slot | undefined)[];
  private readonly programs = new Map<number, { readonly program: Program; readonly dtype: Dtype; readonly memoryBudget: number }>();
  private disposed = false;

  constructor(
    private readonly spawner: WorkerSpawner,
    /** Number of workers. */
    readonly size: number,
    private readonly log: (message: string) => void,
    /** Milliseconds a worker may take to answer a call before it is deemed hung. */
    private readonly timeoutOf: (call: PoolCall) => number,
  ) {
    this.slots = Array.from({ length: size }, () => undefined);
  }

  /** Loads a program on every worker, and on every worker started later. */
  async load(id: number, program: Program, dtype: Dtype, memoryBudget: number): Promise<void> {
    for (let i = 0; i < this.size; i++) this.ensure(i);
    this.programs.set(id, { program, dtype, memoryBudget });
    try {
      await Promise.all(this.slots.map((_, i) => this.call(i, "load", { kind: "load" }, (api) => api.load(id, program, dtype, memoryBudget))));
    } catch (e) {
      await this.unload(id);
      throw e;
    }
  }

  /** Forgets a program on every live worker. */
  async unload(id: number): Promise<void> {
    if (!this.programs.delete(id)) return;
    await Promise.allSettled(this.slots.map((s, i) => (s && !s.dead ? this.call(i, "unload", { kind: "unload" }, (api) => api.unload(id)) : undefined)));
  }

  /**
   * Calls worker `index` (starting it first if needed) once its earlier calls
   * are answered. Rejects with a {@link WorkerError} if the worker throws,
   * dies or does not answer within the timeout of `call` (then it is
   * terminated and replaced), or with an `AbortError` when `signal` aborts
   * (a call already sent terminates and replaces the worker). When `withdraw`
   * aborts before the call is sent, it is dropped (and rejects) with the worker
   * left alone: the rest of a window that has already failed.
   */
  async call<T>(
    index: number,
    what: string,
    call: PoolCall,
    fn: (api: Remote<WorkerApi>) => Promise<T>,
    signal?: AbortSignal,
    withdraw?: AbortSignal,
  ): Promise<T> {
    if (this.disposed) throw new Error("the workers backend has been disposed");
    const slot = this.ensure(index);
    return this.invoke(
      slot,
      what,
      call,
      async (api) => {
        await slot.ready; // settled: the start-up is the slot's first call
        return fn(api);
      },
      signal,
      withdraw,
    );
  }

  /** Terminates every worker; pending calls reject. */
  async dispose(): Promise<void> {
    if (this.disposed) return;
    this.disposed = true;
    const live = this.slots.filter((s): s is Slot => s !== undefined);
    this.slots.fill(undefined);
    for (const s of live) this.died(s, new Error("was terminated: the backend was disposed"));
    await Promise.all(live.map((s) => s.handle.terminate().catch(() => {})));
  }

  private ensure(index: number): Slot {
    const existing = this.slots[index];
    if (existing) return existing;
    const handle = this.spawner.spawn(index);
    const slot: Slot = {
      index,
      handle,
      api: wrap<WorkerApi>(handle.endpoint),
      ready: Promise.resolve(),
      watchers: new Set(),
      busy: 0,
      started: false,
      tail: Promise.resolve(),
    };
    this.slots[index] = slot;
    handle.onDeath((cause) => this.died(slot, cause));
    const programs = [...this.programs];
    slot.ready = this.invoke(slot, "startup", { kind: "startup" }, async (api) => {
      await api.ping();
      for (const [id, { program, dtype, memoryBudget }] of programs) await api.load(id, program, dtype, memoryBudget);
      slot.started = true;
    });
    slot.ready.catch(() => {}); // reported to the call that awaits it
    this.log(`started worker ${index} (${this.spawner.kind})${programs.length ? `, loading ${programs.length} program(s)` : ""}`);
    return slot;
  }

  /**
   * Runs one comlink call after the slot's earlier calls, settling on its
   * answer, the worker's death, its timeout or the signal, whichever comes first.
   */
  private invoke<T>(
    slot: Slot,
    what: string,
    call: PoolCall,
    fn: (api: Remote<WorkerApi>) => Promise<T>,
    signal?: AbortSignal,
    withdraw?: AbortSignal,
  ): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      if (slot.dead) return reject(this.deathError(slot, what, slot.dead));
      if (signal?.aborted) return reject(abortError(signal));
      const ms = this.timeoutOf(call);
      if (!(ms >= 0)) throw new Error(`timeout: the timeout of ${what} must be a number of milliseconds >= 0, got ${String(ms)}`);
      let done = false;
      let sent = false;
      let timer: ReturnType<typeof setTimeout> | undefined;
      let answered!: () => void;
      const answer = new Promise<void>((r) => (answered = r));
      const previous = slot.tail;
      slot.tail = previous.then(() => answer);
      const finish = (): boolean => {
        if (done) return false;
        done = true;
        clearTimeout(timer);
        slot.watchers.delete(onDeath);
        signal?.removeEventListener("abort", onAbort);
        withdraw?.removeEventListener("abort", onWithdraw);
        if (--slot.busy === 0 && !slot.dead) slot.handle.unref();
        return true;
      };
      const onDeath = (cause: Error): void => {
        if (finish()) reject(this.deathError(slot, what, cause));
      };
      const onAbort = (): void => {
        if (!finish()) return;
        reject(abortError(signal!));
        // a call not yet sent leaves the worker alone; one it is running can only be stopped with it
        if (sent) this.died(slot, new Error(`was terminated: ${what} was cancelled`));
      };
      const onTimeout = (ms: number): void => {
        if (!finish()) return;
        const cause = new Error(`was terminated: ${what} got no answer within ${ms} ms`);
        reject(
          new WorkerError(slot.index, "hung", `worker ${slot.index} did not answer within ${ms} ms during ${what}; it was terminated${this.next()}`, { cause }),
        );
        this.died(slot, cause);
      };
      const onWithdraw = (): void => {
        if (!sent && finish()) reject(new Error(`${what} was withdrawn before it was sent`));
      };
      slot.watchers.add(onDeath);
      signal?.addEventListener("abort", onAbort, { once: true });
      withdraw?.addEventListener("abort", onWithdraw, { once: true });
      if (slot.busy++ === 0) slot.handle.ref();
      void previous.then(() => {
        if (done) return answered();
        sent = true;
        // one more turn of the event loop before judging: an answer that came while this thread was busy is read first
        if (ms < MAX_TIMER_MS) timer = setTimeout(() => (timer = setTimeout(onTimeout, 0, ms)), ms);
        Promise.resolve()
          .then(() => fn(slot.api))
          .finally(answered)
          .then(
            (value) => {
              if (finish()) resolve(value);
            },
            (e: unknown) => {
              if (finish())
                reject(
                  new WorkerError(slot.index, "threw", `worker ${slot.index} failed during ${what}: ${e instanceof Error ? e.message : String(e)}`, {
                    cause: e,
                  }),
                );
            },
          );
      });
    });
  }

  /** How a failure message ends: what the pool does about the dead worker. */
  private next(): string {
    return this.disposed ? "" : "; the pool replaces it";
  }

  private deathError(slot: Slot, what: string, cause: Error): WorkerError {
    return new WorkerError(slot.index, "died", `worker ${slot.index} ${cause.message} during ${what}${this.next()}`, { cause });
  }

  /** Marks the worker dead, fails its calls, stops it and (unless disposing) starts its replacement. */
  private died(slot: Slot, cause: Error): void {
    if (slot.dead) return;
    slot.dead = cause;
    if (this.slots[slot.index] === slot) this.slots[slot.index] = undefined;
    for (const w of [...slot.watchers]) w(cause);
    slot.handle.terminate().catch(() => {});
    // comlink's registry of live proxies holds the endpoint, and through it every call the dead worker never
    // answered, with its window's buffers: releasing the proxy drops them (its goodbye message goes nowhere)
    slot.api[releaseProxy]();
    if (this.disposed) return;
    this.log(`worker ${slot.index} ${cause.message}; ${slot.started ? "replacing it" : "it will be restarted at the next call"}`);
    if (slot.started) this.ensure(slot.index);
  }
}
