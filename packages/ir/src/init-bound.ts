/**
 * The bound of the uniform initialization of one parameter, as PyTorch:
 * every weight and bias of a recurrent layer (a name `P.W_in`, `P.W_re`, `P.b`,
 * `P.b_in`, `P.b_re`, with optional `_reverse`) uses 1/sqrt(H), H the hidden size
 * read from `P.W_re`; a dense layer `P.W` / `P.b` uses 1/sqrt(fan_in) with
 * fan_in = rows of `P.W`; any other parameter 1/sqrt(its first dimension).
 * Here, beside the cells that name their parameters so, because every package that initializes
 * parameters (the scheduler's `initParams`, the exported PyTorch module) must use the same rule.
 */
export function initBound(name: string, params: Readonly<Record<string, readonly number[]>>): number {
  const cell = /^(.*)\.(W_in|W_re|b|b_in|b_re)(_reverse)?$/.exec(name);
  if (cell) {
    const wre = params[`${cell[1]}.W_re${cell[3] ?? ""}`];
    if (wre) return 1 / Math.sqrt(wre[0]);
  }
  const dense = /^(.*)\.(W|b)$/.exec(name);
  if (dense && params[`${dense[1]}.W`]) return 1 / Math.sqrt(params[`${dense[1]}.W`][0]);
  return 1 / Math.sqrt(params[name][0] ?? 1);
}
