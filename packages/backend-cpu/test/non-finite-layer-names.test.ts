import { describe, expect, it } from "vitest";
import { checkProgram, compileModel } from "@unroll/ir";
import { computeGradients, initParams, NonFiniteError } from "@unroll/bptt";
import { createCpuBackend } from "../src/index.js";
import { tensor, uniform } from "./support/bptt-fixtures.js";

describe("non-finite values in a spec-built model", () => {
  // a NaN weight of layer 0 poisons its first product, whose generated id must name the layer
  for (const cell of ["rnn", "lstm", "gru"] as const) {
    it(`are reported with the layer in the node name (${cell})`, async () => {
      const program = checkProgram(
        compileModel({
          input: 2,
          layers: [
            { cell, hidden: 3 },
            { cell: "rnn", hidden: 2 },
          ],
          head: { units: 1, activation: "linear" },
          loss: "mse",
        }),
      );
      const params = initParams(program, 1, "float64");
      params["layers.0.W_in"].data[0] = NaN;
      const loaded = await createCpuBackend().load(program, { dtype: "float64" });
      const next = uniform(5);
      const data = { sequences: { x: tensor([3, 2, 2], next), y: tensor([3, 2, 1], next) } };
      const err = await computeGradients(loaded, program, params, data, { kind: "full" }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(NonFiniteError);
      const site = (err as NonFiniteError).site;
      expect(site.node.startsWith("layers.0.")).toBe(true);
      expect(site).toMatchObject({ step: 0, pass: "forward", stage: 0 });
      expect((err as NonFiniteError).message).toContain(`"layers.0.`);
    });
  }

  it("names the head's nodes by the head", () => {
    const program = compileModel({ input: 2, layers: [{ cell: "lstm", hidden: 3 }], head: { units: 2, activation: "softmax" }, loss: "cross_entropy" });
    const ids = program.stages[0].graph.nodes.map((n) => n.id);
    expect(ids).toContain("layers.0.gates");
    expect(ids).toContain("head.logits");
    // every node but the loss belongs to a layer or the head
    expect(ids.filter((id) => !/^(layers\.0|head)\./.test(id))).toEqual(["loss"]);
  });
});
