import { InputError } from "./input-error.js";
import { ownEntry } from "./own-entry.js";
import { formatShape, resolveShape, sizeOf, type CheckedProgram, type Tensor } from "@unroll/ir";
import { checkRtrlProgram } from "./rtrl-memory.js";
import { isForwardMethod, type ForwardMethod, type WindowRequest } from "./window.js";

/** The window's length and batch size, read from its data. */
export interface WindowSize {
  /** Steps in the window. */
  readonly steps: number;
  /** Rows in the batch. */
  readonly batch: number;
}

function expectShape(what: string, t: Tensor | undefined, expected: readonly number[]): void {
  if (!t) throw new InputError(`${what} is missing; expected shape ${formatShape(expected)}`);
  if (t.shape.length !== expected.length || t.shape.some((d, i) => d !== expected[i])) {
    throw new InputError(`${what} has shape ${formatShape(t.shape)} but the program expects ${formatShape(expected)}`);
  }
  if (t.data.length !== expected.reduce((a, b) => a * b, 1)) {
    throw new InputError(`${what} holds ${t.data.length} numbers, not the ${formatShape(expected)} its shape says`);
  }
}

/**
 * Checks a window request against a program before anything runs, so every
 * backend reports a missing or misshapen tensor the same way, naming it and
 * both shapes.
 */
export function checkWindowRequest(program: CheckedProgram, req: WindowRequest): WindowSize {
  const names = Object.keys(program.dataInputs);
  const first = ownEntry(req.sequences, names[0]);
  if (!first || first.shape.length < 2) {
    throw new InputError(`sequence "${names[0]}" is missing or is not time-major [T, B, ...]`);
  }
  const [steps, batch] = first.shape;
  for (const name of names) {
    expectShape(`sequence "${name}"`, ownEntry(req.sequences, name), [steps, ...resolveShape(program.dataInputs[name], batch)]);
  }
  for (const [name, shape] of Object.entries(program.params)) expectShape(`param "${name}"`, ownEntry(req.params, name), shape);
  for (const name of Object.keys(req.params)) {
    if (!program.params[name]) throw new InputError(`param "${name}" is not used by the program (params: ${Object.keys(program.params).join(", ")})`);
  }
  for (const [name, info] of Object.entries(program.states)) {
    const given = ownEntry(req.initialState, name);
    if (given) expectShape(`initial state "${name}"`, given, resolveShape(info.shape, batch));
  }
  for (const name of Object.keys(req.initialState)) {
    if (!program.states[name])
      throw new InputError(`initial state "${name}" is not a state of the program (states: ${Object.keys(program.states).join(", ")})`);
  }
  if (req.mask) expectShape("mask", req.mask, [steps, batch]);
  const lossFrom = req.lossFrom ?? 0;
  if (!(Number.isInteger(lossFrom) && lossFrom >= 0 && lossFrom <= steps)) throw new InputError(`lossFrom ${lossFrom} is outside the window of ${steps} steps`);
  const every = req.checkpointEvery ?? 1;
  if (!(Number.isInteger(every) && every >= 1)) throw new InputError(`checkpointEvery must be a positive integer, got ${every}`);
  const method = req.method ?? "bptt";
  if (method !== "bptt" && !isForwardMethod(method)) throw new InputError(`method must be "bptt", "rtrl" or "snap1", got ${JSON.stringify(method)}`);
  if (req.deltaNorms && !req.gradients) throw new InputError("deltaNorms measure the backward pass: ask for gradients too");
  if (req.deltaNorms && isForwardMethod(method)) {
    throw new InputError(`deltaNorms measure BPTT's backward pass; ${method === "rtrl" ? "RTRL" : "SnAp-1"} carries gradients forward and has no state deltas`);
  }
  if (isForwardMethod(method)) checkRtrlRequest(program, req, batch, method);
  else if (req.sensitivities) throw new InputError('sensitivities are carried by RTRL and SnAp-1: give them with method "rtrl" or "snap1"');
  return { steps, batch };
}

/** What RTRL and SnAp-1 need of a request: a causal program, no checkpointing, sensitivities `[B, size(param), ...state]` (SnAp-1: `[B, size(param) / n, n]`) of known params and states. */
function checkRtrlRequest(program: CheckedProgram, req: WindowRequest, batch: number, method: ForwardMethod): void {
  if (req.gradients) checkRtrlProgram(program, req);
  for (const [param, byState] of Object.entries(req.sensitivities ?? {})) {
    const shape = program.params[param];
    if (!shape) throw new InputError(`sensitivities of "${param}", which is not a param of the program (params: ${Object.keys(program.params).join(", ")})`);
    for (const [state, t] of Object.entries(byState)) {
      const info = program.states[state];
      if (!info)
        throw new InputError(
          `sensitivity of "${state}" to "${param}": "${state}" is not a state of the program (states: ${Object.keys(program.states).join(", ")})`,
        );
      const s = resolveShape(info.shape, batch);
      const n = s[s.length - 1];
      expectShape(`sensitivity of "${state}" to "${param}"`, t, method === "snap1" ? [s[0], sizeOf(shape) / n, n] : [s[0], sizeOf(shape), ...s.slice(1)]);
    }
  }
}
