import type { CheckedProgram, Dtype, ModelSpec } from "@unroll/ir";
import { computeGradients, runForward, type Backend, type DropoutMode, type Truncation } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { castData, modelData } from "../models/model-data.js";
import { H, I, O, spec, type ModelCase } from "../models/models.js";
import { expectNoMismatches, recordMismatches, scalarMismatches } from "../support/compare.js";
import { directionMismatches } from "../support/finite-differences.js";
import { castAll, randomParams, rngFor } from "../support/tensors.js";
import { GRADIENT_TOLERANCE, SAME_BACKEND_TOLERANCE } from "../support/tolerance.js";
import { itRunning, onFirstRunnable, type SuiteContext } from "../suite-context.js";

const T = 4;
const B = 3;
/** A training draw of the masks. */
const DRAW: DropoutMode = { seed: 12345, draw: 6 };
const DIRECTIONS = 3;

/** A model with dropout everywhere the spec allows, and the same model without it; named and run as the one with dropout. */
interface DropoutCase {
  readonly name: string;
  readonly program: CheckedProgram;
  readonly dropped: ModelCase;
  readonly plain: ModelCase;
  readonly truncations: readonly (readonly [string, Truncation])[];
}

function dropoutCase(name: string, s: ModelSpec, drop: ModelSpec): DropoutCase {
  const causal = !s.layers.some((l) => l.bidirectional);
  const truncations: (readonly [string, Truncation])[] = [["full BPTT", { kind: "full" }]];
  if (causal) truncations.push(["BPTT(2, 3)", { kind: "k1k2", k1: 2, k2: 3 }]);
  const dropped = spec(`${name} with dropout`, drop);
  return { name: dropped.name, program: dropped.program, dropped, plain: spec(name, s), truncations };
}

type Activation = "tanh" | "relu" | "sigmoid";
const ACTIVATIONS: readonly Activation[] = ["tanh", "relu", "sigmoid"];
const head = { units: O, activation: "linear" } as const;

/**
 * Two stacked rnns (dropout between them, as PyTorch's `nn.RNN(dropout=…)`), each activation in turn,
 * tanh first: variational input dropout, recurrent dropout, and head dropout.
 */
function causalDropoutCandidates(): readonly DropoutCase[] {
  return ACTIVATIONS.map((activation) => {
    const rnn = { cell: "rnn", hidden: H, activation } as const;
    return dropoutCase(
      `2 rnn ${activation}, linear head, mse`,
      { input: I, layers: [rnn, rnn], head, loss: "mse" },
      {
        input: I,
        layers: [
          { ...rnn, dropout: 0.3, variational: true, recurrentDropout: 0.4 },
          { ...rnn, dropout: 0.5 },
        ],
        head: { ...head, dropout: 0.25 },
        loss: "mse",
      },
    );
  });
}

/** A bidirectional rnn, each activation in turn: its two directions share the input mask and have a recurrent mask each. */
function bidirectionalDropoutCandidates(): readonly DropoutCase[] {
  return ACTIVATIONS.map((activation) => {
    const rnn = { cell: "rnn", hidden: H, activation, bidirectional: true } as const;
    return dropoutCase(
      `bidirectional rnn ${activation}, linear head, mse`,
      { input: I, layers: [rnn], head, loss: "mse" },
      { input: I, layers: [{ ...rnn, dropout: 0.5, recurrentDropout: 0.3 }], head, loss: "mse" },
    );
  });
}

/** Params and data of a dropout case, from its name. */
function inputsOf(c: DropoutCase) {
  const rand = rngFor(`dropout/${c.plain.name}`);
  return { params: randomParams(c.plain.program, rand), data: modelData(c.plain.program, T, B, rand) };
}

/** Dropout off (evaluation) against the model without dropout: forward and gradients. */
async function offMismatches(backend: Backend, c: DropoutCase, dtype: Dtype): Promise<string[]> {
  const { params, data } = inputsOf(c);
  const [p, d] = [castAll(params, dtype), castData(data, dtype)];
  const dropped = await backend.load(c.dropped.program, { dtype });
  const plain = await backend.load(c.plain.program, { dtype });
  try {
    const tol = SAME_BACKEND_TOLERANCE[dtype];
    const got = await runForward(dropped, p, d, c.dropped.program);
    const want = await runForward(plain, p, d, c.plain.program);
    const problems = [
      ...scalarMismatches("runForward: loss", got.loss, want.loss, tol),
      ...recordMismatches("runForward: outputs", { output: got.outputs }, { output: want.outputs }, tol, "sequence"),
    ];
    const g = await computeGradients(dropped, c.dropped.program, p, d, { kind: "full" }, { dropout: "off" });
    const w = await computeGradients(plain, c.plain.program, p, d, { kind: "full" });
    problems.push(...scalarMismatches("off: loss", g.loss, w.loss, tol), ...recordMismatches("off: grads", g.grads, w.grads, tol));
    problems.push(...recordMismatches("off: inputGrads", g.inputGrads, w.inputGrads, tol, "sequence"));
    return problems;
  } finally {
    await dropped.dispose();
    await plain.dispose();
  }
}

