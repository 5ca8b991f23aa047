/** Allocation granule in elements: 64 float32s, 256 bytes, WebGPU's storage-offset alignment. */
export const GRANULE = 64;

/**
 * First-fit allocation of element ranges inside one device buffer: a sorted
 * list of free ranges, merged with their neighbours when given back. Knows
 * nothing about WebGPU; the device grows the buffer when a request does not fit.
 */
export class Arena {
  /** Free ranges `[start, end)`, sorted and never adjacent. */
  private readonly free: { start: number; end: number }[] = [];

  /** `reserved` elements at the start are never handed out; the rest, up to `capacity`, are free. */
  constructor(
    private size: number,
    reserved: number,
  ) {
    const start = roundUp(reserved);
    if (start < size) this.free.push({ start, end: size });
  }

  /** Elements the arena spans. */
  get capacity(): number {
    return this.size;
  }

  /** The start of a free range of `count` elements, or undefined when none is large enough. */
  take(count: number): number | undefined {
    const need = roundUp(Math.max(count, 1));
    for (let i = 0; i < this.free.length; i++) {
      const r = this.free[i];
      if (r.end - r.start < need) continue;
      const start = r.start;
      r.start += need;
      if (r.start === r.end) this.free.splice(i, 1);
      return start;
    }
    return undefined;
  }

  /** Returns the range taken at `start` for `count` elements. */
  give(start: number, count: number): void {
    const end = start + roundUp(Math.max(count, 1));
    let i = 0;
    while (i < this.free.length && this.free[i].start < start) i++;
    const prev = this.free[i - 1];
    const next = this.free[i];
    if (prev && prev.end === start) {
      prev.end = end;
      if (next && next.start === end) {
        prev.end = next.end;
        this.free.splice(i, 1);
      }
    } else if (next && next.start === end) {
      next.start = start;
    } else {
      this.free.splice(i, 0, { start, end });
    }
  }

  /** Extends the arena to `size` elements (the device has copied its contents into a larger buffer). */
  grow(size: number): void {
    const last = this.free[this.free.length - 1];
    if (last && last.end === this.size) last.end = size;
    else this.free.push({ start: this.size, end: size });
    this.size = size;
  }

  /** Elements in use, granules included. */
  get used(): number {
    return this.size - this.free.reduce((s, r) => s + r.end - r.start, 0);
  }
}

/** `count` rounded up to whole granules. */
function roundUp(count: number): number {
  return Math.ceil(count / GRANULE) * GRANULE;
}
