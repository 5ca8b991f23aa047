import { GraphBuilder, checkProgram, fromNested, programOfGraph } from "@unroll/ir";
import { Trainer, adam, computeGradients, initParams } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";

// A custom gated cell: z = sigmoid(x W_z + b_z), h' = z * h + (1 - z) * tanh(x W + h U)
const b = new GraphBuilder();
const x = b.input("x", ["B", 1]);
const y = b.input("y", ["B", 1]);
const h = b.carry("h", ["B", 8]);
const z = b.sigmoid(b.add(b.matmul(x, b.param("W_z", [1, 8])), b.param("b_z", [8])));
const cand = b.tanh(b.add(b.matmul(x, b.param("W", [1, 8])), b.matmul(h, b.param("U", [8, 8]))));
const hNext = b.add(b.mul(z, h), b.mul(b.sub(b.scalar(1), z), cand));
b.update(h, hNext);
const out = b.matmul(hNext, b.param("W_out", [8, 1]));
b.output("output", out);
b.loss(b.mse(out, y));

const program = checkProgram(programOfGraph(b.toGraph("gated")));
const loaded = await createCpuBackend().load(program, { dtype: "float32" });
const params = initParams(program, 1, "float32");
// time-major [T, B, 1]: 4 sine waves, predict the next value
const wave = (t: number) => [0, 1, 2, 3].map((k) => [Math.sin(0.3 * t + k)]);
const T = Array.from({ length: 40 }, (_, t) => t);
const data = { sequences: { x: fromNested(T.map(wave), "float32"), y: fromNested(T.map((t) => wave(t + 1)), "float32") } };

const { loss, grads } = await computeGradients(loaded, program, params, data, { kind: "chunked", window: 10 });
console.log(loss, grads["U"].shape);
const trainer = new Trainer(loaded, program, params, { optimizer: adam({ lr: 0.01 }), truncation: { kind: "chunked", window: 10 } });
for (let epoch = 1; epoch <= 100; epoch++) {
  const fit = await trainer.fit(data);
  if (epoch % 25 === 0) console.log(`epoch ${epoch}: loss ${fit.loss.toFixed(5)}`);
}
