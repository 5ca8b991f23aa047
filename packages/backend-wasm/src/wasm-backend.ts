import { deviceBackend, type Backend, type BackendCapabilities, type Device, type LoadedProgram } from "@unroll/bptt";
import { opKinds } from "@unroll/ir";
import { cpuKernels } from "@unroll/kernels-cpu";
import { compileGemm, type GemmExports, type GemmVariant } from "@unroll/kernels-wasm";
import { ChainKernels } from "./chain-kernels.js";
import { LinearMemory, PAGE } from "./linear-memory.js";
import { controlBytes, ThreadTeam, type ThreadWaits } from "./threads/thread-team.js";
import type { TeamThread } from "./threads/start-thread.js";
import { wasmDevice } from "./wasm-device.js";
import type { MatmulContext } from "./wasm-matmul.js";
import type { WasmBuf } from "./wasm-buf.js";

/** Options of {@link createWasmBackend}. */
export interface WasmBackendOptions {
  /** Threads that compute, the caller's own included (default {@link defaultThreads}: one per core); 1 starts no workers at all. */
  readonly threads?: number;
  /** The most the memory may grow to, in MiB (default 4096, WebAssembly's 32-bit limit). */
  readonly maxMemoryMiB?: number;
  /** How long one kernel may take on a worker before the call fails as hung (default 5000 ms). */
  readonly hangTimeoutMs?: number;
  /** Matrix products of fewer flops (2·m·n·k) run on one thread (default {@link PARALLEL_MIN_FLOPS}). */
  readonly parallelMinFlops?: number;
  /** Elementwise kernels of fewer outputs run on one thread (default {@link PARALLEL_MIN_ELEMENTS}). */
  readonly parallelMinElements?: number;
  /** Force a GEMM build (tests, benchmarks); default: relaxed SIMD where the runtime has it. */
  readonly variant?: GemmVariant;
  /** Starts one worker (default {@link startThread}); a test wraps it to make workers fail. */
  readonly startThread?: (name: string) => TeamThread;
  /** Wraps the device before the executor gets it, e.g. to time its kernels (`tools/bench`'s profile). */
  readonly wrapDevice?: (device: Device<WasmBuf>) => Device<WasmBuf>;
}

/** How a {@link WasmBackend} runs, once it has started. */
export interface WasmThreading {
  /** Threads asked for. */
  readonly requested: number;
  /** Threads computing: `requested`, or 1 where threads cannot share memory. */
  readonly threads: number;
  /** Whether the memory is shared. */
  readonly shared: boolean;
  /** Why it runs on fewer threads than asked, if it does. */
  readonly reason?: string;
  /** The GEMM build. */
  readonly variant: GemmVariant;
  /** Jobs posted to workers and milliseconds the caller's thread spent waiting for them since the start (or the last restart). */
  readonly waits: () => ThreadWaits;
}

/** The WebAssembly backend: a {@link Backend} that also says how many threads it runs on. */
export interface WasmBackend extends Backend {
  /** Starts the backend if it has not started, and says how it runs. */
  threading(): Promise<WasmThreading>;
}

/**
 * Below this many flops (2·m·n·k) a matrix product runs on one thread. With the
 * worker awake, posting a job and joining it costs a few microseconds: on 2
 * cores `bench/parallel-threshold.ts` measured 0.90× at 4×64×64 (32 Kflop),
 * 1.44–1.62× at 256 Kflop and 1.9–2.0× from 2 Mflop (32×256×256, W1's
 * recurrent product) up.
 */
export const PARALLEL_MIN_FLOPS = 1 << 17;

/**
 * Below this many outputs an elementwise kernel runs on one thread: the same
 * measurement gave 1.13× for tanh(x + b) at 1,024 elements, 1.75× at 4,096 and
 * 1.9–2.0× from 8,192 (W1's 32×256) up; each split is one more point where a
 * noisy machine can delay a thread, so the threshold keeps a margin.
 */
export const PARALLEL_MIN_ELEMENTS = 4096;

/** What the WebAssembly backend computes: every op, in float32 and float64 (float64 on the reference kernels). */
export const wasmCapabilities: BackendCapabilities = { dtypes: ["float32", "float64"], ops: opKinds };

const ALIGN = 64;
/** The modules' static data lives below this. */
const STATIC_BYTES = PAGE;

/** One thread per core: `os.availableParallelism()` in Node, `navigator.hardwareConcurrency` in browsers, else 1. */
export function defaultThreads(): number {
  const g = globalThis as { navigator?: { hardwareConcurrency?: number }; process?: { getBuiltinModule?: (id: string) => unknown } };
  const os = g.process?.getBuiltinModule?.("node:os") as { availableParallelism?: () => number } | undefined;
  return os?.availableParallelism?.() ?? g.navigator?.hardwareConcurrency ?? 1;
}

/** Why threads cannot share memory here, or undefined when they can. */
function noSharedMemory(): string | undefined {
  const g = globalThis as { crossOriginIsolated?: boolean; SharedArrayBuffer?: unknown };
  if (g.crossOriginIsolated === false)
    return "the page is not cross-origin isolated (it needs the COOP and COEP headers), so it cannot share memory between threads";
  if (g.SharedArrayBuffer === undefined) return "SharedArrayBuffer is not available here";
  return undefined;
}

