import { describe, expect, it } from "vitest";
import type { Tensor } from "@unroll/ir";
import { adam, clipGradNorm, clipGradValue, computeGradients, rmsprop, sgd, Trainer, type Optimizer } from "@unroll/bptt";
import { cloneAll, expectClose, loadFloat64, randomParams, tensor, uniform } from "./support/bptt-fixtures.js";

// Each optimizer against PyTorch's update rules, written out per element here.
const t = (data: number[], shape = [data.length]): Tensor => ({ shape, data: Float64Array.from(data) });
const p0 = () => ({ a: t([0.5, -1.5, 2, 0], [2, 2]), b: t([1, -0.25, 3]) });
const g1 = { a: t([0.1, -0.2, 0.3, 0.4], [2, 2]), b: t([-1, 0.05, 2]) };
const g2 = { a: t([-0.3, 0.1, 0.2, -0.05], [2, 2]), b: t([0.5, -0.5, 0.25]) };

/** Runs two steps of `opt` and checks each against `rule`, which maps (p, g, step, element key) to the new p. */
function expectTwoSteps(opt: Optimizer, rule: (p: number, g: number, step: 1 | 2, key: string) => number): void {
  const params = p0();
  const expected = p0();
  for (const [step, grads] of [
    [1, g1],
    [2, g2],
  ] as const) {
    for (const [name, p] of Object.entries(expected)) p.data.forEach((v, i, d) => (d[i] = rule(v, grads[name as "a" | "b"].data[i], step, `${name}${i}`)));
    opt.step(params, grads);
    for (const name of ["a", "b"] as const) expectClose(`step ${step} ${name}`, params[name], expected[name], 1e-15, 1e-14);
  }
}

describe("optimizers (PyTorch semantics)", () => {
  it("SGD: p -= lr·g, literally 0.5 - 0.1·0.1 = 0.49", () => {
    const params = p0();
    sgd({ lr: 0.1 }).step(params, g1);
    expect(params.a.data[0]).toBeCloseTo(0.49, 15);
    expect(params.b.data[2]).toBeCloseTo(3 - 0.2, 15);
    expectTwoSteps(sgd({ lr: 0.1 }), (p, g) => p - 0.1 * g);
    expectTwoSteps(sgd({ lr: 0.1, weightDecay: 0.01 }), (p, g) => p - 0.1 * (g + 0.01 * p));
  });

  it("SGD with momentum: buf = g at the first step, then buf = μ·buf + g", () => {
    for (const wd of [0, 0.01]) {
      const buf = new Map<string, number>();
      expectTwoSteps(sgd({ lr: 0.1, momentum: 0.9, weightDecay: wd }), (p, g, step, key) => {
        const d = g + wd * p;
        const b = step === 1 ? d : 0.9 * buf.get(key)! + d;
        buf.set(key, b);
        return p - 0.1 * b;
      });
    }
    // literally: step 1 moves by lr·g, step 2 by lr·(0.9·g1 + g2)
    const params = p0();
    const opt = sgd({ lr: 0.1, momentum: 0.9 });
    opt.step(params, g1);
    opt.step(params, g2);
    expect(params.a.data[0]).toBeCloseTo(0.5 - 0.1 * 0.1 - 0.1 * (0.9 * 0.1 - 0.3), 15);
  });

  it("Adam: bias-corrected moments, weight decay added to the gradient (L2, not AdamW)", () => {
    for (const wd of [0, 0.1]) {
      const m = new Map<string, number>();
      const v = new Map<string, number>();
      const [b1, b2, eps, lr] = [0.9, 0.999, 1e-8, 0.01];
      expectTwoSteps(adam({ lr, weightDecay: wd }), (p, g, step, key) => {
        const d = g + wd * p;
        const mk = b1 * (m.get(key) ?? 0) + (1 - b1) * d;
        const vk = b2 * (v.get(key) ?? 0) + (1 - b2) * d * d;
        m.set(key, mk);
        v.set(key, vk);
        const mHat = mk / (1 - b1 ** step);
        const vHat = vk / (1 - b2 ** step);
        return p - (lr * mHat) / (Math.sqrt(vHat) + eps);
      });
    }
    // the first bias-corrected step is lr·g/(|g| + eps): almost exactly lr·sign(g)
    const params = p0();
    adam({ lr: 0.01 }).step(params, g1);
    expect(params.a.data[0]).toBeCloseTo(0.5 - (0.01 * 0.1) / (0.1 + 1e-8), 15);
    expect(params.b.data[0]).toBeCloseTo(1 + 0.01, 9);
  });

  it("RMSprop: v = 0.99·v + 0.01·g², p -= lr·g/(sqrt(v) + 1e-8)", () => {
    for (const wd of [0, 0.05]) {
      const v = new Map<string, number>();
      expectTwoSteps(rmsprop({ lr: 0.001, weightDecay: wd }), (p, g, _step, key) => {
        const d = g + wd * p;
        const vk = 0.99 * (v.get(key) ?? 0) + 0.01 * d * d;
        v.set(key, vk);
        return p - (0.001 * d) / (Math.sqrt(vk) + 1e-8);
      });
    }
    // the first step is lr·g/(0.1·|g| + eps): about 10·lr·sign(g)
    const params = p0();
    rmsprop({ lr: 0.001 }).step(params, g1);
    expect(params.a.data[1]).toBeCloseTo(-1.5 + (0.001 * 0.2) / (Math.sqrt(0.01 * 0.04) + 1e-8), 15);
    expect(params.a.data[1]).toBeCloseTo(-1.5 + 0.01, 6);
  });

  it("saved optimizer state resumes exactly", () => {
    for (const make of [() => sgd({ lr: 0.1, momentum: 0.9 }), () => adam({ lr: 0.01 }), () => rmsprop({ lr: 0.01 })]) {
      const straight = p0();
      const a = make();
      a.step(straight, g1);
      a.step(straight, g2);
      const resumed = p0();
      const b = make();
      b.step(resumed, g1);
      const c = make();
      c.load(JSON.parse(JSON.stringify(b.state())));
      c.step(resumed, g2);
      for (const name of ["a", "b"] as const) expectClose(name, resumed[name], straight[name], 0, 0);
    }
  });
});

