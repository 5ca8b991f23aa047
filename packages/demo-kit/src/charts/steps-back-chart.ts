import type { LineChart } from "./line-chart.js";

/** Line colors of the states, in the order of their names. */
const COLORS = ["#1f5fa8", "#b0500a", "#2ca02c", "#9467bd", "#d62728", "#8c564b"];

/**
 * Gradient flow through time on a log scale: for each state, `‖∂L/∂h_t‖` of
 * one window (the `deltaNorms` of a `StepReport` of `@unroll/bptt`) against
 * how many steps t lies back from the window's last step, where the last loss
 * is. A straight falling line is a vanishing gradient, a rising one an
 * exploding gradient.
 *
 * ```
 * x[k] = k for k in 0..K-1;  y_state[k] = deltaNorms[state][K - 1 - k]   (null where 0: log scale)
 * ```
 */
export function stepsBackChart(deltaNorms: Readonly<Record<string, readonly number[]>>): LineChart {
  const names = Object.keys(deltaNorms).sort();
  const K = Math.max(0, ...names.map((n) => deltaNorms[n].length));
  const xs = Array.from({ length: K }, (_, k) => k);
  const ys = names.map((n) => {
    const norms = deltaNorms[n];
    return xs.map((k) => {
      const v = norms[norms.length - 1 - k];
      return v !== undefined && v > 0 && Number.isFinite(v) ? v : null;
    });
  });
  return {
    spec: {
      xLabel: "steps back from the window's last step",
      yLabel: "‖∂L/∂h_t‖ (log scale)",
      logY: true,
      lines: names.map((n, i) => ({ name: n, color: COLORS[i % COLORS.length] })),
    },
    data: [xs, ...ys],
  };
}
