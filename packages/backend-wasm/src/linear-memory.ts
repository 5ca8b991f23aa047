import { RangeArena } from "@unroll/bptt";
import { formatShape, type Dtype, type FloatArray } from "@unroll/ir";
import { bulkMemory, type BulkMemory } from "./bulk-memory.js";
import type { WasmBuf } from "./wasm-buf.js";

/** Bytes per WebAssembly page. */
export const PAGE = 65536;
/** Ranges start on cache lines. */
const LINE = 64;
const MiB = 1 << 20;

/** The `WebAssembly.Memory` members used here (the repo builds without the DOM library). */
export interface WasmMemoryObject {
  /** Its bytes now (a new buffer after each growth). */
  readonly buffer: ArrayBufferLike;
  /** Adds `pages` pages of 64 KiB; returns the old size in pages. */
  grow(pages: number): number;
}

interface MemoryApi {
  Memory: new (descriptor: { initial: number; maximum?: number; shared?: boolean }) => WasmMemoryObject;
}

/** Options of {@link LinearMemory}. */
export interface LinearMemoryOptions {
  /** A shared memory, which threads can attach to. */
  readonly shared: boolean;
  /** Bytes at the start that tensors never use (the modules' static data, control block, workspaces). */
  readonly reservedBytes: number;
  /** The most the memory may grow to, in bytes (a multiple of 64 KiB, at most 4 GiB). */
  readonly maximumBytes: number;
}

/**
 * The device's one `WebAssembly.Memory`: a reserved head, then tensors as
 * ranges of a {@link RangeArena}, in bytes, on cache lines. When a tensor
 * does not fit, the memory grows (to at least twice its size); a request
 * that would take it past its maximum is refused before anything is
 * allocated, with the figures. Growth replaces the memory's buffer, so views
 * are made from the current one at each use, never kept.
 */
export class LinearMemory {
  /** The memory kernels compute in. */
  readonly memory: WasmMemoryObject;
  /** memset and memmove on it. */
  readonly bulk: BulkMemory;
  private readonly arena: RangeArena;
  private f32!: Float32Array;
  private f64!: Float64Array;

  constructor(private readonly options: LinearMemoryOptions) {
    const api = (globalThis as unknown as { WebAssembly: MemoryApi }).WebAssembly;
    const initialBytes = roundTo(options.reservedBytes + 16 * MiB, PAGE);
    if (initialBytes > options.maximumBytes)
      throw new RangeError(`the wasm memory's maximum (${mib(options.maximumBytes)}) is below the ${mib(initialBytes)} it starts with`);
    this.memory = new api.Memory({ initial: initialBytes / PAGE, maximum: options.maximumBytes / PAGE, shared: options.shared });
    this.arena = new RangeArena(initialBytes, options.reservedBytes, LINE);
    this.bulk = bulkMemory(this.memory, { shared: options.shared, initialPages: 1, maximumPages: options.maximumBytes / PAGE });
    this.refresh();
  }

  /** Whether the memory is shared (threads can attach to it). */
  get shared(): boolean {
    return this.options.shared;
  }

  /** The most pages the memory may grow to. */
  get maximumPages(): number {
    return this.options.maximumBytes / PAGE;
  }

  /** Bytes the memory spans now. */
  get bytes(): number {
    return this.memory.buffer.byteLength;
  }

  /** A zero-filled tensor of `shape`. */
  alloc(shape: readonly number[], dtype: Dtype): WasmBuf {
    const size = shape.reduce((a, b) => a * b, 1);
    const bytes = size * (dtype === "float64" ? 8 : 4);
    let at = this.arena.take(bytes);
    if (at === undefined) {
      this.grow(bytes, shape, dtype);
      at = this.arena.take(bytes)!;
    }
    const buf = { byteOffset: at, size, shape: [...shape], dtype };
    this.bulk.zero(at, bytes);
    return buf;
  }

  /** Gives a tensor's range back. */
  release(buf: WasmBuf): void {
    this.arena.give(buf.byteOffset, buf.size * (buf.dtype === "float64" ? 8 : 4));
  }

  /** A typed-array view of `buf` on the memory as it is now (do not keep it across an `alloc`). */
  view(buf: WasmBuf): FloatArray {
    if (this.f32.buffer !== this.memory.buffer) this.refresh();
    return buf.dtype === "float64"
      ? this.f64.subarray(buf.byteOffset >> 3, (buf.byteOffset >> 3) + buf.size)
      : this.f32.subarray(buf.byteOffset >> 2, (buf.byteOffset >> 2) + buf.size);
  }

  /** A copy of `buf`'s elements, for the host to keep. */
  copyOut(buf: WasmBuf): FloatArray {
    // slice() copies into a fresh array (of the view's type, on a plain ArrayBuffer) in one pass
    return this.view(buf).slice();
  }

  /** Bytes tensors hold now, alignment included. */
  get used(): number {
    return this.arena.used - this.options.reservedBytes;
  }

  private grow(bytes: number, shape: readonly number[], dtype: Dtype): void {
    const have = this.bytes;
    // a free range at the end joins the new space
    const need = bytes - this.arena.freeAtEnd;
    const target = Math.min(this.options.maximumBytes, roundTo(Math.max(2 * have, have + need), PAGE));
    if (target - have < need) {
      throw new RangeError(
        `the wasm device cannot allocate ${mib(bytes)} for a ${formatShape(shape)} ${dtype} tensor: ${mib(this.used)} is in use ` +
          `and its memory's maximum is ${mib(this.options.maximumBytes)} (the backend's maxMemoryMiB option)`,
      );
    }
    this.memory.grow((target - have) / PAGE);
    this.arena.grow(target);
    this.refresh();
  }

  private refresh(): void {
    this.f32 = new Float32Array(this.memory.buffer);
    this.f64 = new Float64Array(this.memory.buffer);
  }
}

function roundTo(x: number, unit: number): number {
  return Math.ceil(x / unit) * unit;
}

/** Bytes in MiB, for messages. */
export function mib(bytes: number): string {
  return `${(bytes / MiB).toFixed(bytes < MiB ? 3 : 1)} MiB`;
}
