/**
 * A stop flag the page raises and the trainer worker reads between windows.
 * In shared memory (an Int32 in a SharedArrayBuffer, on a cross-origin-isolated
 * page) the worker sees it at once, without waiting for its message queue;
 * elsewhere it is a plain boolean that the "stop" message sets.
 */
export class StopFlag {
  private readonly cell: Int32Array | undefined;
  private local = false;

  constructor(
    /** The shared buffer of the flag; absent: a local flag. */
    readonly buffer?: SharedArrayBuffer,
  ) {
    this.cell = buffer ? new Int32Array(buffer, 0, 1) : undefined;
  }

  /** A new flag, in shared memory when this context can share it. */
  static create(): StopFlag {
    const isolated = (globalThis as { crossOriginIsolated?: boolean }).crossOriginIsolated === true;
    return new StopFlag(typeof SharedArrayBuffer === "function" && isolated ? new SharedArrayBuffer(4) : undefined);
  }

  /** Raises the flag. */
  raise(): void {
    this.local = true;
    if (this.cell) Atomics.store(this.cell, 0, 1);
  }

  /** True once raised, here or (shared) in the other thread. */
  get raised(): boolean {
    return this.local || (this.cell !== undefined && Atomics.load(this.cell, 0) === 1);
  }
}
