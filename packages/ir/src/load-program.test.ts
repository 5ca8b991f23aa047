import { describe, expect, it } from "vitest";
import { GraphError } from "./errors.js";
import { loadProgram } from "./load-program.js";

/** Objects nested `depth` deep: `{ "a": { "a": ... } }`, as JSON.parse builds them from a file. */
function nestedObject(depth: number): unknown {
  let v: unknown = 1;
  for (let i = 0; i < depth; i++) v = { a: v };
  return v;
}

describe("loadProgram's unknown formats (fuzz regressions)", () => {
  const expectFormatError = (format: unknown, quoted: string) => {
    const load = () => loadProgram({ format, input: 2, layers: [{ cell: "rnn", hidden: 2 }] });
    expect(load).toThrow(GraphError);
    expect(load).toThrow(`format: unknown format ${quoted}; expected "unroll.graph/1", "unroll.program/1" or a model spec`);
  };

  it("names a format nested 20000 deep by its kind (was RangeError: Maximum call stack size exceeded)", () => {
    expectFormatError(nestedObject(20_000), "(an object)");
  });

  it("clips a long format string, and quotes short ones and numbers as written", () => {
    expectFormatError("x".repeat(100_000), `"${"x".repeat(60)}..."`);
    expectFormatError("unroll.graph/2", '"unroll.graph/2"');
    expectFormatError(3, "3");
    expectFormatError([1], "(an array)");
  });
});
