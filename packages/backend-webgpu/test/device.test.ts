import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { GraphBuilder, type Node } from "@unroll/ir";
import { createWebGpuBackend, navigatorGpu, webGpuDevice, type WebGpuDevice } from "../src/index.js";

// The device's own behaviour beyond the conformance kit: what it reports for bad ids, what it refuses, how many kernels
// an LSTM step's gate arithmetic takes, and that a lost device is opened anew. In Chromium (see vitest.config.ts).
const gpu = navigatorGpu();

describe.skipIf(!gpu)("the WebGPU device", () => {
  let raw: GPUDevice;
  let device: WebGpuDevice;
  beforeAll(async () => {
    const adapter = (await gpu!.requestAdapter())!;
    raw = await adapter.requestDevice();
    device = webGpuDevice(raw);
  });
  afterAll(() => {
    device.destroy();
    raw.destroy();
  });

  const node = (n: Partial<Node> & Pick<Node, "op">): Node => ({ id: "y", inputs: [], ...n }) as Node;

  it("a gather id outside the table fails the read with the CPU kernel's message, and the next read is clean", async () => {
    const table = device.upload({ shape: [5, 2], data: new Float32Array(10).map((_, i) => i) });
    const ids = device.upload({ shape: [3], data: new Float32Array([1, 7, 2]) });
    const out = device.alloc([3, 2], "float32");
    const gather = node({ op: "gather", inputs: ["t", "i"] });
    device.run({ nodes: [gather], inputs: gather.inputs }, [table, ids], out);
    await expect(device.read(out)).rejects.toThrow("gather: row 1 has id 7, which is not an integer in [0, 5)");
    const good = device.upload({ shape: [3], data: new Float32Array([4, 0, 2]) });
    device.run({ nodes: [gather], inputs: gather.inputs }, [table, good], out);
    expect([...(await device.read(out))]).toEqual([8, 9, 0, 1, 4, 5]);
  });

  it("a class id that is not an integer fails softmaxCrossEntropy with the row and the id", async () => {
    const logits = device.upload({ shape: [2, 3], data: new Float32Array(6) });
    const classes = device.upload({ shape: [2], data: new Float32Array([0, 1.5]) });
    const out = device.alloc([2], "float32");
    const sce = node({ op: "softmaxCrossEntropy", inputs: ["l", "c"] });
    device.run({ nodes: [sce], inputs: sce.inputs }, [logits, classes], out);
    await expect(device.read(out)).rejects.toThrow("softmaxCrossEntropy: row 1 has class id 1.5, which is not an integer in [0, 3)");
  });

  it("refuses an allocation larger than the device's largest buffer before allocating, with the figures", () => {
    const elements = Math.floor(raw.limits.maxStorageBufferBindingSize / 4) + 1;
    const before = device.usedElements();
    expect(() => device.alloc([elements], "float32")).toThrow(/cannot allocate \d+\.\d MiB: .* MiB are in use and the device's largest buffer is \d+\.\d MiB/);
    expect(device.usedElements()).toBe(before);
  });

  it("fuses an LSTM step's gate arithmetic: 9 elementwise nodes run as 4 generated kernels", () => {
    const b = new GraphBuilder();
    const z = b.input("z", ["B", 8]);
    const c = b.input("c", ["B", 2]);
    const gate = (k: number) => b.slice(z, 2 * k, 2 * k + 2);
    const [i, f, g, o] = [b.sigmoid(gate(0)), b.sigmoid(gate(1)), b.tanh(gate(2)), b.sigmoid(gate(3))];
    const cNext = b.add(b.mul(f, c), b.mul(i, g));
    b.output("h", b.mul(o, b.tanh(cNext)));
    const graph = b.build();
    const live = new Set(["h"]);
    const exes = device.prepare(graph.order, { shapes: graph.shapes, live, dtype: "float32" });
    // 9 elementwise nodes in 4 kernels: each gate's activation joins the product that reads it, and f·c + i·g, tanh(c') one chain
    expect(exes.map((e) => e.nodes.map((n) => n.op))).toEqual([
      ["slice"],
      ["slice"],
      ["slice"],
      ["tanh"],
      ["slice"],
      ["sigmoid", "mul"],
      ["sigmoid", "mul", "add", "tanh"],
      ["sigmoid", "mul"],
    ]);
  });
});

describe.skipIf(!gpu)("the WebGPU backend", () => {
  it("reports its adapter, and opens a new device after the one it had is lost", async () => {
    let taken: GPUDevice | undefined;
    // a GPU whose devices the test can reach, to destroy one as a driver reset would
    const spy: GPU = {
      requestAdapter: async (o) => {
        const adapter = (await gpu!.requestAdapter(o))!;
        return new Proxy(adapter, {
          get: (t, k) => (k === "requestDevice" ? async (d?: GPUDeviceDescriptor) => (taken = await t.requestDevice(d)) : Reflect.get(t, k, t)),
        });
      },
      getPreferredCanvasFormat: () => gpu!.getPreferredCanvasFormat(),
      wgslLanguageFeatures: gpu!.wgslLanguageFeatures,
    } as GPU;
    const backend = createWebGpuBackend({ gpu: spy });
    const info = await backend.adapter();
    expect(typeof info.vendor).toBe("string");
    const first = taken!;
    first.destroy();
    await first.lost;
    await backend.adapter();
    expect(taken).not.toBe(first);
    await backend.dispose();
    await expect(backend.adapter()).rejects.toThrow("the webgpu backend has been disposed");
  });
});
