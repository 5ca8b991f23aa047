import { MASK_ID, resolveShape, type CheckedProgram } from "@unroll/ir";
import type { WindowShape } from "./compile-window.js";
import type { RtrlScan } from "./stage-graphs.js";
import type { BufferSpec, StepsRef, WindowProgram } from "./window-program.js";

/**
 * The program of an RTRL window: the loss seed, then one forward scan of the
 * RTRL step graph that carries the states and their sensitivities, writes the
 * outputs and the loss, and sums each step's gradient contribution.
 *
 * ```
 * seed[t] = 1/rows for t >= lossFrom
 * carry, M = initial, sensitivities (or 0); g = 0
 * for t in 0..L-1:  carry, M, y_t, loss_t, dg = rtrl_step(carry, M, x_t, seed_t);  g += dg
 * ```
 */
export function compileRtrlWindow(program: CheckedProgram, shape: WindowShape, rtrl: RtrlScan): WindowProgram {
  const { steps: L, batch: B, dtype, masked } = shape;
  const lossFrom = shape.lossFrom ?? 0;
  const collect = shape.collectStates ?? true;
  const given = new Set(shape.givenStates ?? []);
  const givenSensitivities = new Set((shape.givenSensitivities ?? []).map(([p, s]) => `${p}\n${s}`));
  const buffers = new Map<string, BufferSpec>();
  const buffer = (spec: BufferSpec): string => {
    if (!buffers.has(spec.id)) buffers.set(spec.id, spec);
    return spec.id;
  };
  const produced = { produced: true } as const;
  const at = (id: string, offset = 0): StepsRef => ({ buffer: id, offset });
  const g = rtrl.scan.graph.graph;
  const forward = program.states;
  for (const name of Object.keys(program.params)) buffer({ id: `param:${name}`, role: "param", shape: program.params[name], init: { from: "params", name } });

  const sequences: Record<string, StepsRef> = {};
  for (const x of g.xs) {
    if (x.id === MASK_ID) sequences[x.id] = at(buffer({ id: "mask", role: "mask", shape: [L, B], init: { from: "mask" } }));
    else if (program.dataInputs[x.id]) {
      const s = [L, ...resolveShape(program.dataInputs[x.id], B)];
      sequences[x.id] = at(buffer({ id: `seq:${x.id}`, role: "sequence", shape: s, init: { from: "sequences", name: x.id } }));
    }
  }
  const seed = buffer({ id: "seed:loss", role: "seed", shape: [L, B], init: { fill: 0 } });
  sequences[rtrl.rtrl.seed] = at(seed);

  const initial: Record<string, string> = {};
  const final: Record<string, string> = {};
  const states: Record<string, string> = {};
  const finalState: Record<string, string> = {};
  const after: Record<string, StepsRef> = {};
  for (const [name, info] of Object.entries(forward)) {
    const s = resolveShape(info.shape, B);
    initial[name] = buffer({ id: `initial:${name}`, role: "initial", shape: s, init: given.has(name) ? { from: "initialState", name } : { fill: info.init } });
    finalState[name] = final[name] = buffer({ id: `final:${name}`, role: "final", shape: s, init: produced });
    if (collect) {
      states[name] = buffer({ id: `state:${name}`, role: "state", shape: [L, ...s], init: produced });
      after[name] = at(states[name]);
    }
  }
  const sensitivities: Record<string, Record<string, string>> = {};
  for (const [param, byState] of Object.entries(rtrl.rtrl.sensitivities)) {
    sensitivities[param] = {};
    for (const [state, carry] of Object.entries(byState)) {
      const m = resolveShape(g.carry.find((c) => c.id === carry)!.shape, B);
      const init = givenSensitivities.has(`${param}\n${state}`) ? { from: "sensitivities" as const, name: param, state } : { fill: 0 };
      initial[carry] = buffer({ id: `sensitivity:${param}:${state}`, role: "sensitivity", shape: m, init });
      final[carry] = sensitivities[param][state] = buffer({ id: `final-sensitivity:${param}:${state}`, role: "sensitivity", shape: m, init: produced });
    }
  }
  const outputs = g.ys
    .filter((y) => program.sequences[y.id] !== undefined)
    .map((y) => ({
      value: y.value,
      to: at(buffer({ id: `seq:${y.id}`, role: "output", shape: [L, ...resolveShape(program.sequences[y.id], B)], init: produced })),
    }));
  const loss = buffer({ id: "loss:0", role: "loss", shape: [L, B], init: produced });
  outputs.push({ value: g.loss!, to: at(loss) });
  const grads: Record<string, string> = {};
  for (const [name, s] of Object.entries(program.params)) grads[name] = buffer({ id: `grad:${name}`, role: "grad", shape: s, init: { fill: 0 } });
  const summed = Object.entries(rtrl.rtrl.grads).map(([name, ys]) => ({ value: g.ys.find((y) => y.id === ys)!.value, to: grads[name] }));

  return {
    steps: L,
    batch: B,
    dtype,
    gradients: true,
    method: shape.method === "snap1" ? "snap1" : "rtrl",
    masked,
    lossFrom,
    segments: [[0, L]],
    scans: [rtrl.scan],
    buffers: [...buffers.values()],
    instructions: [
      { op: "seedLoss", buffer: seed, from: lossFrom },
      {
        op: "scan",
        scan: 0,
        stage: 0,
        pass: "forward",
        from: 0,
        to: L,
        reverse: false,
        constants: Object.fromEntries(g.params.map((p) => [p.id, `param:${p.id}`])),
        sequences,
        initial,
        final,
        outputs,
        accumulate: [],
        summed,
        entering: {},
        after,
      },
    ],
    results: {
      outputs: `seq:${program.program.output}`,
      states,
      finalState,
      loss: [loss],
      grads,
      inputGrads: {},
      initialStateGrads: {},
      sensitivities,
      deltas: {},
    },
  };
}
