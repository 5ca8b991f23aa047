import { beforeAll, describe, expect, it } from "vitest";
import { writeFileSync } from "node:fs";
import { GraphBuilder, programOfGraph, type ModelSpec } from "@unroll/ir";
import { encodeSafetensors } from "../src/index.js";
import { checked, dataFor, modelProgram, weightsFor } from "./support/model-cases.js";
import { torchSkip } from "./support/python.js";
import { caseMismatches, torchResults, unrollResult, type CaseResult, type TorchCase, type WeightsIn } from "./support/torch-cases.js";

/** float64: torch and unroll differ only by rounding, in a different order of operations. */
const RTOL = 1e-10;
const T = 5;
const B = 3;

/** A model spec's case: its weights, x (and y) drawn, lengths [5, 3, 1] and the given initial states. */
function specCase(name: string, spec: ModelSpec, initial: string[], ids: Record<string, number> = {}, lengths: number[] | undefined = [T, 3, 1]): TorchCase {
  const program = modelProgram(spec);
  const seed = name.length * 7 + initial.length;
  return {
    name,
    program,
    params: weightsFor(program, seed),
    data: dataFor(program, { steps: T, batch: B, initial, ids, seed, ...(lengths ? { lengths } : {}) }),
  };
}

const mseHead = { head: { units: 2, activation: "linear" }, loss: "mse" } as const;
const xentHead = { head: { units: 3, activation: "softmax" }, loss: "cross_entropy" } as const;

/** The gated cell of docs/guides/composing-a-custom-cell.md, with its dropout on x and (variational) on h. */
function gatedProgram(dropout: boolean) {
  const b = new GraphBuilder();
  const xIn = b.input("x", ["B", 2]);
  const x = dropout ? b.dropout(xIn, 0.2, { id: "x.dropout" }) : xIn;
  const y = b.input("y", ["B", 1]);
  const h = b.carry("h", ["B", 4]);
  const hIn = dropout ? b.dropout(h, 0.3, { variational: true, id: "h.dropout" }) : h;
  const z = b.sigmoid(b.add(b.matmul(x, b.param("W_z", [2, 4])), b.param("b_z", [4])));
  const candidate = b.tanh(b.add(b.matmul(x, b.param("W", [2, 4])), b.matmul(hIn, b.param("U", [4, 4]))));
  const hNext = b.add(b.mul(z, h), b.mul(b.sub(b.scalar(1), z), candidate));
  b.update(h, hNext);
  const out = b.matmul(hNext, b.param("W_out", [4, 1]));
  b.output("output", out);
  b.loss(b.mse(out, y));
  return checked(programOfGraph(b.toGraph(dropout ? "gated with dropout" : "gated")));
}

function gatedCase(name: string, dropout: boolean, training: boolean): TorchCase {
  const program = gatedProgram(dropout);
  return {
    name,
    program,
    params: weightsFor(program, 5),
    data: dataFor(program, { steps: T, batch: B, initial: ["h"], lengths: [T, 0, 2], seed: 6 }),
    ...(training ? { dropout: { seed: 7, draw: 3 } } : {}),
  };
}

const dropoutSpec: ModelSpec = {
  input: 3,
  layers: [
    { cell: "lstm", hidden: 4, dropout: 0.3, recurrentDropout: 0.2 },
    { cell: "gru", hidden: 3, dropout: 0.25, variational: true },
  ],
  head: { units: 2, activation: "linear", dropout: 0.4 },
  loss: "mse",
};

