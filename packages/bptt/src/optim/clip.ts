import type { Tensor } from "@unroll/ir";

/** Clamps every gradient element to `[-limit, limit]` in place, as `torch.nn.utils.clip_grad_value_`. */
export function clipGradValue(grads: Readonly<Record<string, Tensor>>, limit: number): void {
  for (const g of Object.values(grads)) {
    const d = g.data;
    for (let i = 0; i < d.length; i++) d[i] = Math.min(limit, Math.max(-limit, d[i]));
  }
}

/**
 * Scales all gradients together so that their global L2 norm is at most
 * `maxNorm`, as `torch.nn.utils.clip_grad_norm_`: `coef = maxNorm / (norm + 1e-6)`,
 * applied when below 1. Returns the norm before clipping.
 */
export function clipGradNorm(grads: Readonly<Record<string, Tensor>>, maxNorm: number): number {
  let sq = 0;
  for (const g of Object.values(grads)) for (const v of g.data) sq += v * v;
  const norm = Math.sqrt(sq);
  const coef = maxNorm / (norm + 1e-6);
  if (coef < 1) for (const g of Object.values(grads)) for (let i = 0; i < g.data.length; i++) g.data[i] *= coef;
  return norm;
}
