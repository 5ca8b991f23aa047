import { describe, expect, it } from "vitest";
import { resolveShape, type CheckedProgram, type Tensor } from "@unroll/ir";
import { computeGradients, rtrlMemory, WindowCompiler, type SequenceData } from "@unroll/bptt";
import { createCpuBackend } from "../src/index.js";
import { expectAllClose, expectClose, loadFloat64, randomParams, tensor, uniform, type Spec } from "./support/bptt-fixtures.js";

const B = 3;
const I = 2;
const H = 3;
const ATOL = 1e-13;
const RTOL = 1e-10;

function dataFor(program: CheckedProgram, T: number, seed: number, lengths?: number[]): SequenceData {
  const next = uniform(seed);
  const y = program.dataInputs.y;
  const initialState: Record<string, Tensor> = {};
  for (const [name, info] of Object.entries(program.states)) initialState[name] = tensor(resolveShape(info.shape, B), () => 0.5 * next());
  return { sequences: { x: tensor([T, B, I], next), y: tensor([T, ...resolveShape(y, B)], next) }, initialState, ...(lengths ? { lengths } : {}) };
}

async function gradients(program: CheckedProgram, data: SequenceData, seed: number) {
  const loaded = await createCpuBackend().load(program, { dtype: "float64" });
  const params = randomParams(program, seed);
  const run = (method: "bptt" | "rtrl" | "snap1") => computeGradients(loaded, program, params, data, { kind: "full" }, { method });
  return { bptt: await run("bptt"), rtrl: await run("rtrl"), snap: await run("snap1") };
}

const cells: readonly (readonly [string, Spec])[] = [
  ["rnn", { input: I, layers: [{ cell: "rnn", hidden: H }], head: { units: 2, activation: "linear" }, loss: "mse" }],
  ["lstm", { input: I, layers: [{ cell: "lstm", hidden: H }], head: { units: 2, activation: "tanh" }, loss: "mse" }],
  ["gru", { input: I, layers: [{ cell: "gru", hidden: H }], head: { units: 2, activation: "linear" }, loss: "mse" }],
];

describe(`SnAp-1 (float64, |a - b| <= ${ATOL} + ${RTOL}·|b|)`, () => {
  // exactness on a diagonal recurrence (masked too) is the conformance kit's SnAp-1 section, which runs on this backend
  for (const [name, spec] of cells) {
    it(`${name}: equals BPTT over two steps (one step fills the sensitivities exactly), and the head's gradient at any length`, async () => {
      const { program } = await loadFloat64(spec);
      const two = await gradients(program, dataFor(program, 2, 31, undefined), 5);
      expectAllClose("two steps", two.snap.grads, two.bptt.grads, ATOL, RTOL);
      const long = await gradients(program, dataFor(program, 8, 32, undefined), 6);
      for (const p of ["head.W", "head.b"]) expectClose(p, long.snap.grads[p], long.bptt.grads[p], ATOL, RTOL);
      // over longer sequences it approximates: a recurrence that mixes units drops terms exact RTRL keeps
      const differs = Object.keys(long.bptt.grads).some((p) => long.snap.grads[p].data.some((v, i) => Math.abs(v - long.bptt.grads[p].data[i]) > 1e-6));
      expect(differs).toBe(true);
    });
  }

  it("a stack: the top layer's and the head's gradients over two steps equal BPTT's; a lower layer's parameters keep only same-index units above them", async () => {
    const spec: Spec = {
      input: I,
      layers: [
        { cell: "lstm", hidden: H },
        { cell: "gru", hidden: H },
      ],
      head: { units: 2, activation: "linear" },
      loss: "mse",
    };
    const { program } = await loadFloat64(spec);
    const { bptt, snap } = await gradients(program, dataFor(program, 2, 33, undefined), 7);
    for (const p of Object.keys(bptt.grads).filter((p) => !p.startsWith("layers.0."))) expectClose(p, snap.grads[p], bptt.grads[p], ATOL, RTOL);
    // within one step the lower layer reaches every unit above it, which SnAp-1 (and this sparser pattern) drops over time
    expect(snap.grads["layers.0.W_in"].data.some((v, i) => Math.abs(v - bptt.grads["layers.0.W_in"].data[i]) > 1e-8)).toBe(true);
  });

  it("keeps one number per parameter, state and row: H times fewer than RTRL", async () => {
    const { program } = await loadFloat64(cells[1][1]);
    const compiler = new WindowCompiler(program);
    const [exact, snap] = [rtrlMemory(compiler, 16, B, "float64", false, false, "rtrl"), rtrlMemory(compiler, 16, B, "float64", false, false, "snap1")];
    const recurrent = ["layers.0.W_in", "layers.0.W_re", "layers.0.b"].reduce((a, p) => a + program.params[p].reduce((x, y) => x * y, 1), 0);
    // two states (h and c), each sensitive to every recurrent parameter
    expect(snap.sensitivityNumbers).toBe(B * recurrent * 2);
    expect(exact.sensitivityNumbers).toBe(H * snap.sensitivityNumbers);
  });

  it("refuses a cell it cannot follow, naming the node", async () => {
    const { program, loaded } = await loadFloat64({
      input: I,
      layers: [{ cell: "gru", hidden: H, resetAfter: false }],
      head: { units: 2, activation: "linear" },
      loss: "mse",
    });
    const run = computeGradients(loaded, program, randomParams(program, 1), dataFor(program, 3, 1), { kind: "full" }, { method: "snap1" });
    await expect(run).rejects.toThrow(/SnAp-1 cannot follow param "layers\.0\.W_re" \[3, 9\]: node "[^"]+" \(slice\) takes the weight itself/);
  });
});
