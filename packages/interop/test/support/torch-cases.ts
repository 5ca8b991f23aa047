import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createCpuBackend } from "@unroll/backend-cpu";
import { computeGradients, dropoutMasks, runForward, type DropoutDraw, type SequenceData } from "@unroll/bptt";
import { sizeOf, type CheckedProgram, type Tensor } from "@unroll/ir";
import { torchModuleSource } from "../../src/index.js";
import { runPython } from "./python.js";

/** A model run both ways: by unroll on the CPU backend and by its exported torch module. */
export interface TorchCase {
  /** Shown in messages. */
  readonly name: string;
  /** The program. */
  readonly program: CheckedProgram;
  /** Its weights, float64. */
  readonly params: Readonly<Record<string, Tensor>>;
  /** The data: sequences, initial states, lengths (float64). */
  readonly data: SequenceData;
  /** A training draw of the dropout masks: unroll draws them, and torch gets the same masks. Default: evaluation (masks of ones). */
  readonly dropout?: DropoutDraw;
  /** Rewrites the generated Python before it runs: the controls that show a comparison can fail. */
  readonly tamper?: (source: string) => string;
  /** Other weights for torch than for unroll: a control too. */
  readonly torchParams?: Readonly<Record<string, Tensor>>;
}

/** A tensor as the Python side reads and writes it. */
export interface FlatTensor {
  /** Its shape. */
  readonly shape: number[];
  /** Its elements, row-major. */
  readonly data: number[];
}

/** What one side computed for a case; gradients are absent without a loss, and (on torch's side) null where torch has none. */
export interface CaseResult<Grad = FlatTensor | null> {
  readonly outputs: FlatTensor;
  readonly finalState: Record<string, FlatTensor>;
  readonly loss: number | null;
  readonly grads?: Record<string, Grad>;
  readonly inputGrads?: Record<string, Grad>;
  readonly initialStateGrads?: Record<string, Grad>;
  /** Torch only: the keys of the module's state_dict. */
  readonly stateDict?: string[];
  /** Torch only: the traceback of a case that failed in Python. */
  readonly error?: string;
}

/** A tensor of ours as the Python side reads it. */
export function flatOf(t: Tensor): FlatTensor {
  return { shape: [...t.shape], data: Array.from(t.data) };
}

function flatRecord(r: Readonly<Record<string, Tensor>>): Record<string, FlatTensor> {
  return Object.fromEntries(Object.entries(r).map(([k, v]) => [k, flatOf(v)]));
}

/** unroll's result for a case: full BPTT on the CPU backend in float64 (`computeGradients`), or `runForward` without a loss. */
export async function unrollResult(c: TorchCase): Promise<CaseResult<FlatTensor>> {
  const backend = createCpuBackend();
  try {
    const loaded = await backend.load(c.program, { dtype: "float64" });
    if (!c.program.hasLoss) {
      const forward = await runForward(loaded, c.params, c.data, c.program);
      return { outputs: flatOf(forward.outputs), finalState: flatRecord(forward.finalState), loss: null };
    }
    const r = await computeGradients(loaded, c.program, c.params, c.data, { kind: "full" }, c.dropout ? { dropout: c.dropout } : {});
    return {
      outputs: flatOf(r.forward.outputs),
      finalState: flatRecord(r.forward.finalState),
      loss: r.loss,
      grads: flatRecord(r.grads),
      inputGrads: flatRecord(r.inputGrads),
      // torch differentiates the initial states it is given; the others are constants there
      initialStateGrads: flatRecord(Object.fromEntries(Object.entries(r.initialStateGrads).filter(([name]) => Object.hasOwn(c.data.initialState ?? {}, name)))),
    };
  } finally {
    await backend.dispose();
  }
}

/** The data sequences a case gives torch, in the order of the generated forward's arguments (the program's data inputs without dropout masks). */
function dataArguments(program: CheckedProgram): string[] {
  return Object.keys(program.dataInputs).filter((name) => !program.dropout[name]);
}

/** How a case's weights reach Python: as flat tensors in the cases file, or as a file the module's own `load_safetensors` reads. */
export type WeightsIn =
  { readonly kind: "json" } | { readonly kind: "safetensors"; readonly write: (path: string, params: Readonly<Record<string, Tensor>>) => void };

/**
 * Runs every case's exported module in one Python process (`test/python/run_cases.py`):
 * writes the module files and a cases file to a temporary folder, and returns
 * torch's results in the order of the cases, and the seconds Python ran.
 */
