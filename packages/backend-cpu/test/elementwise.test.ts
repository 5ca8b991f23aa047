import { describe, expect, it } from "vitest";
import {
  elementwiseOf,
  evalScalar,
  GraphBuilder,
  opKinds,
  ops,
  renderJs,
  resolveShape,
  scalar,
  type CheckedGraph,
  type Dtype,
  type FloatArray,
  type NodeOf,
  type OpKind,
  type Tensor,
} from "@unroll/ir";
import { cpuDevice, cpuKernels } from "../src/index.js";
import { planFusion } from "../src/fusion.js";

/** The ops that carry a scalar expression, and how many operands each takes. */
const elementwise = opKinds.filter((op) => ops[op].elementwise !== undefined).map((op) => [op, ops[op].elementwise!.length] as const);

/** Edge values (signed zeros, infinities, NaN, overflow and underflow of exp, float32 limits) and plain ones. */
const SAMPLES = [0, -0, 1, -1, 0.5, -2.5, 1e-8, -1e-300, 20, -20, 40, -40, 710, -746, 3.5e38, 1e-45, Infinity, -Infinity, NaN];
for (let k = 0; k < 24; k++) SAMPLES.push(Math.sin(k * 12.9898) * 6);

const arrayOf = (dtype: Dtype, values: readonly number[]): FloatArray => (dtype === "float64" ? Float64Array.from(values) : Float32Array.from(values));

/** Every combination of samples for `arity` operands, as one flat array per operand. */
function operands(arity: number): number[][] {
  if (arity === 1) return [SAMPLES];
  const a: number[] = [];
  const b: number[] = [];
  for (const x of SAMPLES) {
    for (const y of SAMPLES) {
      a.push(x);
      b.push(y);
    }
  }
  return [a, b];
}

/** Runs a graph's nodes on the CPU device, fused (only the graph's ys materialized) or one kernel per node. */
function runNodes(g: CheckedGraph, fuse: boolean, env: Map<string, Tensor>, batch: number, dtype: Dtype): Map<string, Tensor> {
  const device = cpuDevice({ kernels: cpuKernels, fuse });
  const live = new Set(g.graph.ys.map((y) => y.value));
  for (const exe of device.prepare(g.order, { shapes: g.shapes, live, dtype })) {
    const last = exe.nodes[exe.nodes.length - 1];
    const out = device.alloc(resolveShape(g.shapes.get(last.id)!, batch), dtype);
    device.run(
      exe,
      exe.inputs.map((id) => env.get(id)!),
      out,
    );
    env.set(last.id, out);
  }
  return env;
}

/** Bitwise equality, with NaN equal to NaN and 0 unequal to -0; returns the first index that differs. */
function firstDifference(actual: ArrayLike<number>, expected: ArrayLike<number>): number {
  for (let i = 0; i < expected.length; i++) if (!Object.is(actual[i], expected[i])) return i;
  return -1;
}

describe.each<Dtype>(["float64", "float32"])("elementwise ops in %s", (dtype) => {
  const round = dtype === "float32" ? Math.fround : (x: number) => x;

  it.each(elementwise)("evalScalar of %s's expression gives the CPU kernel's bits", (op, arity) => {
    const ins = operands(arity).map((values) => arrayOf(dtype, values));
    const shape = [ins[0].length];
    const node = { id: "y", op, inputs: ins.map((_, k) => `x${k}`), attrs: undefined } as NodeOf<OpKind>;
    const out: Tensor = { shape, data: arrayOf(dtype, new Array(shape[0]).fill(NaN)) };
    (cpuKernels[op] as (n: typeof node, i: Tensor[], o: Tensor) => void)(
      node,
      ins.map((data) => ({ shape, data })),
      out,
    );
    const expr = elementwiseOf(node)!;
    // the evaluator works in float64 on the (rounded) inputs; a float32 kernel rounds once on store
    const want = Array.from(out.data, (_, i) =>
      round(
        evalScalar(
          expr,
          ins.map((x) => x[i]),
        ),
      ),
    );
    const i = firstDifference(out.data, want);
    expect(i, i < 0 ? "" : `${op}(${ins.map((x) => x[i]).join(", ")}): kernel ${out.data[i]}, evalScalar ${want[i]}`).toBe(-1);
  });

  it.each(elementwise)("a fused loop through %s gives the unfused kernels' bits", (op, arity) => {
    // t = x0 * c + x1 feeds the op, so that the op joins a fused group of three nodes
    const b = new GraphBuilder();
    const x = [b.input("x0", ["B", 4]), b.input("x1", ["B", 4])];
    const t = b.add(b.mul(x[0], b.param("c", [4])), x[1]);
    b.output("y", b.node(op, arity === 1 ? [t] : [t, x[1]]));
    const g = b.build();
    const steps = planFusion(g.order, g.shapes, new Set(), dtype);
    expect(steps.map((s) => ("group" in s ? s.group.members.length : 1))).toEqual([3]);

    const batch = SAMPLES.length;
    const env = (): Map<string, Tensor> =>
      new Map([
        [
          "x0",
          {
            shape: [batch, 4],
            data: arrayOf(
              dtype,
              SAMPLES.flatMap((v, r) => [v, -v, v / 3, r]),
            ),
          },
        ],
        [
          "x1",
          {
            shape: [batch, 4],
            data: arrayOf(
              dtype,
              SAMPLES.flatMap((v, r) => [0.25, v, -0, SAMPLES[(r + 5) % batch]]),
            ),
          },
        ],
        ["c", { shape: [4], data: arrayOf(dtype, [1, 0.5, -3, 1e-3]) }],
      ]);
    const y = g.graph.ys[0].value;
    const fused = runNodes(g, true, env(), batch, dtype).get(y)!;
    const plain = runNodes(g, false, env(), batch, dtype).get(y)!;
    expect(fused.data).toBeInstanceOf(plain.data.constructor);
    expect(firstDifference(fused.data, plain.data)).toBe(-1);
  });
});

describe("the fused loops' JavaScript", () => {
  // What fusion.ts emitted before the expressions moved into the op definitions:
  // the same text compiles to the same function, so results cannot have changed.
  const before: Record<string, (x: string, y: string) => string> = {
    neg: (x) => `-${x}`,
    tanh: (x) => `Math.tanh(${x})`,
    sigmoid: (x) => `1 / (1 + Math.exp(-${x}))`,
    relu: (x) => `Math.max(${x}, 0)`,
    step: (x) => `(${x} > 0 ? 1 : 0)`,
    exp: (x) => `Math.exp(${x})`,
    log: (x) => `Math.log(${x})`,
    identity: (x) => x,
    add: (x, y) => `${x} + ${y}`,
    sub: (x, y) => `${x} - ${y}`,
    mul: (x, y) => `${x} * ${y}`,
    div: (x, y) => `${x} / ${y}`,
  };

  it("fuses every op it fused before", () => {
    expect(elementwise.map(([op]) => op)).toEqual(expect.arrayContaining(Object.keys(before)));
  });

  it.each(elementwise.filter(([op]) => op in before))("renders %s as before, for every kind of operand", (op, arity) => {
    for (const [x, y] of [
      ["e0[i]", "e1[i]"],
      ["v0", "e0[j]"],
      ["e1[0]", "v3"],
    ]) {
      const expr = ops[op].elementwise!(...Array.from({ length: arity }, (_, k) => scalar.input(k)));
      expect(renderJs(expr, (k) => [x, y][k])).toBe(before[op](x, y));
    }
  });
});
