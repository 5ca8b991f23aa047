import { describe, expect, it } from "vitest";
import { fromNested, MAX_NESTED_RANK } from "./tensor.js";

/** Arrays nested `depth` deep around 1: `[[[1]]]`. */
function nested(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = [v];
  return v;
}

describe("fromNested's depth (fuzz regressions)", () => {
  it("names an array nested 20000 deep (was RangeError: Maximum call stack size exceeded)", () => {
    const path = `w${"[0]".repeat(MAX_NESTED_RANK)}`;
    expect(() => fromNested(nested(20_000), "float32", "w")).toThrow(`${path} is an array nested 33 deep; a tensor has at most 32 dimensions`);
  });

  it("reads a tensor of the most dimensions allowed", () => {
    const t = fromNested(nested(MAX_NESTED_RANK), "float64", "w");
    expect(t.shape).toEqual(new Array(MAX_NESTED_RANK).fill(1));
    expect([...t.data]).toEqual([1]);
  });
});