describe("gradient clipping", () => {
  it("value clipping clamps each element; norm clipping scales by max_norm/(norm + 1e-6) when below 1", () => {
    const grads = { a: t([3, -4]), b: t([12]) };
    clipGradValue(grads, 5);
    expect(Array.from(grads.a.data)).toEqual([3, -4]);
    expect(Array.from(grads.b.data)).toEqual([5]);
    const norm = clipGradNorm(grads, 1);
    expect(norm).toBeCloseTo(Math.sqrt(50), 15);
    const coef = 1 / (Math.sqrt(50) + 1e-6);
    expect(grads.a.data[0]).toBeCloseTo(3 * coef, 15);
    expect(grads.a.data[1]).toBeCloseTo(-4 * coef, 15);
    expect(grads.b.data[0]).toBeCloseTo(5 * coef, 15);
    // below max_norm: untouched
    const small = { a: t([0.3, 0.4]) };
    expect(clipGradNorm(small, 1)).toBeCloseTo(0.5, 15);
    expect(Array.from(small.a.data)).toEqual([0.3, 0.4]);
    // exactly at max_norm the coefficient is 0.5/(0.5 + 1e-6) < 1, so it applies (as torch's clamp to 1 does)
    const edge = { a: t([0.3, 0.4]) };
    clipGradNorm(edge, 0.5);
    expect(edge.a.data[0]).toBeCloseTo((0.3 * 0.5) / (0.5 + 1e-6), 16);
  });

  it("the Trainer clips by value first, then by global norm, and reports the norm before clipping", async () => {
    const { program, loaded } = await loadFloat64({ input: 2, layers: [{ cell: "gru", hidden: 3 }], head: { units: 2, activation: "linear" }, loss: "mse" });
    const params = randomParams(program, 61);
    const next = uniform(62);
    const data = { sequences: { x: tensor([4, 2, 2], next), y: tensor([4, 2, 2], () => 3 * next()) } };
    const { grads } = await computeGradients(loaded, program, params, data, { kind: "full" });
    const all = Object.values(grads).flatMap((g) => Array.from(g.data));
    const norm0 = Math.hypot(...all);
    const clipValue = [...all].map(Math.abs).sort((a, b) => a - b)[Math.floor(all.length / 2)];
    const valueClipped = (v: number) => Math.min(clipValue, Math.max(-clipValue, v));
    const normAfterValue = Math.hypot(...all.map(valueClipped));
    const clipNorm = 0.5 * normAfterValue;
    const coef = clipNorm / (normAfterValue + 1e-6);
    const before = cloneAll(params);
    const trainer = new Trainer(loaded, program, params, { optimizer: sgd({ lr: 1 }), clipValue, clipNorm });
    const fit = await trainer.fit(data);
    expect(fit.steps[0].gradNorm).toBeCloseTo(norm0, 13);
    for (const [name, p] of Object.entries(params)) {
      const want = { shape: p.shape, data: before[name].data.map((v, i) => v - coef * valueClipped(grads[name].data[i])) };
      expectClose(`params.${name}`, p, want, 1e-15, 1e-12);
    }
    // the other order (norm, then value) would give a different update
    const coefFirst = Math.min(1, clipNorm / (norm0 + 1e-6));
    const otherOrder = Object.entries(before).map(([name, b]) => b.data.map((v, i) => v - valueClipped(coefFirst * grads[name].data[i])));
    const diff = Object.values(params).reduce((acc, p, k) => acc + Array.from(p.data).reduce((s, v, i) => s + Math.abs(v - otherOrder[k][i]), 0), 0);
    expect(diff).toBeGreaterThan(1e-6);
  });
});
