/**
 * First-fit allocation of ranges inside one block of device memory (a GPU
 * buffer, a WebAssembly memory), for a device whose tensors are offsets into
 * it: a sorted list of free ranges, merged with their neighbours when given
 * back. Every range starts and ends on a multiple of `granule` units. A window
 * allocates and releases the same sizes in the same order as the window
 * before it, so from the second window on it gets the same ranges back: the
 * layout is planned once. The device grows its memory when a request does not fit.
 */
export class RangeArena {
  /** Free ranges `[start, end)`, sorted and never adjacent. */
  private readonly free: { start: number; end: number }[] = [];

  /** `reserved` units at the start are never handed out; the rest, up to `capacity`, are free; ranges are whole `granule`s. */
  constructor(
    private size: number,
    reserved: number,
    /** Units per granule: every range is a whole number of them. */
    readonly granule: number,
  ) {
    const start = this.roundUp(reserved);
    if (start < size) this.free.push({ start, end: size });
  }

  /** Units the arena spans. */
  get capacity(): number {
    return this.size;
  }

  /** The start of a free range of `count` units, or undefined when none is large enough. */
  take(count: number): number | undefined {
    const need = this.roundUp(Math.max(count, 1));
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

  /** Returns the range taken at `start` for `count` units. */
  give(start: number, count: number): void {
    const end = start + this.roundUp(Math.max(count, 1));
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

  /** Extends the arena to `size` units (the device has grown its memory). */
  grow(size: number): void {
    const last = this.free[this.free.length - 1];
    if (last && last.end === this.size) last.end = size;
    else this.free.push({ start: this.size, end: size });
    this.size = size;
  }

  /** Free units at the end of the arena (they join the new space when it grows). */
  get freeAtEnd(): number {
    const last = this.free[this.free.length - 1];
    return last && last.end === this.size ? last.end - last.start : 0;
  }

  /** Units in use, granules included. */
  get used(): number {
    return this.size - this.free.reduce((s, r) => s + r.end - r.start, 0);
  }

  /** `count` rounded up to whole granules. */
  private roundUp(count: number): number {
    return Math.ceil(count / this.granule) * this.granule;
  }
}
