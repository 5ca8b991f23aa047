import { describe, expect, it } from "vitest";
import { allocate, opCases, opKinds, opOf, zeros, type Dtype, type Nested, type NodeOf, type OpExample, type OpKind, type Tensor } from "@unroll/ir";
import { cpuKernels } from "../src/index.js";

/** A tensor from nested arrays, non-finite numbers allowed (unlike `fromNested`, which guards user data). */
function tensor(value: Nested, dtype: Dtype): Tensor {
  const shape: number[] = [];
  for (let v = value; Array.isArray(v); v = v[0]) shape.push(v.length);
  const flat: number[] = [];
  const walk = (v: Nested): void => void (Array.isArray(v) ? v.forEach(walk) : flat.push(v));
  walk(value);
  const data = allocate(dtype, flat.length);
  data.set(flat);
  return { shape, data };
}

/** Nested arrays as text, with NaN and infinities spelled out. */
const show = (v: unknown): string => (Array.isArray(v) ? `[${v.map(show).join(",")}]` : Object.is(v, -0) ? "-0" : String(v));

/** Runs one kernel the way the executor does: output shape from the op's shape rule, output memory dirty. */
function run<K extends OpKind>(op: K, example: OpExample<K>, dtype: Dtype): Tensor {
  const inputs = example.inputs.map((v) => tensor(v, dtype));
  const node = { id: "y", op, inputs: inputs.map((_, i) => `x${i}`), attrs: example.attrs } as NodeOf<K>;
  const out = zeros(
    opOf(node).shape(
      inputs.map((t) => t.shape),
      node,
    ) as number[],
    dtype,
  );
  out.data.fill(NaN); // reused memory: the kernel must overwrite every element
  cpuKernels[op](node, inputs, out);
  return out;
}

describe.each<Dtype>(["float64", "float32"])("the CPU kernels give the hand-checked values of @unroll/ir's opCases, in %s", (dtype) => {
  const round = dtype === "float32" ? Math.fround : (x: number) => x;
  // every op of the op set, so that an op added without an example fails here
  describe.each(opKinds)("%s", (op) => {
    const examples = ((opCases as Partial<Record<OpKind, { examples: readonly OpExample<OpKind>[] }>>)[op]?.examples ?? []) as OpExample<typeof op>[];
    it("has an example", () => expect(examples.length).toBeGreaterThan(0));
    examples.forEach((ex, k) => {
      it(`example ${k + 1}: ${show(ex.inputs)}${ex.attrs ? ` ${JSON.stringify(ex.attrs)}` : ""}`, () => {
        const out = run(op, ex, dtype);
        const want = tensor(ex.output, "float64");
        expect(out.shape).toEqual(want.shape);
        expect(out.data).toBeInstanceOf(dtype === "float64" ? Float64Array : Float32Array);
        want.data.forEach((w, i) => {
          if (ex.digits === undefined) expect(out.data[i], `element ${i}`).toBe(round(w));
          else expect(out.data[i], `element ${i}`).toBeCloseTo(w, ex.digits);
        });
      });
    });
  });
});