/** A started backend: its memory, the lead's GEMM, the workers, and the device backend on them. */
interface Started {
  readonly backend: Backend;
  readonly threading: WasmThreading;
  /** The workers; undefined with one thread, or while they are being replaced. */
  team: ThreadTeam | undefined;
  /** Starts a new team on the same memory (a no-op with one thread). */
  readonly startTeam: () => Promise<void>;
  restart?: Promise<void>;
}

/**
 * The WebAssembly backend: {@link wasmDevice} under the shared executor.
 * Every tensor of a program lives in one `WebAssembly.Memory`; with
 * `threads: N > 1` the memory is shared and N − 1 workers (`worker_threads`
 * in Node, Web Workers in browsers) attach to it and split each large
 * matrix product with the caller's thread. Where memory cannot be shared
 * (a page that is not cross-origin isolated) it runs on one thread, and
 * {@link WasmBackend.threading} says why. A worker that fails, hangs or dies
 * fails the call it was part of, and the next call starts new workers.
 *
 * ```ts
 * const backend = createWasmBackend({ threads: 2 });
 * const loaded = await backend.load(program, { dtype: "float32" });
 * ```
 */
export function createWasmBackend(options: WasmBackendOptions = {}): WasmBackend {
  const requested = options.threads ?? defaultThreads();
  if (!Number.isInteger(requested) || requested < 1) throw new RangeError(`threads must be a whole number ≥ 1, got ${requested}`);
  const maximumBytes = Math.min(65536, Math.ceil(((options.maxMemoryMiB ?? 4096) * 1048576) / PAGE)) * PAGE;
  const hangTimeoutMs = options.hangTimeoutMs ?? 5000;
  const wrap = options.wrapDevice ?? ((d: Device<WasmBuf>) => d);
  let started: Promise<Started> | undefined;
  let disposed = false;

  const start = (): Promise<Started> => {
    if (disposed) return Promise.reject(new Error("the wasm backend has been disposed"));
    started ??= (async () => {
      const reason = requested > 1 ? noSharedMemory() : undefined;
      const threads = reason ? 1 : requested;
      const shared = threads > 1;
      const { module, variant } = compileGemm(options.variant, shared ? "shared" : "own");
      // layout: static data | control block | one packing workspace per thread | tensors
      const control = STATIC_BYTES;
      const wsStart = roundUp(control + controlBytes(threads), ALIGN);
      const wsBytes = roundUp(workspaceBytes(module, shared), ALIGN);
      const memory = new LinearMemory({ shared, reservedBytes: wsStart + threads * wsBytes, maximumBytes });
      const gemm = instantiate(module, memory.memory);
      const workspaces = Array.from({ length: threads }, (_, t) => wsStart + t * wsBytes);
      const parallelMinFlops = options.parallelMinFlops ?? PARALLEL_MIN_FLOPS;
      const s: Started = {
        threading: { requested, threads, shared, variant, ...(reason ? { reason } : {}), waits: () => s.team?.waits ?? { jobs: 0, ms: 0 } },
        team: undefined,
        startTeam: async () => {
          if (threads > 1)
            s.team = await ThreadTeam.start({
              memory: memory.memory,
              gemm: module,
              control,
              threads,
              hangTimeoutMs,
              ...(options.startThread ? { startThread: options.startThread } : {}),
            });
        },
        backend: deviceBackend(
          wrap(
            wasmDevice({
              memory,
              matmul: (): MatmulContext => ({ gemm, workspaces, team: s.team, parallelMinFlops }),
              chains: new ChainKernels(memory, () => s.team, options.parallelMinElements ?? PARALLEL_MIN_ELEMENTS),
              kernels: cpuKernels,
            }),
          ),
        ),
      };
      await s.startTeam();
      return s;
    })();
    started.catch(() => (started = undefined));
    return started;
  };

  /** Replaces a team that failed: the old workers are stopped first, so none writes into the memory afterwards. */
  const healthy = async (s: Started): Promise<void> => {
    if (!s.team?.broken) return;
    s.restart ??= (async () => {
      const old = s.team!;
      s.team = undefined;
      await old.terminate();
      await s.startTeam();
    })().finally(() => (s.restart = undefined));
    await s.restart;
  };

  return {
    name: "wasm",
    capabilities: wasmCapabilities,
    async threading() {
      return (await start()).threading;
    },
    async load(program, loadOptions): Promise<LoadedProgram> {
      const s = await start();
      await healthy(s);
      const loaded = await s.backend.load(program, loadOptions);
      return {
        async runWindow(request) {
          if (!disposed) await healthy(s);
          s.team?.wake();
          return loaded.runWindow(request);
        },
        dispose: () => loaded.dispose(),
      };
    },
    async dispose() {
      if (disposed) return;
      disposed = true;
      const s = await started?.catch(() => undefined);
      await s?.backend.dispose();
      await s?.team?.terminate();
    },
  };
}

interface InstanceApi {
  Instance: new (module: object, imports: object) => { exports: unknown };
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => object;
}
const wasmApi = (globalThis as unknown as { WebAssembly: InstanceApi }).WebAssembly;

function instantiate(module: object, memory: object): GemmExports {
  return new wasmApi.Instance(module, { env: { memory } }).exports as GemmExports;
}

/** Bytes of packing workspace the GEMM needs per thread (a constant of the build: asked of a throwaway instance). */
function workspaceBytes(module: object, shared: boolean): number {
  return instantiate(module, new wasmApi.Memory({ initial: 1, maximum: 1, shared })).workspaceBytes();
}

function roundUp(x: number, unit: number): number {
  return Math.ceil(x / unit) * unit;
}
