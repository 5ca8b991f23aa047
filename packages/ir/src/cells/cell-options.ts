import type { GraphBuilder } from "../builder.js";
import { GraphError } from "../errors.js";
import { formatShape, shapesEqual } from "../shape.js";

/** Options shared by the recurrent cell builders. */
export interface CellOptions {
  /** Prefix of the cell's params and carries, e.g. `"layers.0"`. */
  readonly name: string;
  /** Appended to every param and carry name: `""` (the default) or `"_reverse"` for a backward direction. */
  readonly suffix?: string;
  /** Value id of the step input x_t, shape `["B", inputSize]`. */
  readonly input: string;
  /** Width I of the input. */
  readonly inputSize: number;
  /** Width H of the hidden state. */
  readonly hidden: number;
  /** Variational dropout rate of h_{t-1} where it enters the recurrence (default 0: none); the mask is `${name}.recurrentDropout${suffix}`. */
  readonly recurrentDropout?: number;
}

/** Checks a layer's sizes (positive integers) and that its input has shape `["B", inputSize]`. */
export function checkLayerInput(b: GraphBuilder, who: string, input: string, sizes: Readonly<Record<string, number>>): void {
  for (const [key, size] of Object.entries(sizes)) {
    if (!Number.isInteger(size) || size < 1) throw new GraphError("", `${who}: ${key} must be a positive integer, got ${size}`);
  }
  const shape = b.shape(input);
  if (!shapesEqual(shape, ["B", sizes.inputSize])) {
    throw new GraphError("", `${who}: input "${input}" has shape ${formatShape(shape)}, expected [B, ${sizes.inputSize}]`);
  }
}

/** The value that feeds h_{t-1} into a cell's recurrent matmul: `h` itself, or `h` under its variational dropout mask. */
export function recurrentInput(b: GraphBuilder, opts: CellOptions, named: (id: string) => string, h: string): string {
  return opts.recurrentDropout ? b.dropout(h, opts.recurrentDropout, { variational: true, id: named("recurrentDropout") }) : h;
}

/**
 * Checks a cell's sizes and input shape, and returns the naming rule of its
 * params, carries and intermediate values: `${name}.${id}${suffix}`.
 */
export function cellNames(b: GraphBuilder, opts: CellOptions, cell: string): (id: string) => string {
  const { name, input, inputSize, hidden } = opts;
  checkLayerInput(b, `${cell} "${name}"`, input, { inputSize, hidden });
  const suffix = opts.suffix ?? "";
  return (id) => `${name}.${id}${suffix}`;
}