/** Gradients under a training draw against the float64 CPU backend's with the same draw, under each truncation. */
async function drawMismatches(backend: Backend, c: DropoutCase, dtype: Dtype): Promise<string[]> {
  const { program } = c.dropped;
  const { params, data } = inputsOf(c);
  const loaded = await backend.load(program, { dtype });
  const cpu = createCpuBackend();
  const reference = await cpu.load(program, { dtype: "float64" });
  try {
    const tol = GRADIENT_TOLERANCE[dtype];
    const problems: string[] = [];
    for (const [label, tr] of c.truncations) {
      const got = await computeGradients(loaded, program, castAll(params, dtype), castData(data, dtype), tr, { dropout: DRAW });
      const want = await computeGradients(reference, program, params, data, tr, { dropout: DRAW });
      problems.push(...scalarMismatches(`${label}: loss`, got.loss, want.loss, tol), ...recordMismatches(`${label}: grads`, got.grads, want.grads, tol));
      problems.push(...recordMismatches(`${label}: inputGrads`, got.inputGrads, want.inputGrads, tol, "sequence"));
      problems.push(...recordMismatches(`${label}: initialStateGrads`, got.initialStateGrads, want.initialStateGrads, tol, "rows"));
    }
    return problems;
  } finally {
    await loaded.dispose();
    await cpu.dispose();
  }
}

/** Full BPTT's gradients under a training draw against central differences of the loss with the same masks (float64). */
async function finiteDifferenceMismatches(backend: Backend, c: DropoutCase): Promise<string[]> {
  const { program } = c.dropped;
  const { params, data } = inputsOf(c);
  const loaded = await backend.load(program, { dtype: "float64" });
  try {
    const res = await computeGradients(loaded, program, params, data, { kind: "full" }, { dropout: DRAW });
    const objective = async () => (await computeGradients(loaded, program, params, data, { kind: "full" }, { dropout: DRAW })).loss;
    return await directionMismatches("grads", params, res.grads, DIRECTIONS, rngFor(`dropout/${c.plain.name}/directions`), objective);
  } finally {
    await loaded.dispose();
  }
}

/**
 * Dropout (`GraphBuilder.dropout`, the model spec's `dropout`,
 * `recurrentDropout` and `head.dropout`): the scheduler fills the masks, so a
 * backend runs them as data. With dropout off, forward and gradients equal the
 * model without dropout; under a training draw, gradients equal the float64
 * CPU backend's with the same draw in every dtype (full and truncated) and
 * central finite differences in float64. Dropout is about time and rows, not
 * cells: it runs on the first rnn, causal and bidirectional, whose ops the
 * backend declares.
 */
export function describeDropout(ctx: SuiteContext): void {
  ctx.registrar.describe(`dropout (T = ${T}, B = ${B})`, () => {
    onFirstRunnable(ctx, "dropout", causalDropoutCandidates(), (c) => describeDropoutCase(ctx, c));
    onFirstRunnable(ctx, "dropout, bidirectional", bidirectionalDropoutCandidates(), (c) => describeDropoutCase(ctx, c));
  });
}

/** The dropout checks on one case. */
function describeDropoutCase(ctx: SuiteContext, c: DropoutCase): void {
  const { program } = c;
  itRunning(ctx, `${c.plain.name}: dropout off equals the model without dropout (${ctx.primary})`, program, { gradients: true }, async () =>
    expectNoMismatches(await offMismatches(ctx.backend, c, ctx.primary)),
  );
  for (const dtype of ctx.dtypes) {
    itRunning(ctx, `${c.plain.name}: gradients under a draw of masks match the float64 CPU backend's (${dtype})`, program, { gradients: true }, async () =>
      expectNoMismatches(await drawMismatches(ctx.backend, c, dtype)),
    );
  }
  itRunning(
    ctx,
    `${c.plain.name}: gradients under a draw of masks match finite differences (float64)`,
    program,
    { gradients: true, dtype: "float64" },
    async () => expectNoMismatches(await finiteDifferenceMismatches(ctx.backend, c)),
  );
}
