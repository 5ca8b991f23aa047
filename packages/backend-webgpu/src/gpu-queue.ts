/// <reference types="@webgpu/types" />
import { RangeArena } from "@unroll/bptt";
import { META_WORDS, WORKGROUP } from "./kernels/prelude.js";

/** Bytes of one dispatch's parameter slot (WebGPU's uniform-offset alignment). */
const SLOT_BYTES = META_WORDS * 4;
/** Dispatches recorded before they are submitted anyway: their parameters fill one 1 MiB uniform buffer. */
const MAX_PENDING = 4096;
/** Words at the start of the memory that kernels set on a bad id (see the prelude's `report_error`). */
export const ERROR_WORDS = 4;
/** Elements the memory starts with (16 MiB); it doubles when a request does not fit. */
const INITIAL_ELEMENTS = 4 << 20;
/** Most workgroups along one dimension of a dispatch. */
const MAX_GROUPS = 65535;

/** The bits of a float32, for a parameter word. */
export function f32Bits(x: number): number {
  return new Uint32Array(new Float32Array([x]).buffer)[0];
}

/**
 * One GPU buffer that holds every tensor, and the queue of kernel dispatches
 * over it. Dispatches are recorded with their parameters and submitted
 * together, in one compute pass, when a read needs them (or when the
 * parameter buffer is full): a window is one submission plus its reads.
 * WebGPU orders the dispatches of a pass, so each sees the writes of the ones
 * before it, and memory freed by one window can be reused by the next.
 */
export class GpuQueue {
  private buffer: GPUBuffer;
  private readonly arena: RangeArena;
  private readonly metaBuffer: GPUBuffer;
  private readonly meta = new Uint32Array((MAX_PENDING * SLOT_BYTES) / 4);
  private readonly pending: { pipeline: GPUComputePipeline; x: number; y: number }[] = [];
  private bindGroup: GPUBindGroup | undefined;
  private readonly layout: GPUBindGroupLayout;
  private readonly pipelineLayout: GPUPipelineLayout;
  private readonly pipelines = new Map<string, GPUComputePipeline>();
  /** Uncaptured WebGPU errors (validation, out of memory), reported by the next read. */
  private readonly errors: string[] = [];
  /** Most elements the buffer may hold: the device's binding and buffer limits. */
  readonly maxElements: number;

  constructor(private readonly gpu: GPUDevice) {
    this.maxElements = Math.floor(Math.min(gpu.limits.maxStorageBufferBindingSize, gpu.limits.maxBufferSize) / 4);
    const elements = Math.min(INITIAL_ELEMENTS, this.maxElements);
    this.buffer = this.createStorage(elements);
    // 64 float32s (256 bytes): WebGPU's storage-offset alignment
    this.arena = new RangeArena(elements, ERROR_WORDS, 64);
    this.metaBuffer = gpu.createBuffer({ size: this.meta.byteLength, usage: GPUBufferUsage.UNIFORM | GPUBufferUsage.COPY_DST });
    this.layout = gpu.createBindGroupLayout({
      entries: [
        { binding: 0, visibility: GPUShaderStage.COMPUTE, buffer: { type: "storage" } },
        { binding: 1, visibility: GPUShaderStage.COMPUTE, buffer: { type: "uniform", hasDynamicOffset: true, minBindingSize: SLOT_BYTES } },
      ],
    });
    this.pipelineLayout = gpu.createPipelineLayout({ bindGroupLayouts: [this.layout] });
    gpu.addEventListener("uncapturederror", (e) => void this.errors.push((e as GPUUncapturedErrorEvent).error.message));
  }

  private createStorage(elements: number): GPUBuffer {
    return this.gpu.createBuffer({ size: elements * 4, usage: GPUBufferUsage.STORAGE | GPUBufferUsage.COPY_SRC | GPUBufferUsage.COPY_DST });
  }

  /** Elements of the memory in use. */
  get used(): number {
    return this.arena.used;
  }

  /** The offset of `count` new elements (contents undefined), growing the memory if needed. */
  alloc(count: number): number {
    let at = this.arena.take(count);
    while (at === undefined) {
      this.grow(count);
      at = this.arena.take(count);
    }
    return at;
  }

  /** Gives back elements taken by {@link alloc}. */
  free(offset: number, count: number): void {
    this.arena.give(offset, count);
  }

  private grow(count: number): void {
    const old = this.arena.capacity;
    const need = this.arena.used + count + 64;
    if (need > this.maxElements) {
      const mib = (n: number) => `${((n * 4) / 2 ** 20).toFixed(1)} MiB`;
      throw new Error(
        `the webgpu backend cannot allocate ${mib(count)}: ${mib(this.arena.used)} are in use and the device's largest buffer is ${mib(this.maxElements)} (maxStorageBufferBindingSize, maxBufferSize)`,
      );
    }
    const size = Math.min(this.maxElements, Math.max(old * 2, need));
    this.flush();
    const next = this.createStorage(size);
    const encoder = this.gpu.createCommandEncoder();
    encoder.copyBufferToBuffer(this.buffer, 0, next, 0, old * 4);
    this.gpu.queue.submit([encoder.finish()]);
    this.buffer.destroy();
    this.buffer = next;
    this.bindGroup = undefined;
    this.arena.grow(size);
  }

