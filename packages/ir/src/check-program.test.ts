import { describe, expect, it } from "vitest";
import { checkProgram } from "./check-program.js";
import { loadProgram } from "./load-program.js";

/** A one-stage program whose values are named after members of Object.prototype: valid ids, as any non-empty string is. */
const prototypeNamed = JSON.parse(`{
  "format": "unroll.program/1",
  "output": "hasOwnProperty",
  "stages": [{ "graph": {
    "format": "unroll.graph/1",
    "xs": [{ "id": "constructor", "shape": ["B", 2] }],
    "params": [{ "id": "valueOf", "shape": [2, 2] }, { "id": "prototype", "shape": [2] }],
    "carry": [{ "id": "toString", "shape": ["B", 2] }],
    "nodes": [{ "id": "n0", "op": "matmul", "inputs": ["constructor", "valueOf"] }, { "id": "n1", "op": "add", "inputs": ["n0", "prototype"] }],
    "ys": [{ "id": "hasOwnProperty", "value": "n1" }],
    "update": { "toString": "n1" }
  } }]
}`);

describe("checkProgram with ids named after Object.prototype's members (fuzz regressions)", () => {
  it("reads them as ids (was TypeError: shape.join is not a function, for a param named valueOf)", () => {
    const checked = loadProgram(prototypeNamed);
    expect(Object.keys(checked.params)).toEqual(["valueOf", "prototype"]);
    expect(checked.params["prototype"]).toEqual([2]);
    expect(Object.keys(checked.dataInputs)).toEqual(["constructor"]);
    expect(Object.keys(checked.states)).toEqual(["toString"]);
    expect(Object.keys(checked.sequences)).toEqual(["hasOwnProperty"]);
  });

  it("does not find Object.prototype's members where no id is declared", () => {
    const checked = checkProgram(loadProgram(prototypeNamed).program);
    expect(checked.params["constructor"]).toBeUndefined();
    expect(checked.states["valueOf"]).toBeUndefined();
    expect(checked.sequences["toString"]).toBeUndefined();
  });
});
