import { InputError } from "./input-error.js";
import type { Tensor } from "@unroll/ir";

/**
 * A metric of predictions against targets:
 * - `accuracy` (classification): the share of counted steps whose argmax over
 *   the classes equals the target class, given as class ids `[T, B]` or one-hot `[T, B, C]`;
 * - `mae` (regression): the mean absolute error over the counted steps' elements.
 */
export type MetricName = "accuracy" | "mae";

/** Every {@link MetricName}, e.g. for a command line's choices. */
export const metricNames: readonly MetricName[] = ["accuracy", "mae"];

/** True when `name` is a {@link MetricName}. */
export function isMetricName(name: string): name is MetricName {
  return (metricNames as readonly string[]).includes(name);
}

/** True when a larger value of the metric is better (accuracy), false when smaller is (mae). */
export function metricIncreases(metric: MetricName): boolean {
  return metric === "accuracy";
}

/**
 * The metric of `outputs` `[T, B, C]` against `targets`, over the (step, row)
 * pairs where `mask` `[T, B]` is 1 (all of them without a mask). Reference loop
 * for accuracy: `hits += argmax(outputs[t][b]) === class(targets[t][b])` over the
 * counted pairs, divided by their number; ties in the argmax go to the first class.
 */
export function computeMetric(metric: MetricName, outputs: Tensor, targets: Tensor, mask?: Tensor): number {
  const [T, B] = outputs.shape;
  const C = outputs.shape.slice(2).reduce((a, b) => a * b, 1);
  const oneHot = targets.shape.length === outputs.shape.length;
  const expected = metric === "accuracy" && !oneHot ? [T, B] : outputs.shape;
  if (targets.shape.join(",") !== expected.join(",")) {
    const also = metric === "accuracy" ? ` or one-hot [${outputs.shape.join(", ")}]` : "";
    throw new InputError(
      `${metric}: targets have shape [${targets.shape.join(", ")}]; expected [${expected.join(", ")}]${also} for outputs [${outputs.shape.join(", ")}]`,
    );
  }
  let counted = 0;
  let sum = 0;
  for (let t = 0; t < T; t++) {
    for (let b = 0; b < B; b++) {
      const row = t * B + b;
      if (mask && mask.data[row] === 0) continue;
      counted++;
      const out = outputs.data.subarray(row * C, (row + 1) * C);
      if (metric === "mae") {
        const y = targets.data.subarray(row * C, (row + 1) * C);
        let abs = 0;
        for (let c = 0; c < C; c++) abs += Math.abs(out[c] - y[c]);
        sum += abs / C;
      } else {
        const target = oneHot ? argmax(targets.data.subarray(row * C, (row + 1) * C)) : targets.data[row];
        if (argmax(out) === target) sum++;
      }
    }
  }
  return counted === 0 ? NaN : sum / counted;
}

/** Index of the largest value, the first on ties. */
function argmax(values: ArrayLike<number>): number {
  let best = 0;
  for (let i = 1; i < values.length; i++) if (values[i] > values[best]) best = i;
  return best;
}
