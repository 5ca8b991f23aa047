import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createCpuBackend } from "@unroll/backend-cpu";
import { computeGradients, runForward, type SequenceData } from "@unroll/bptt";
import { GraphBuilder, programOfGraph, type CheckedProgram, type Tensor } from "@unroll/ir";
import { decodeSafetensors, encodeSafetensors, torchModuleSource } from "../src/index.js";
import { checked, dataFor, modelProgram, weightsFor } from "./support/model-cases.js";
import { runPython, torchSkip } from "./support/python.js";
import { flatOf, tensorMismatch, type FlatTensor } from "./support/torch-cases.js";

const RTOL = 1e-10;
/** Where the module files, weights and results of the run live (made by the run). */
let dir = "";
const LR = 0.1;
const T = 5;
const B = 4;

/** A case of the DDP run: a program, its weights and the whole batch's data; `lossRows` is what each process divides its summed loss by. */
interface DdpCase {
  readonly name: string;
  readonly program: CheckedProgram;
  readonly params: Record<string, Tensor>;
  readonly data: SequenceData;
  /** "shares": the whole batch's counted (step, row) pairs / 2, the exact convention; "local": each process's own mean (the control). */
  readonly loss: "shares" | "local";
}

/** What one process reports for a case. */
interface RankResult {
  readonly loss: number;
  readonly grads: Record<string, FlatTensor>;
  readonly trained?: { outputs: FlatTensor; finalState: Record<string, FlatTensor>; loss: number };
  readonly error?: string;
}

function gatedProgram(): CheckedProgram {
  const b = new GraphBuilder();
  const x = b.input("x", ["B", 2]);
  const y = b.input("y", ["B", 1]);
  const h = b.carry("h", ["B", 4]);
  const z = b.sigmoid(b.add(b.matmul(x, b.param("W_z", [2, 4])), b.param("b_z", [4])));
  const candidate = b.tanh(b.add(b.matmul(x, b.param("W", [2, 4])), b.matmul(h, b.param("U", [4, 4]))));
  const hNext = b.add(b.mul(z, h), b.mul(b.sub(b.scalar(1), z), candidate));
  b.update(h, hNext);
  const out = b.matmul(hNext, b.param("W_out", [4, 1]));
  b.output("output", out);
  b.loss(b.mse(out, y));
  return checked(programOfGraph(b.toGraph("gated")));
}

const bidirectional = modelProgram({
  input: 3,
  layers: [
    { cell: "lstm", hidden: 4, bidirectional: true },
    { cell: "gru", hidden: 3 },
  ],
  head: { units: 3, activation: "softmax" },
  loss: "cross_entropy",
});
// the two halves count different numbers of (step, row) pairs: 5 + 1 and 4 + 4
const unequal = dataFor(bidirectional, {
  steps: T,
  batch: B,
  lengths: [5, 1, 4, 4],
  initial: ["layers.0.h", "layers.0.c_reverse", "layers.1.h"],
  ids: { y: 3 },
  seed: 21,
});
const gated = gatedProgram();

const cases: DdpCase[] = [
  {
    name: "bidirectional lstm, gru, cross_entropy, unequal lengths and initial states",
    program: bidirectional,
    params: weightsFor(bidirectional, 20),
    data: unequal,
    loss: "shares",
  },
  {
    name: "custom gated cell, mse, equal halves without lengths",
    program: gated,
    params: weightsFor(gated, 22),
    data: dataFor(gated, { steps: T, batch: B, initial: ["h"], seed: 23 }),
    loss: "local",
  },
  {
    name: "control: unequal lengths with each process's own mean",
    program: bidirectional,
    params: weightsFor(bidirectional, 20),
    data: unequal,
    loss: "local",
  },
];

/**
 * The weights process 0 saved after the step. The file's bytes are copied out of Node's Buffer first:
 * decodeSafetensors slices its input and takes the slice's `.buffer`, and a Buffer's slice is a view
 * of a shared pool, not a copy (reported; a Uint8Array's slice is a copy).
 */
function readTrained(k: number): Record<string, Tensor> {
  return decodeSafetensors(new Uint8Array(readFileSync(join(dir, `case_${k}.trained.safetensors`))), { dtype: "float64" }).tensors;
}

/** The number of (step, row) pairs whose loss counts in the whole batch. */
function countedRows(data: SequenceData): number {
  return data.lengths ? data.lengths.reduce((n, l) => n + l, 0) : T * B;
}

