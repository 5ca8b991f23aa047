import type { GraphBuilder } from "../builder.js";
import { cellNames, normalizedIn, recurrentInput, type CellOptions } from "./cell-options.js";

/** Options of {@link lstmCell}. */
export type LstmCellOptions = CellOptions;

/**
 * An LSTM cell (PyTorch `nn.LSTM` gate order, row vectors, one bias). Declares
 * params `${name}.W_in${suffix}` [I, 4H], `${name}.W_re${suffix}` [H, 4H],
 * `${name}.b${suffix}` [4H] whose column blocks are the gates i, f, g, o, and the
 * carries `${name}.h${suffix}` and `${name}.c${suffix}` [B, H]; returns the new h:
 *
 * ```
 * z = x_t W_in + b + h_{t-1} W_re
 * i, f, o = sigmoid(z_i), sigmoid(z_f), sigmoid(z_o);  g = tanh(z_g)
 * c_t = f * c_{t-1} + i * g
 * h_t = o * tanh(c_t)
 * ```
 *
 * With `layerNorm`, as PyTorch's `LayerNormLSTMCell` (`benchmarks/fastrnns/custom_lstms.py`):
 * `z = LN_in(x_t W_in) + b + LN_re(h_{t-1} W_re)` (each over all 4H) and
 * `c_t = LN_c(f * c_{t-1} + i * g)`, the normalized cell state being carried.
 */
export function lstmCell(b: GraphBuilder, opts: LstmCellOptions): string {
  const named = cellNames(b, opts, "lstmCell");
  const { input, inputSize: I, hidden: H } = opts;
  const wIn = b.param(named("W_in"), [I, 4 * H]);
  const wRe = b.param(named("W_re"), [H, 4 * H]);
  const bias = b.param(named("b"), [4 * H]);
  const h = b.carry(named("h"), ["B", H]);
  const c = b.carry(named("c"), ["B", H]);
  const xPart = b.add(normalizedIn(b, opts, "ln_in", b.matmul(input, wIn), 4 * H), bias);
  const z = b.node("add", [normalizedIn(b, opts, "ln_re", b.matmul(recurrentInput(b, opts, named, h), wRe), 4 * H), xPart], undefined, named("gates"));
  const block = (k: number): string => b.slice(z, k * H, (k + 1) * H);
  const i = b.node("sigmoid", [block(0)], undefined, named("i"));
  const f = b.node("sigmoid", [block(1)], undefined, named("f"));
  const g = b.node("tanh", [block(2)], undefined, named("g"));
  const o = b.node("sigmoid", [block(3)], undefined, named("o"));
  const cNext = opts.layerNorm
    ? b.name(named("c_next"), normalizedIn(b, opts, "ln_c", b.add(b.mul(f, c), b.mul(i, g)), H))
    : b.node("add", [b.mul(f, c), b.mul(i, g)], undefined, named("c_next"));
  const hNext = b.node("mul", [o, b.tanh(cNext)], undefined, named("h_next"));
  b.update(c, cNext);
  b.update(h, hNext);
  return hNext;
}
