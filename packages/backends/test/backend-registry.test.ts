import { describe, expect, it } from "vitest";
import { loadProgram } from "@unroll/ir";
import { initParams, runForward, type Backend } from "@unroll/bptt";
import { BackendSpecError, backendNames, backends } from "../src/index.js";

describe("the backend registry", () => {
  it("parses cpu, workers and workers:N, and rejects what names no backend", () => {
    expect(backends.parse("cpu")).toEqual({ name: "cpu" });
    expect(backends.parse("workers")).toEqual({ name: "workers" });
    expect(backends.parse("workers:3")).toEqual({ name: "workers", workers: 3 });
    expect(() => backends.parse("gpu")).toThrow(new BackendSpecError('unknown backend "gpu"; available: cpu, workers'));
    expect(() => backends.parse("cpu:2")).toThrow('backend "cpu" takes no ":" argument');
    for (const bad of ["workers:0", "workers:1.5", "workers:", "workers:x"])
      expect(() => backends.parse(bad)).toThrow(/the number of workers must be a positive integer/);
  });

  it("has an entry for every name, and only the pool takes workers", () => {
    expect(Object.keys(backends.entries)).toEqual([...backendNames]);
    expect(backendNames.filter((n) => backends.entries[n].takesWorkers)).toEqual(["workers"]);
  });

  it("creates backends that run: the pool of the spec's size, logging where asked", async () => {
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
    const pool = backends.create("workers:2", { log: (m) => log.push(m) });
    expect(pool.name).toBe("workers");
    expect(await outputs(pool)).toEqual(await outputs(cpu)); // each worker runs the CPU backend on its rows
    expect(log.join("\n")).toMatch(/pool of 2/);
  });
});
