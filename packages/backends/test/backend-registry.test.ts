import { describe, expect, it } from "vitest";
import { loadProgram } from "@unroll/ir";
import { initParams, runForward, type Backend } from "@unroll/bptt";
import { BackendSpecError, backendNames, backends } from "../src/index.js";

describe("the backend registry", () => {
  it("parses cpu, wasm, wasm:N, workers and workers:N, and rejects what names no backend", () => {
    expect(backends.parse("cpu")).toEqual({ name: "cpu" });
    expect(backends.parse("wasm")).toEqual({ name: "wasm" });
    expect(backends.parse("wasm:2")).toEqual({ name: "wasm", threads: 2 });
    for (const bad of ["wasm:0", "wasm:x"]) expect(() => backends.parse(bad)).toThrow(/the number of threads must be a positive integer/);
    expect(backends.parse("workers")).toEqual({ name: "workers" });
    expect(backends.parse("workers:3")).toEqual({ name: "workers", workers: 3 });
    expect(() => backends.parse("gpu")).toThrow(new BackendSpecError('unknown backend "gpu"; available: cpu, wasm, workers'));
    expect(() => backends.parse("cpu:2")).toThrow('backend "cpu" takes no ":" argument');
    for (const bad of ["workers:0", "workers:1.5", "workers:", "workers:x"])
      expect(() => backends.parse(bad)).toThrow(/the number of workers must be a positive integer/);
  });

  it("has an entry for every name; only the pool takes workers, only wasm takes threads", () => {
    expect(Object.keys(backends.entries)).toEqual([...backendNames]);
    expect(backendNames.filter((n) => backends.entries[n].takesWorkers)).toEqual(["workers"]);
    expect(backendNames.filter((n) => backends.entries[n].takesThreads)).toEqual(["wasm"]);
  });

  it("offers webgpu only where navigator.gpu exists: in Node it is refused at once, saying where it runs", async () => {
    expect(backendNames).toContain("webgpu");
    expect(backends.available()).toEqual(["cpu", "wasm", "workers"]);
    expect(backends.entries.webgpu.description).toMatch(/float32 only; needs a browser with WebGPU/);
    const where = /backend "webgpu" cannot run here: it needs WebGPU \(navigator\.gpu\), which this runtime lacks; it runs in a browser with WebGPU/;
    expect(() => backends.parse("webgpu")).toThrow(BackendSpecError);
    expect(() => backends.create("webgpu")).toThrow(where);
    // the entry makes the WebGPU backend, float32 only, which opens its device on first use and says why it cannot here
    const webgpu = backends.entries.webgpu.create({});
    expect([webgpu.name, webgpu.capabilities.dtypes]).toEqual(["webgpu", ["float32"]]);
    const program = loadProgram({ input: 1, layers: [{ cell: "rnn", hidden: 1 }], head: { units: 1, activation: "linear" }, loss: "mse" });
    await expect(webgpu.load(program, { dtype: "float32" })).rejects.toThrow(/WebGPU is not available here \(no navigator\.gpu\)/);
    await webgpu.dispose();
  });

  it("creates backends that run: wasm on 2 threads, the pool of the spec's size, logging where asked", async () => {
    const program = loadProgram({ input: 2, layers: [{ cell: "rnn", hidden: 3 }], head: { units: 1, activation: "linear" }, loss: "mse" });
    const data = {
      sequences: { x: { shape: [2, 2, 2], data: new Float32Array([1, 0, 0, 1, 0.5, 0.5, -1, 1]) }, y: { shape: [2, 2, 1], data: new Float32Array(4) } },
    };
    const log: string[] = [];
    const outputs = async (backend: Backend): Promise<number[]> => {
      try {
        const loaded = await backend.load(program, { dtype: "float32" });
        return Array.from((await runForward(loaded, initParams(program, 1, "float32"), data, program)).outputs.data);
      } finally {
        await backend.dispose();
      }
    };
    const cpu = backends.create("cpu");
    expect(cpu.name).toBe("cpu");
    const wasm = backends.create("wasm:2");
    expect(wasm.name).toBe("wasm");
    // float32 on another kernel (the GEMM, perhaps with fused multiply-adds): equal to rounding
    const reference = await outputs(backends.create("cpu"));
    (await outputs(wasm)).forEach((v, i) => expect(v).toBeCloseTo(reference[i], 6));
    const pool = backends.create("workers:2", { log: (m) => log.push(m) });
    expect(pool.name).toBe("workers");
    expect(await outputs(pool)).toEqual(await outputs(cpu)); // each worker runs the CPU backend on its rows
    expect(log.join("\n")).toMatch(/pool of 2/);
  });
});
