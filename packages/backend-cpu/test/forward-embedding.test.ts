import { describe, expect, it } from "vitest";
import { checkProgram, compileModel, type ModelSpec, type Tensor } from "@unroll/ir";
import { computeGradients, initParams, runForward } from "@unroll/bptt";
import { createCpuBackend } from "../src/index.js";
import { expectAllClose } from "./support/bptt-fixtures.js";

const [V, U, T, B] = [6, 3, 5, 4];
const layers: ModelSpec["layers"] = [{ cell: "lstm", hidden: 4 }];
const head = { units: V, activation: "softmax" } as const;
const withEmbedding: ModelSpec = { input: V, embedding: { vocab: V, units: U }, layers, head, loss: "cross_entropy" };
const onVectors: ModelSpec = { input: U, layers, head, loss: "cross_entropy" };

/** Token ids [T, B] and next-token targets. */
const ids = (offset: number): Tensor => ({ shape: [T, B], data: Float64Array.from({ length: T * B }, (_, i) => (i * 5 + offset) % V) });

describe("an embedding model", () => {
  it("computes what the same model computes on the looked-up rows, loss and gradients", async () => {
    const embedded = checkProgram(compileModel(withEmbedding));
    const plain = checkProgram(compileModel(onVectors));
    const params = initParams(embedded, 3, "float64");
    const { ["embedding.table"]: table, ...rest } = params;
    const x = ids(1);
    const y = ids(2);
    // the rows table[x[t][b]], as vectors [T, B, U]
    const rows: Tensor = { shape: [T, B, U], data: new Float64Array(T * B * U) };
    x.data.forEach((id, i) => rows.data.set(table.data.subarray(id * U, (id + 1) * U), i * U));

    const backend = createCpuBackend();
    const [a, b] = [await backend.load(embedded, { dtype: "float64" }), await backend.load(plain, { dtype: "float64" })];
    const ra = await runForward(a, params, { sequences: { x, y } }, embedded);
    const rb = await runForward(b, rest, { sequences: { x: rows, y } }, plain);
    expect(ra.loss).toBeCloseTo(rb.loss!, 12);

    const ga = await computeGradients(a, embedded, params, { sequences: { x, y } }, { kind: "full" });
    const gb = await computeGradients(b, plain, rest, { sequences: { x: rows, y } }, { kind: "full" });
    const { ["embedding.table"]: gTable, ...gRest } = ga.grads;
    expectAllClose("grads", gRest, gb.grads, 1e-12, 1e-10);
    // the table's gradient: row v sums the input gradients of the steps and rows that read id v (scatter-add)
    const dRows = gb.inputGrads.x;
    const expected: Tensor = { shape: [V, U], data: new Float64Array(V * U) };
    x.data.forEach((id, i) => {
      for (let u = 0; u < U; u++) expected.data[id * U + u] += dRows.data[i * U + u];
    });
    expectAllClose("embedding.table", { t: gTable }, { t: expected }, 1e-12, 1e-10);
    expect(Math.max(...Array.from(expected.data, Math.abs))).toBeGreaterThan(1e-3);
  });
});
