import { allocate, type Dtype, type FloatArray } from "@unroll/ir";

/**
 * Typed arrays kept for reuse, by dtype and length: a window allocates the
 * same buffers as the window before it, so after the first window the CPU
 * device allocates nothing and leaves no garbage for the collector. Only
 * arrays the pool made come back to it, each once, and never one whose memory
 * the host was handed by `read`: that memory belongs to the caller.
 */
export class BufferPool {
  private readonly free = new Map<string, FloatArray[]>();
  private readonly made = new WeakSet<ArrayBufferLike>();
  private readonly pooled = new WeakSet<ArrayBufferLike>();
  private readonly handedOut = new WeakSet<ArrayBufferLike>();

  /** A zero-filled array, reused when one of this dtype and length was given back. */
  take(dtype: Dtype, length: number): FloatArray {
    const reused = this.free.get(`${dtype}:${length}`)?.pop();
    if (reused) {
      this.pooled.delete(reused.buffer);
      return reused.fill(0);
    }
    const fresh = allocate(dtype, length);
    this.made.add(fresh.buffer);
    return fresh;
  }

  /** Marks an array's memory as the caller's: it is never reused. */
  handOut(data: FloatArray): void {
    this.handedOut.add(data.buffer);
  }

  /** Takes an array back for reuse: one the pool made, whole, not handed out, not already back. */
  give(data: FloatArray, dtype: Dtype): void {
    const { buffer } = data;
    if (!this.made.has(buffer) || this.handedOut.has(buffer) || this.pooled.has(buffer)) return;
    if (data.byteOffset !== 0 || data.byteLength !== buffer.byteLength) return;
    this.pooled.add(buffer);
    const key = `${dtype}:${data.length}`;
    let list = this.free.get(key);
    if (!list) this.free.set(key, (list = []));
    list.push(data);
  }
}
