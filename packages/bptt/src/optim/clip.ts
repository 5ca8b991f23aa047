import type { Tensor } from "@unroll/ir";

/** Clamps every gradient element to `[-limit, limit]` in place, as `torch.nn.utils.clip_grad_value_`. */
export function clipGradValue(grads: Readonly<Record<string, Tensor>>, limit: number): void {
  for (const g of Object.values(grads)) {
    const d = g.data;
    for (let i = 0; i < d.length; i++) d[i] = Math.min(limit, Math.max(-limit, d[i]));
  }
}

/** The L2 norm of each gradient, by name. */
export function gradNormsByParam(grads: Readonly<Record<string, Tensor>>): Record<string, number> {
  return Object.fromEntries(Object.entries(grads).map(([name, g]) => [name, globalGradNorm({ [name]: g })]));
}

/** The global L2 norm of all gradients together. */
export function globalGradNorm(grads: Readonly<Record<string, Tensor>>): number {
  let sq = 0;
  for (const g of Object.values(grads)) for (const v of g.data) sq += v * v;
  return Math.sqrt(sq);
}

/**
 * Scales all gradients together so that their global L2 norm is at most
 * `maxNorm`, as `torch.nn.utils.clip_grad_norm_`: `coef = maxNorm / (norm + 1e-6)`,
 * applied when below 1. Returns the norm before clipping. Pass `norm` when it is
 * already known (it must be {@link globalGradNorm} of these gradients).
 */
export function clipGradNorm(grads: Readonly<Record<string, Tensor>>, maxNorm: number, norm = globalGradNorm(grads)): number {
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const g of Object.values(grads)) for (let i = 0; i < g.data.length; i++) g.data[i] *= coef;
  return norm;
}