export async function torchResults(cases: readonly TorchCase[], weights: WeightsIn = { kind: "json" }): Promise<{ results: CaseResult[]; seconds: number }> {
  const dir = mkdtempSync(join(tmpdir(), "unroll-torch-"));
  try {
    const entries = cases.map((c, k) => {
      const module = join(dir, `case_${k}.py`);
      const source = torchModuleSource(c.program);
      const written = c.tamper ? c.tamper(source) : source;
      if (c.tamper && written === source) throw new Error(`${c.name}: the tampering changed nothing in the generated file`);
      writeFileSync(module, written);
      const [steps, batch] = Object.values(c.data.sequences)[0].shape;
      const masks = c.dropout ? dropoutMasks(c.program, steps, batch, "float64", c.dropout) : undefined;
      const params = c.torchParams ?? c.params;
      let given: Record<string, unknown> = { weights: flatRecord(params) };
      if (weights.kind === "safetensors") {
        const file = join(dir, `case_${k}.safetensors`);
        weights.write(file, params);
        given = { weightsFile: file };
      }
      return {
        module,
        ...given,
        arguments: dataArguments(c.program),
        sequences: flatRecord(c.data.sequences),
        initialState: flatRecord(c.data.initialState ?? {}),
        ...(c.data.lengths ? { lengths: c.data.lengths } : {}),
        ...(masks ? { dropoutMasks: flatRecord(masks), training: true } : {}),
        gradients: c.program.hasLoss,
      };
    });
    const casesFile = join(dir, "cases.json");
    const resultsFile = join(dir, "results.json");
    writeFileSync(casesFile, JSON.stringify(entries));
    const { seconds } = await runPython("run_cases.py", [casesFile, resultsFile]);
    return { results: JSON.parse(readFileSync(resultsFile, "utf8")) as CaseResult[], seconds };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** The largest absolute value of a tensor. */
function maxAbs(data: readonly number[]): number {
  return data.reduce((m, v) => Math.max(m, Math.abs(v)), 0);
}

/**
 * Why `got` is not `want` to `rtol` relative to the largest |element| of
 * `want`, or undefined when it is. A missing tensor on torch's side (torch
 * gives no gradient to an input that does not reach the loss, such as class
 * ids) stands for zeros.
 */
export function tensorMismatch(what: string, got: FlatTensor | null | undefined, want: FlatTensor, rtol: number): string | undefined {
  const data = got ? got.data : new Array<number>(sizeOf(want.shape)).fill(0);
  const shape = got ? got.shape : want.shape;
  if (shape.length !== want.shape.length || shape.some((d, i) => d !== want.shape[i]))
    return `${what}: shape [${shape.join(", ")}], expected [${want.shape.join(", ")}]`;
  const scale = maxAbs(want.data);
  let worst = 0;
  let at = -1;
  data.forEach((v, i) => {
    const d = Math.abs(v - want.data[i]);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  });
  if (worst <= rtol * scale) return undefined;
  return `${what}: element ${at} is ${data[at]}, expected ${want.data[at]} (|difference| ${worst.toExponential(2)} > ${rtol} × max |expected| ${scale.toExponential(2)})`;
}

/** Every difference between torch's and unroll's results of a case, to `rtol` (empty when they agree). */
export function caseMismatches(got: CaseResult, want: CaseResult<FlatTensor>, rtol: number): string[] {
  if (got.error) return [`python failed:\n${got.error}`];
  const out: (string | undefined)[] = [tensorMismatch("outputs", got.outputs, want.outputs, rtol)];
  const keys = (a: object, b: object) => [...new Set([...Object.keys(a), ...Object.keys(b)])];
  for (const name of keys(got.finalState, want.finalState)) {
    out.push(
      want.finalState[name] ? tensorMismatch(`final state ${name}`, got.finalState[name], want.finalState[name], rtol) : `final state ${name}: unexpected`,
    );
  }
  if (want.loss === null) {
    if (got.loss !== null) out.push(`loss: ${got.loss}, expected none`);
  } else {
    out.push(tensorMismatch("loss", got.loss === null ? undefined : { shape: [], data: [got.loss] }, { shape: [], data: [want.loss] }, rtol));
  }
  const groups = [
    ["gradient of", want.grads, got.grads],
    ["gradient of sequence", want.inputGrads, got.inputGrads],
    ["gradient of initial state", want.initialStateGrads, got.initialStateGrads],
  ] as const;
  for (const [label, w, g] of groups) {
    if (!w) continue;
    for (const name of Object.keys(w)) out.push(tensorMismatch(`${label} ${name}`, g?.[name], w[name], rtol));
  }
  return out.filter((m): m is string => m !== undefined);
}
