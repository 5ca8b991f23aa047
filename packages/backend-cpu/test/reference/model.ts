import { gruStep, lstmStep, rnnStep, type RowState } from "./cells.js";
import { add, logSumExp, sigmoid, softmax, toMat, toSeq, toVec, vecMat, zeroVec, type Dense, type Mat, type Vec } from "./linalg.js";

/** One recurrent layer, as in a model spec. */
export interface RefLayer {
  readonly cell: "rnn" | "lstm" | "gru";
  readonly hidden: number;
  readonly activation?: "tanh" | "relu" | "sigmoid";
  readonly bidirectional?: boolean;
  readonly direction?: "forward" | "reverse";
  readonly resetAfter?: boolean;
}

/** A layer-level model, structurally the same as a model spec. */
export interface RefModel {
  readonly input: number;
  readonly layers: readonly RefLayer[];
  readonly head?: { readonly units: number; readonly activation: "linear" | "sigmoid" | "tanh" | "softmax" };
  readonly loss?: "mse" | "cross_entropy";
}

/** Time-major data, structurally the same as the scheduler's `SequenceData`. */
export interface RefData {
  /** `x` `[T, B, I]` and, with a loss, `y` (`[T, B, O]` for mse, class ids `[T, B]` for cross_entropy). */
  readonly sequences: Readonly<Record<string, Dense>>;
  readonly initialState?: Readonly<Record<string, Dense>>;
  readonly lengths?: readonly number[];
}

/** What the reference computes, as nested arrays indexed `[t][b][j]`. */
export interface RefResult {
  readonly outputs: number[][][];
  readonly states: Record<string, number[][][]>;
  readonly finalState: Record<string, number[][]>;
  readonly loss?: number;
}

/** One direction of one layer over the whole batch: its per-step outputs and states. */
function runDirection(
  layer: RefLayer,
  prefix: string,
  suffix: string,
  reverse: boolean,
  params: Readonly<Record<string, Dense>>,
  xs: number[][][],
  data: RefData,
  result: RefResult,
): number[][][] {
  const P = (id: string): Dense => {
    const p = params[`${prefix}.${id}${suffix}`];
    if (!p) throw new Error(`reference: missing param ${prefix}.${id}${suffix}`);
    return p;
  };
  const W_in = toMat(P("W_in"));
  const W_re = toMat(P("W_re"));
  let step: (x: Vec, s: RowState) => RowState;
  if (layer.cell === "gru") {
    const p = { W_in, W_re, b_in: toVec(P("b_in")), b_re: toVec(P("b_re")) };
    step = (x, s) => gruStep(p, layer.resetAfter ?? true, x, s);
  } else {
    const p = { W_in, W_re, b: toVec(P("b")) };
    step = layer.cell === "rnn" ? (x, s) => rnnStep(p, layer.activation ?? "tanh", x, s) : (x, s) => lstmStep(p, x, s);
  }
  const H = layer.hidden;
  const T = xs.length;
  const B = xs[0].length;
  const names = layer.cell === "lstm" ? (["h", "c"] as const) : (["h"] as const);
  const stateName = (k: "h" | "c"): string => `${prefix}.${k}${suffix}`;
  const initial = (k: "h" | "c", b: number): Vec => {
    const given = data.initialState?.[stateName(k)];
    return given ? toMat(given)[b] : zeroVec(H); // missing states are zeros
  };
  const outputs: number[][][] = xs.map((row) => row.map(() => zeroVec(H)));
  for (const k of names) result.states[stateName(k)] = xs.map((row) => row.map(() => zeroVec(H)));
  for (const k of names) result.finalState[stateName(k)] = [];
  for (let b = 0; b < B; b++) {
    const len = data.lengths?.[b] ?? T;
    let s: RowState = layer.cell === "lstm" ? { h: initial("h", b), c: initial("c", b) } : { h: initial("h", b) };
    // a reverse direction reads t = len-1 down to 0; steps at or past len leave the state alone and output zeros
    for (let k = 0; k < T; k++) {
      const t = reverse ? T - 1 - k : k;
      if (t < len) {
        s = step(xs[t][b], s);
        outputs[t][b] = [...s.h];
      }
      for (const n of names) result.states[stateName(n)][t][b] = [...s[n]!];
    }
    for (const n of names) result.finalState[stateName(n)][b] = [...s[n]!];
  }
  return outputs;
}

/**
 * The forward pass of a layer-level model, written directly from the cell
 * equations with plain loops in float64: every layer (both directions when
 * bidirectional, the output being `concat(h_t, h_t_reverse)`), the head at
 * every step, and the loss as a mean over valid elements.
 */
export function referenceForward(model: RefModel, params: Readonly<Record<string, Dense>>, data: RefData): RefResult {
  const result: RefResult = { outputs: [], states: {}, finalState: {} };
  let seq = toSeq(data.sequences.x);
  const T = seq.length;
  const B = seq[0].length;
  const valid = (t: number, b: number): boolean => t < (data.lengths?.[b] ?? T);
  model.layers.forEach((layer, k) => {
    // a reverse layer is one direction under the plain names, read from t = len-1 down to 0
    const fwd = runDirection(layer, `layers.${k}`, "", layer.direction === "reverse", params, seq, data, result);
    if (!layer.bidirectional) {
      seq = fwd;
      return;
    }
    const rev = runDirection(layer, `layers.${k}`, "_reverse", true, params, seq, data, result);
    seq = fwd.map((row, t) => row.map((h, b) => [...h, ...rev[t][b]]));
  });

  let logits: number[][][] | undefined;
  let outputs = seq;
  if (model.head) {
    const W: Mat = toMat(params["head.W"]);
    const bias: Vec = toVec(params["head.b"]);
    const act = model.head.activation;
    logits = seq.map((row) => row.map((h) => add(vecMat(h, W), bias)));
    outputs = logits.map((row, t) =>
      row.map((z, b) => {
        if (!valid(t, b)) return zeroVec(z.length);
        if (act === "softmax") return softmax(z);
        if (act === "sigmoid") return z.map(sigmoid);
        if (act === "tanh") return z.map(Math.tanh);
        return [...z];
      }),
    );
  }
  outputs = outputs.map((row, t) => row.map((o, b) => (valid(t, b) ? o : zeroVec(o.length))));

  let loss: number | undefined;
  if (model.loss === "mse") {
    const y = toSeq(data.sequences.y);
    let sum = 0;
    let count = 0;
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        if (!valid(t, b)) continue;
        for (let j = 0; j < outputs[t][b].length; j++) {
          const d = outputs[t][b][j] - y[t][b][j];
          sum += d * d;
          count++;
        }
      }
    }
    loss = count > 0 ? sum / count : 0;
  } else if (model.loss === "cross_entropy") {
    const y = toMat(data.sequences.y);
    let sum = 0;
    let count = 0;
    for (let t = 0; t < T; t++) {
      for (let b = 0; b < B; b++) {
        if (!valid(t, b)) continue;
        const z = logits![t][b];
        sum += logSumExp(z) - z[y[t][b]]; // -log_softmax(z)[class]
        count++;
      }
    }
    loss = count > 0 ? sum / count : 0;
  }
  return { ...result, outputs, ...(loss === undefined ? {} : { loss }) };
}