  /** The pipeline of a kernel's WGSL source, compiled once. */
  private pipeline(source: string): GPUComputePipeline {
    let p = this.pipelines.get(source);
    if (!p) {
      const module = this.gpu.createShaderModule({ code: source });
      p = this.gpu.createComputePipeline({ layout: this.pipelineLayout, compute: { module, entryPoint: "main" } });
      this.pipelines.set(source, p);
    }
    return p;
  }

  /** Records a dispatch of `source` on an `x × y` grid of workgroups with parameter words `words`. */
  dispatch(source: string, words: ArrayLike<number>, x: number, y = 1): void {
    if (x === 0 || y === 0) return;
    if (words.length > META_WORDS) throw new Error(`a kernel takes at most ${META_WORDS} parameter words, got ${words.length}`);
    if (this.pending.length === MAX_PENDING) this.flush();
    this.meta.set(words, this.pending.length * META_WORDS);
    this.pending.push({ pipeline: this.pipeline(source), x, y });
  }

  /** Records a one-dimensional kernel over `n` elements (`words[0]` must be `n`). */
  dispatchLinear(source: string, words: ArrayLike<number>): void {
    const groups = Math.ceil(words[0] / WORKGROUP);
    const x = Math.min(groups, MAX_GROUPS);
    this.dispatch(source, words, x, Math.ceil(groups / Math.max(x, 1)));
  }

  /** Submits every recorded dispatch in one compute pass, then `after`'s commands. */
  flush(after?: (encoder: GPUCommandEncoder, buffer: GPUBuffer) => void): void {
    if (this.pending.length === 0 && !after) return;
    const encoder = this.gpu.createCommandEncoder();
    if (this.pending.length > 0) {
      this.gpu.queue.writeBuffer(this.metaBuffer, 0, this.meta, 0, this.pending.length * META_WORDS);
      this.bindGroup ??= this.gpu.createBindGroup({
        layout: this.layout,
        entries: [
          { binding: 0, resource: { buffer: this.buffer } },
          { binding: 1, resource: { buffer: this.metaBuffer, size: SLOT_BYTES } },
        ],
      });
      const pass = encoder.beginComputePass();
      this.pending.forEach(({ pipeline, x, y }, k) => {
        pass.setPipeline(pipeline);
        pass.setBindGroup(0, this.bindGroup!, [k * SLOT_BYTES]);
        pass.dispatchWorkgroups(x, y);
      });
      pass.end();
      this.pending.length = 0;
    }
    after?.(encoder, this.buffer);
    this.gpu.queue.submit([encoder.finish()]);
  }

  /** Writes host values at `offset`, after every dispatch recorded so far. */
  write(offset: number, values: Float32Array): void {
    this.flush();
    // the view's buffer and byte range: the DOM lib's BufferSource takes no view over a SharedArrayBuffer, writeBuffer takes the buffer itself
    if (values.length > 0) this.gpu.queue.writeBuffer(this.buffer, offset * 4, values.buffer, values.byteOffset, values.byteLength);
  }

  /**
   * Runs everything recorded and reads `count` elements at `offset` back to
   * the host: the one point where the host waits. A kernel's bad-id report or
   * an uncaptured WebGPU error fails the read.
   */
  async read(offset: number, count: number): Promise<{ values: Float32Array; error: Float32Array }> {
    const bytes = (ERROR_WORDS + count) * 4;
    const staging = this.gpu.createBuffer({ size: bytes, usage: GPUBufferUsage.MAP_READ | GPUBufferUsage.COPY_DST });
    this.flush((encoder, buffer) => {
      encoder.copyBufferToBuffer(buffer, 0, staging, 0, ERROR_WORDS * 4);
      if (count > 0) encoder.copyBufferToBuffer(buffer, offset * 4, staging, ERROR_WORDS * 4, count * 4);
    });
    try {
      await staging.mapAsync(GPUMapMode.READ);
      const all = new Float32Array(staging.getMappedRange().slice(0));
      if (this.errors.length > 0) {
        const message = this.errors.splice(0).join("; ");
        throw new Error(`WebGPU reported an error: ${message}`);
      }
      const error = all.slice(0, ERROR_WORDS);
      // cleared for the next window, after everything submitted so far
      if (error[0] !== 0) this.gpu.queue.writeBuffer(this.buffer, 0, new Float32Array(ERROR_WORDS));
      return { values: all.slice(ERROR_WORDS), error };
    } finally {
      staging.destroy();
    }
  }

  /** Frees the GPU buffers. */
  destroy(): void {
    this.pending.length = 0;
    this.buffer.destroy();
    this.metaBuffer.destroy();
  }
}
