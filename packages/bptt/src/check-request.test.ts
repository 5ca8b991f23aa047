import { describe, expect, it } from "vitest";
import { loadProgram, type Tensor } from "@unroll/ir";
import { checkWindowRequest } from "./check-request.js";
import { InputError } from "./input-error.js";

/** A one-step RNN whose data, param and state are named after members of Object.prototype (valid ids). */
const program = loadProgram(
  JSON.parse(`{ "format": "unroll.graph/1",
    "xs": [{ "id": "constructor", "shape": ["B", 1] }], "params": [{ "id": "toString", "shape": [1, 1] }],
    "carry": [{ "id": "valueOf", "shape": ["B", 1] }],
    "nodes": [{ "id": "n0", "op": "matmul", "inputs": ["constructor", "toString"] }],
    "ys": [{ "id": "output", "value": "n0" }], "update": { "valueOf": "n0" } }`),
);
const tensor = (shape: number[]): Tensor => ({ shape, data: new Float32Array(shape.reduce((a, b) => a * b, 1)) });

describe("checkWindowRequest with ids named after Object.prototype's members (fuzz regressions)", () => {
  it("accepts a request that gives no initial state (was TypeError: Cannot read properties of undefined (reading 'length'))", () => {
    expect(
      checkWindowRequest(program, { sequences: { constructor: tensor([2, 3, 1]) }, params: { toString: tensor([1, 1]) }, initialState: {}, gradients: false }),
    ).toEqual({
      steps: 2,
      batch: 3,
    });
  });

  it("names a missing sequence or param instead of finding Object.prototype's member", () => {
    const noSequence = () => checkWindowRequest(program, { sequences: {}, params: { toString: tensor([1, 1]) }, initialState: {}, gradients: false });
    expect(noSequence).toThrow(InputError);
    expect(noSequence).toThrow('sequence "constructor" is missing or is not time-major');
    const noParam = () => checkWindowRequest(program, { sequences: { constructor: tensor([2, 3, 1]) }, params: {}, initialState: {}, gradients: false });
    expect(noParam).toThrow('param "toString" is missing; expected shape [1, 1]');
  });
});