const cases: TorchCase[] = [
  specCase("rnn tanh, linear head, mse", { input: 3, layers: [{ cell: "rnn", hidden: 4 }], ...mseHead }, ["layers.0.h"]),
  specCase("rnn relu, linear head, mse", { input: 3, layers: [{ cell: "rnn", hidden: 4, activation: "relu" }], ...mseHead }, ["layers.0.h"]),
  specCase("rnn sigmoid, linear head, mse", { input: 3, layers: [{ cell: "rnn", hidden: 4, activation: "sigmoid" }], ...mseHead }, []),
  specCase(
    "lstm, softmax head, cross_entropy, a row of length 0",
    { input: 3, layers: [{ cell: "lstm", hidden: 4 }], ...xentHead },
    ["layers.0.h", "layers.0.c"],
    { y: 3 },
    [T, 0, 2],
  ),
  specCase("gru resetAfter true, mse", { input: 3, layers: [{ cell: "gru", hidden: 4 }], ...mseHead }, ["layers.0.h"]),
  specCase("gru resetAfter false, mse", { input: 3, layers: [{ cell: "gru", hidden: 4, resetAfter: false }], ...mseHead }, ["layers.0.h"]),
  specCase(
    "stacked rnn, lstm, gru, cross_entropy",
    {
      input: 3,
      layers: [
        { cell: "rnn", hidden: 5 },
        { cell: "lstm", hidden: 4 },
        { cell: "gru", hidden: 3 },
      ],
      ...xentHead,
    },
    ["layers.0.h", "layers.1.c", "layers.2.h"],
    { y: 3 },
  ),
  specCase(
    "bidirectional lstm, bidirectional gru (resetAfter false), mse",
    {
      input: 3,
      layers: [
        { cell: "lstm", hidden: 4, bidirectional: true },
        { cell: "gru", hidden: 3, bidirectional: true, resetAfter: false },
      ],
      ...mseHead,
    },
    ["layers.0.h", "layers.0.c_reverse", "layers.1.h_reverse"],
  ),
  specCase(
    "layerNorm rnn, lstm and gru, mse",
    {
      input: 3,
      layers: [
        { cell: "rnn", hidden: 4, layerNorm: true },
        { cell: "lstm", hidden: 4, layerNorm: true },
        { cell: "gru", hidden: 3, layerNorm: true, bidirectional: true },
      ],
      ...mseHead,
    },
    ["layers.1.c"],
  ),
  specCase(
    "embedding, gru, cross_entropy",
    { input: 7, embedding: { vocab: 7, units: 4 }, layers: [{ cell: "gru", hidden: 4 }], ...xentHead },
    ["layers.0.h"],
    { x: 7, y: 3 },
  ),
  specCase("lstm without head or loss (forward only), no lengths", { input: 3, layers: [{ cell: "lstm", hidden: 4 }] }, ["layers.0.c"], {}, undefined),
  specCase("dropout (input, recurrent, variational, head) in evaluation", dropoutSpec, ["layers.0.h"]),
  { ...specCase("dropout (input, recurrent, variational, head) in training", dropoutSpec, ["layers.0.h"]), dropout: { seed: 11, draw: 2 } },
  gatedCase("custom gated cell (GraphBuilder), mse", false, false),
  gatedCase("custom gated cell with dropout, in training", true, true),
];

/** Controls: each must fail the comparison, or the comparison proves nothing. */
const lstm = cases[3];
const controls: TorchCase[] = [
  { ...lstm, name: "control: one sigmoid of the LSTM becomes tanh", tamper: (s) => s.replace("torch.sigmoid(", "torch.tanh(") },
  {
    ...lstm,
    name: "control: one weight off by 1e-7 (relative) on torch's side",
    torchParams: {
      ...lstm.params,
      "layers.0.W_re": { shape: lstm.params["layers.0.W_re"].shape, data: lstm.params["layers.0.W_re"].data.map((v, i) => (i === 5 ? v * (1 + 1e-7) : v)) },
    },
  },
  { ...lstm, name: "control: the mask's hold rule dropped", tamper: (s) => s.replace(/c0 \+ m2 \* \((\w+) - c0\)/, "$1 * m2") },
];

describe.skipIf(torchSkip !== undefined)(
  `the exported torch module of each model gives unroll's outputs, final states, loss and gradients (float64, rtol ${RTOL})`,
  () => {
    let torch: CaseResult[] = [];
    let seconds = 0;
    beforeAll(async () => {
      // the weights reach torch as a user's do: a safetensors file of ours, read by the module's load_safetensors
      const safetensors: WeightsIn = { kind: "safetensors", write: (path, params) => writeFileSync(path, encodeSafetensors(params)) };
      ({ results: torch, seconds } = await torchResults([...cases, ...controls], safetensors));
      console.log(`torch-module.test: python ran ${cases.length + controls.length} cases in ${seconds.toFixed(1)} s`);
    }, 300_000);

    cases.forEach((c, k) => {
      it(c.name, async () => {
        const want = await unrollResult(c);
        expect(caseMismatches(torch[k], want, RTOL)).toEqual([]);
        // a state_dict key for each of our parameters, named as ours
        expect(torch[k].stateDict).toEqual(Object.keys(c.program.params).sort());
        // the comparison saw real numbers: a loss and gradients that are not all zero
        if (want.loss !== null) expect(Math.abs(want.loss)).toBeGreaterThan(1e-3);
        for (const [name, g] of Object.entries(want.grads ?? {}))
          expect(
            g.data.some((v) => v !== 0),
            `gradient of ${name}`,
          ).toBe(true);
      });
    });

    controls.forEach((c, k) => {
      it(`${c.name}: fails`, async () => {
        const want = await unrollResult(c);
        expect(caseMismatches(torch[cases.length + k], want, RTOL).length).toBeGreaterThan(0);
      });
    });
  },
);

if (torchSkip) it.skip(torchSkip, () => {});
