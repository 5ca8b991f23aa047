/** A tensor on the WebGPU device: a range of the device's one storage buffer. */
export interface GpuBuf {
  /** Element offset in the device buffer. */
  readonly offset: number;
  /** Number of elements. */
  readonly size: number;
  /** Its shape. */
  readonly shape: readonly number[];
}
