import { beforeAll, describe, expect, it } from "vitest";
import { createRng } from "@unroll/bptt";
import {
  checkProgram,
  GraphBuilder,
  opCases,
  opKinds,
  programOfGraph,
  resolveShape,
  sizeOf,
  type CaseInputs,
  type Dim,
  type Gen,
  type OpCase,
  type Tensor,
} from "@unroll/ir";
import { torchSkip } from "./support/python.js";
import { caseMismatches, torchResults, unrollResult, type CaseResult, type TorchCase } from "./support/torch-cases.js";

const RTOL = 1e-10;
const T = 2;
const B = 3;

const uniform: Gen = (r) => 2 * r() - 1;

/**
 * One op case of `@unroll/ir`'s `opCases` as a program with a loss: its value
 * made batch-first (reshaped when `"B"` is elsewhere, broadcast over an unread
 * sequence `lift` when it has no batch axis, as the conformance kit does), the
 * output `out`, and the per-row loss `sum(out * seed)` over a data sequence
 * `seed`, so that every operand that reaches the value gets a gradient.
 */
function opCase(op: string, c: OpCase, k: number): TorchCase {
  const b = new GraphBuilder();
  const gens = new Map<string, Gen>();
  const inputs: CaseInputs = {
    b,
    x: (id, shape, spec) => (gens.set(id, spec?.gen ?? uniform), b.input(id, shape)),
    p: (id, shape, spec) => (gens.set(id, spec?.gen ?? uniform), b.param(id, shape)),
  };
  let out = c.build(inputs);
  const s = b.shape(out);
  if (s[0] !== "B") {
    if (s.includes("B")) out = b.reshape(out, ["B", ...s.filter((d) => d !== "B")]);
    else out = b.broadcastTo(b.reshape(out, [1, ...s]), inputs.x("lift", ["B", ...s]));
  }
  b.output("out", out);
  const shape = b.shape(out);
  const weighted = b.mul(out, b.input("seed", shape as Dim[]));
  b.loss(shape.length === 1 ? weighted : b.sum(weighted, { axes: shape.slice(1).map((_, i) => i + 1) }));
  const program = checkProgram(programOfGraph(b.toGraph(`${op}: ${c.name}`)));
  const rng = createRng(1 + k);
  const draw = (dims: readonly number[], gen: Gen): Tensor => {
    const data = new Float64Array(sizeOf(dims));
    for (let i = 0; i < data.length; i++) data[i] = gen(rng);
    return { shape: [...dims], data };
  };
  const params = Object.fromEntries(Object.entries(program.params).map(([id, dims]) => [id, draw(dims, gens.get(id)!)]));
  const sequences = Object.fromEntries(
    Object.entries(program.dataInputs).map(([id, dims]) => [id, draw([T, ...resolveShape(dims, B)], gens.get(id) ?? uniform)]),
  );
  return { name: `${op}: ${c.name}`, program, params, data: { sequences } };
}

const cases = opKinds.flatMap((op) => opCases[op].graphs.map((c) => ({ op, c })));
const torchCases = cases.map(({ op, c }, k) => opCase(op, c, k));
const named = (name: string): TorchCase => torchCases.find((c) => c.name === name)!;

/** Controls: a wrong mapping must fail the comparison. */
const controls: TorchCase[] = [
  {
    ...named("softmax: [B,4]"),
    name: "control: softmax over the wrong axis",
    tamper: (s: string) => s.replace(/torch\.softmax\((\w+), -1\)/, "torch.softmax($1, 0)"),
  },
  {
    ...named("relu: [B,4] both signs"),
    name: "control: relu as leaky relu",
    tamper: (s: string) => s.replace("torch.relu(", "torch.nn.functional.leaky_relu("),
  },
];

describe.skipIf(torchSkip !== undefined)(
  `every op of the op set in torch: outputs, loss and gradients of each op case equal unroll's (float64, rtol ${RTOL})`,
  () => {
    let torch: CaseResult[] = [];
    beforeAll(async () => {
      const { results, seconds } = await torchResults([...torchCases, ...controls]);
      torch = results;
      console.log(`torch-ops.test: python ran ${torchCases.length + controls.length} cases in ${seconds.toFixed(1)} s`);
    }, 300_000);

    it("covers every op", () => {
      for (const op of opKinds)
        expect(
          cases.some((c) => c.op === op),
          op,
        ).toBe(true);
    });

    describe.each(opKinds)("%s", (op) => {
      torchCases.forEach((c, k) => {
        if (cases[k].op !== op) return;
        it(cases[k].c.name, async () => {
          expect(caseMismatches(torch[k], await unrollResult(c), RTOL)).toEqual([]);
        });
      });
    });

    controls.forEach((c, k) => {
      it(`${c.name}: fails`, async () => {
        expect(caseMismatches(torch[torchCases.length + k], await unrollResult(c), RTOL).length).toBeGreaterThan(0);
      });
    });
  },
);

if (torchSkip) it.skip(torchSkip, () => {});
