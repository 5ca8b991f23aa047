import type { SequenceData } from "@unroll/bptt";

/**
 * A source of training data read as B parallel streams of equal length,
 * time-major: {@link StreamSource.slice} returns steps `[start, end)` of every
 * stream at once.
 */
export interface StreamSource {
  /** Steps per stream. */
  readonly length: number;
  /** Number of parallel streams B (the batch). */
  readonly batch: number;
  /** Data of steps `[start, end)` of all streams: sequences `[end - start, B, ...]`. */
  slice(start: number, end: number): SequenceData;
}
