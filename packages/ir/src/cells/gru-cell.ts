import type { GraphBuilder } from "../builder.js";
import { GraphError } from "../errors.js";
import { cellNames, normalizedIn, recurrentInput, type CellOptions } from "./cell-options.js";

/** Options of {@link gruCell}. */
export interface GruCellOptions extends CellOptions {
  /**
   * Apply the reset gate after the recurrent matmul, as PyTorch and cuDNN do
   * (the default, `true`), or before it, as the original GRU paper and Keras with
   * `reset_after=False` do.
   */
  readonly resetAfter?: boolean;
}

/**
 * A GRU cell (row vectors, two biases). Declares params `${name}.W_in${suffix}` [I, 3H],
 * `${name}.W_re${suffix}` [H, 3H], `${name}.b_in${suffix}` [3H], `${name}.b_re${suffix}` [3H]
 * whose column blocks are r, z, n, and the carry `${name}.h${suffix}` [B, H]; returns the new h:
 *
 * ```
 * r = sigmoid(x_t W_in_r + b_in_r + h_{t-1} W_re_r + b_re_r)
 * z = sigmoid(x_t W_in_z + b_in_z + h_{t-1} W_re_z + b_re_z)
 * n = tanh(x_t W_in_n + b_in_n + r * (h_{t-1} W_re_n + b_re_n))    resetAfter
 * n = tanh(x_t W_in_n + b_in_n + (r * h_{t-1}) W_re_n + b_re_n)    otherwise
 * h_t = (1 - z) * n + z * h_{t-1}
 * ```
 *
 * With `layerNorm` (resetAfter only): `x_t W_in` and `h_{t-1} W_re` are each
 * layer-normalized over all 3H before their biases are added.
 */
export function gruCell(b: GraphBuilder, opts: GruCellOptions): string {
  const named = cellNames(b, opts, "gruCell");
  const { input, inputSize: I, hidden: H } = opts;
  const wIn = b.param(named("W_in"), [I, 3 * H]);
  const wRe = b.param(named("W_re"), [H, 3 * H]);
  const bIn = b.param(named("b_in"), [3 * H]);
  const bRe = b.param(named("b_re"), [3 * H]);
  const h = b.carry(named("h"), ["B", H]);
  if (opts.layerNorm && !(opts.resetAfter ?? true)) {
    throw new GraphError("", `gruCell "${opts.name}": layerNorm needs resetAfter (the whole h W_re is normalized before the reset gate)`);
  }
  const gx = b.add(normalizedIn(b, opts, "ln_in", b.matmul(input, wIn), 3 * H), bIn);
  // h_{t-1} as the recurrent matmuls read it (under recurrent dropout); the interpolation z * h reads h itself
  const hRe = recurrentInput(b, opts, named, h);
  let r: string;
  let z: string;
  let nPre: string;
  if (opts.resetAfter ?? true) {
    const gh = b.add(normalizedIn(b, opts, "ln_re", b.matmul(hRe, wRe), 3 * H), bRe);
    r = b.node("sigmoid", [b.add(b.slice(gx, 0, H), b.slice(gh, 0, H))], undefined, named("r"));
    z = b.node("sigmoid", [b.add(b.slice(gx, H, 2 * H), b.slice(gh, H, 2 * H))], undefined, named("z"));
    nPre = b.add(b.slice(gx, 2 * H, 3 * H), b.mul(r, b.slice(gh, 2 * H, 3 * H)));
  } else {
    // the r, z blocks of h W_re, then the n block from the reset state (r * h)
    const ghRz = b.add(b.matmul(hRe, b.slice(wRe, 0, 2 * H)), b.slice(bRe, 0, 2 * H));
    r = b.node("sigmoid", [b.add(b.slice(gx, 0, H), b.slice(ghRz, 0, H))], undefined, named("r"));
    z = b.node("sigmoid", [b.add(b.slice(gx, H, 2 * H), b.slice(ghRz, H, 2 * H))], undefined, named("z"));
    const ghN = b.add(b.matmul(b.mul(r, hRe), b.slice(wRe, 2 * H, 3 * H)), b.slice(bRe, 2 * H, 3 * H));
    nPre = b.add(b.slice(gx, 2 * H, 3 * H), ghN);
  }
  const cand = b.node("tanh", [nPre], undefined, named("n"));
  const hNext = b.node("add", [b.mul(b.sub(b.scalar(1), z), cand), b.mul(z, h)], undefined, named("h_next"));
  b.update(h, hNext);
  return hNext;
}