describe.skipIf(torchSkip !== undefined)("the exported module under DistributedDataParallel, 2 processes (gloo on 127.0.0.1), each on half the batch", () => {
  let ranks: RankResult[][] = [];
  let seconds = 0;
  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), "unroll-ddp-"));
    const config = cases.map((c, k) => {
      const module = join(dir, `case_${k}.py`);
      writeFileSync(module, torchModuleSource(c.program));
      const weightsFile = join(dir, `case_${k}.safetensors`);
      writeFileSync(weightsFile, encodeSafetensors(c.params));
      return {
        module,
        weightsFile,
        trainedFile: join(dir, `case_${k}.trained.safetensors`),
        arguments: Object.keys(c.program.dataInputs),
        sequences: Object.fromEntries(Object.entries(c.data.sequences).map(([n, t]) => [n, flatOf(t)])),
        initialState: Object.fromEntries(Object.entries(c.data.initialState ?? {}).map(([n, t]) => [n, flatOf(t)])),
        ...(c.data.lengths ? { lengths: c.data.lengths } : {}),
        ...(c.loss === "shares" ? { lossRows: countedRows(c.data) / 2 } : {}),
        lr: LR,
      };
    });
    writeFileSync(join(dir, "config.json"), JSON.stringify(config));
    ({ seconds } = await runPython("ddp_step.py", [join(dir, "config.json"), join(dir, "results")], 240_000));
    ranks = [0, 1].map((r) => JSON.parse(readFileSync(join(dir, `results.${r}.json`), "utf8")) as RankResult[]);
    console.log(`torch-ddp.test: the 2-process DDP run of ${cases.length} cases took ${seconds.toFixed(1)} s`);
  }, 300_000);
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  /** unroll on the whole batch: the loss and gradients (full BPTT, float64), and the weights after one SGD step. */
  async function unrollStep(c: DdpCase) {
    const backend = createCpuBackend();
    try {
      const loaded = await backend.load(c.program, { dtype: "float64" });
      const r = await computeGradients(loaded, c.program, c.params, c.data, { kind: "full" });
      const stepped = Object.fromEntries(
        Object.entries(c.params).map(([name, w]) => [name, { shape: w.shape, data: w.data.map((v, i) => v - LR * r.grads[name].data[i]) }]),
      );
      return { grads: r.grads, stepped, loss: r.loss };
    } finally {
      await backend.dispose();
    }
  }

  cases.forEach((c, k) => {
    const control = c.name.startsWith("control");
    it(
      control
        ? `${c.name}: the averaged gradient is not the whole batch's`
        : `${c.name}: the averaged gradient and one SGD step equal unroll's on the whole batch`,
      async () => {
        for (const r of ranks) expect(r[k].error, r[k].error).toBeUndefined();
        const want = await unrollStep(c);
        const mismatches = ranks.flatMap((r, rank) =>
          Object.keys(c.params).map((name) =>
            tensorMismatch(`process ${rank}: averaged gradient of ${name}`, r[k].grads[name], flatOf(want.grads[name]), RTOL),
          ),
        );
        if (control) {
          expect(mismatches.filter((m) => m !== undefined).length).toBeGreaterThan(0);
          return;
        }
        expect(mismatches.filter((m) => m !== undefined)).toEqual([]);
        // with the shares convention the processes' losses add up to the whole batch's mean loss
        if (c.loss === "shares") expect(Math.abs(ranks[0][k].loss + ranks[1][k].loss - 2 * want.loss) / Math.abs(want.loss)).toBeLessThan(RTOL);
        // the weights process 0 saved after the step, read back as safetensors
        const trained = readTrained(k);
        expect(Object.keys(trained).sort()).toEqual(Object.keys(c.params).sort());
        const stepMismatches = Object.keys(c.params).map((name) =>
          tensorMismatch(`weights after the step: ${name}`, flatOf(trained[name]), flatOf(want.stepped[name]), RTOL),
        );
        expect(stepMismatches.filter((m) => m !== undefined)).toEqual([]);
      },
    );

    if (control) return;
    it(`${c.name}: the trained weights, loaded back into unroll, give the trained module's outputs, final states and loss`, async () => {
      const trained = readTrained(k);
      const backend = createCpuBackend();
      try {
        const loaded = await backend.load(c.program, { dtype: "float64" });
        const r = await runForward(loaded, trained, c.data, c.program);
        const torch = ranks[0][k].trained!;
        const mismatches = [
          tensorMismatch("outputs", torch.outputs, flatOf(r.outputs), RTOL),
          ...Object.entries(r.finalState).map(([name, t]) => tensorMismatch(`final state ${name}`, torch.finalState[name], flatOf(t), RTOL)),
          tensorMismatch("loss", { shape: [], data: [torch.loss] }, { shape: [], data: [r.loss!] }, RTOL),
        ];
        expect(mismatches.filter((m) => m !== undefined)).toEqual([]);
        // the step changed the outputs: the comparison is of the trained weights, not the initial ones
        const before = await runForward(loaded, c.params, c.data, c.program);
        expect(tensorMismatch("outputs", flatOf(before.outputs), flatOf(r.outputs), 1e-6)).toBeDefined();
      } finally {
        await backend.dispose();
      }
    });
  });
});

if (torchSkip) it.skip(torchSkip, () => {});
