import { checkProgram, GraphBuilder, loadProgram, programOfGraph, type CheckedProgram, type ModelSpec } from "@unroll/ir";

/** Input width, hidden size and output width of every model of the suite: tiny, so that finite differences stay cheap. */
export const I = 3;
/** Hidden size. */
export const H = 3;
/** Output width (classes, for cross-entropy). */
export const O = 2;

/** A model the suite runs forward, backward and through truncation. */
export interface ModelCase {
  /** Shown in test names. */
  readonly name: string;
  /** The checked program. */
  readonly program: CheckedProgram;
  /** False for a bidirectional model, which reads the future and so admits full BPTT only. */
  readonly causal: boolean;
}

const linear = { units: O, activation: "linear" } as const;

/** A model from its layer-level spec, loaded as an application loads a JSON file. */
export function spec(name: string, s: ModelSpec): ModelCase {
  return { name, program: loadProgram(JSON.parse(JSON.stringify(s))), causal: !s.layers.some((l) => l.bidirectional) };
}

/**
 * A gated unit that is not a built-in, composed from primitive ops, with a carry
 * whose init is not zero:
 * ```
 * g    = concat(x, h) W_g + b_g                 [B, 2H]
 * f, o = sigmoid(g[:, :H]), sigmoid(g[:, H:])
 * c    = tanh(concat(x, f * h) W_c + b_c)
 * h'   = h + f * (c - h)
 * out  = (o * h') W_out + b_out,  loss = mse(out, y)
 * ```
 */
export function customCell(): CheckedProgram {
  const b = new GraphBuilder();
  const x = b.input("x", ["B", I]);
  const y = b.input("y", ["B", O]);
  const h = b.carry("h", ["B", H], 0.1);
  const g = b.add(b.matmul(b.concat(x, h), b.param("W_g", [I + H, 2 * H])), b.param("b_g", [2 * H]));
  const f = b.sigmoid(b.slice(g, 0, H));
  const o = b.sigmoid(b.slice(g, H, 2 * H));
  const c = b.tanh(b.add(b.matmul(b.concat(x, b.mul(f, h)), b.param("W_c", [I + H, H])), b.param("b_c", [H])));
  const hNext = b.add(h, b.mul(f, b.sub(c, h)));
  b.update(h, hNext);
  const out = b.add(b.matmul(b.mul(o, hNext), b.param("W_out", [H, O])), b.param("b_out", [O]));
  b.output("output", out);
  b.loss(b.mse(out, y));
  return checkProgram(programOfGraph(b.toGraph("custom gated unit")));
}

/** Every built-in cell and head, stacked and bidirectional layers, both losses, and a custom cell. */
export function modelCases(): readonly ModelCase[] {
  return [
    spec("rnn tanh, linear head, mse", { input: I, layers: [{ cell: "rnn", hidden: H }], head: linear, loss: "mse" }),
    spec("rnn relu, linear head, mse", { input: I, layers: [{ cell: "rnn", hidden: H, activation: "relu" }], head: linear, loss: "mse" }),
    spec("rnn sigmoid, tanh head, mse", {
      input: I,
      layers: [{ cell: "rnn", hidden: H, activation: "sigmoid" }],
      head: { units: O, activation: "tanh" },
      loss: "mse",
    }),
    spec("lstm, sigmoid head, mse", { input: I, layers: [{ cell: "lstm", hidden: H }], head: { units: O, activation: "sigmoid" }, loss: "mse" }),
    spec("gru resetAfter true, linear head, mse", { input: I, layers: [{ cell: "gru", hidden: H, resetAfter: true }], head: linear, loss: "mse" }),
    spec("gru resetAfter false, linear head, mse", { input: I, layers: [{ cell: "gru", hidden: H, resetAfter: false }], head: linear, loss: "mse" }),
    spec("stacked rnn + lstm + gru, linear head, mse", {
      input: I,
      layers: [
        { cell: "rnn", hidden: H },
        { cell: "lstm", hidden: H },
        { cell: "gru", hidden: H },
      ],
      head: linear,
      loss: "mse",
    }),
    spec("rnn without head, mse on h", { input: I, layers: [{ cell: "rnn", hidden: H }], loss: "mse" }),
    spec("gru, softmax head, cross_entropy", {
      input: I,
      layers: [{ cell: "gru", hidden: H }],
      head: { units: O + 1, activation: "softmax" },
      loss: "cross_entropy",
    }),
    spec("bidirectional lstm, linear head, mse", { input: I, layers: [{ cell: "lstm", hidden: H, bidirectional: true }], head: linear, loss: "mse" }),
    spec("rnn then bidirectional gru, softmax head, cross_entropy", {
      input: I,
      layers: [
        { cell: "rnn", hidden: H },
        { cell: "gru", hidden: H, bidirectional: true, resetAfter: false },
      ],
      head: { units: O + 1, activation: "softmax" },
      loss: "cross_entropy",
    }),
    spec("layer-normalized rnn + lstm, linear head, mse", {
      input: I,
      layers: [
        { cell: "rnn", hidden: H, layerNorm: true },
        { cell: "lstm", hidden: H, layerNorm: true },
      ],
      head: linear,
      loss: "mse",
    }),
    spec("layer-normalized bidirectional gru, linear head, mse", {
      input: I,
      layers: [{ cell: "gru", hidden: H, layerNorm: true, bidirectional: true }],
      head: linear,
      loss: "mse",
    }),
    // token ids in [0, O + 1), as the data's class ids
    spec("embedding, lstm, softmax head, cross_entropy", {
      input: O + 1,
      embedding: { vocab: O + 1, units: I },
      layers: [{ cell: "lstm", hidden: H }],
      head: { units: O + 1, activation: "softmax" },
      loss: "cross_entropy",
    }),
    { name: "custom gated cell (GraphBuilder), mse", program: customCell(), causal: true },
  ];
}

/**
 * A recurrence where every unit depends only on its own past (and h on c unit
 * by unit), on which SnAp-1's sparse sensitivities are exact:
 * ```
 * c' = tanh(x W_c + c ⊙ u_c + b_c),   h' = sigmoid(x W_h + h ⊙ u_h + c' ⊙ v)
 * out = h' W_out + b_out,  loss = mse(out, y)
 * ```
 */
export function diagonalCell(): CheckedProgram {
  const b = new GraphBuilder();
  const x = b.input("x", ["B", I]);
  const y = b.input("y", ["B", O]);
  const c = b.carry("c", ["B", H]);
  const h = b.carry("h", ["B", H], 0.1);
  const cNext = b.tanh(b.add(b.add(b.matmul(x, b.param("W_c", [I, H])), b.mul(c, b.param("u_c", [H]))), b.param("b_c", [H])));
  const hNext = b.sigmoid(b.add(b.add(b.matmul(x, b.param("W_h", [I, H])), b.mul(h, b.param("u_h", [H]))), b.mul(cNext, b.param("v", [H]))));
  b.update(c, cNext);
  b.update(h, hNext);
  const out = b.add(b.matmul(hNext, b.param("W_out", [H, O])), b.param("b_out", [O]));
  b.output("output", out);
  b.loss(b.mse(out, y));
  return checkProgram(programOfGraph(b.toGraph("diagonal recurrence")));
}
