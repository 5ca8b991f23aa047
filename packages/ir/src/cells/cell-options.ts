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
  /** Layer-normalize the input and recurrent projections (and an LSTM's cell state), with a gain and a bias each (`normalizedIn`). */
  readonly layerNorm?: boolean;
  /** Variational dropout rate of h_{t-1} where it enters the recurrence (default 0: none); the mask is `${name}.recurrentDropout${suffix}`. */
  readonly recurrentDropout?: number;
}

/**
 * `value` (`[B, width]`), layer-normalized with params `${name}.${id}.gain${suffix}`
 * and `.bias${suffix}` `[width]` when the cell's `layerNorm` is set (params that
 * start at 1 and 0: a model spec sets them in the program's `init`); `value`
 * itself otherwise.
 */
export function normalizedIn(b: GraphBuilder, opts: CellOptions, id: string, value: string, width: number): string {
  if (!opts.layerNorm) return value;
  const suffix = opts.suffix ?? "";
  const param = (part: string) => b.param(`${opts.name}.${id}.${part}${suffix}`, [width]);
  return b.scoped(id, () => b.layerNorm(value, param("gain"), param("bias")));
}

/** The layer-norm ids of each cell's normalized values: input and recurrent projections, and an LSTM's cell state. */
export const LAYER_NORMS = { rnn: ["ln_in", "ln_re"], lstm: ["ln_in", "ln_re", "ln_c"], gru: ["ln_in", "ln_re"] } as const;

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
