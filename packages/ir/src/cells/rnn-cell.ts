import type { GraphBuilder } from "../builder.js";
import { activate, type CellActivation } from "./activation.js";
import { cellNames, normalizedIn, recurrentInput, type CellOptions } from "./cell-options.js";

/** Options of {@link rnnCell}. */
export interface RnnCellOptions extends CellOptions {
  /** The nonlinearity f; `"tanh"` by default. */
  readonly activation?: CellActivation;
}

/**
 * An Elman RNN cell (PyTorch `nn.RNN` with row vectors). Declares params
 * `${name}.W_in${suffix}` [I, H], `${name}.W_re${suffix}` [H, H], `${name}.b${suffix}` [H]
 * and the carry `${name}.h${suffix}` [B, H]; returns the new hidden value:
 *
 * ```
 * h_t = f(h_{t-1} W_re + x_t W_in + b)
 * h_t = f(LN_re(h_{t-1} W_re) + LN_in(x_t W_in) + b)    with layerNorm
 * ```
 */
export function rnnCell(b: GraphBuilder, opts: RnnCellOptions): string {
  const named = cellNames(b, opts, "rnnCell");
  const { input, inputSize: I, hidden: H } = opts;
  const wIn = b.param(named("W_in"), [I, H]);
  const wRe = b.param(named("W_re"), [H, H]);
  const bias = b.param(named("b"), [H]);
  const h = b.carry(named("h"), ["B", H]);
  // the x part depends on no carry, so a pass can hoist it out of the time loop
  const xPart = b.add(normalizedIn(b, opts, "ln_in", b.matmul(input, wIn), H), bias);
  const hNext = activate(
    b,
    b.add(normalizedIn(b, opts, "ln_re", b.matmul(recurrentInput(b, opts, named, h), wRe), H), xPart),
    opts.activation ?? "tanh",
    named("h_next"),
  );
  b.update(h, hNext);
  return hNext;
}
