import * as backendCpu from "@unroll/backend-cpu";
import * as backendWorkers from "@unroll/backend-workers";
import * as backendWebgpu from "@unroll/backend-webgpu";
import * as backendWasm from "@unroll/backend-wasm";
import * as backends from "@unroll/backends";
import * as bptt from "@unroll/bptt";
import * as cli from "@unroll/cli";
import * as ir from "@unroll/ir";
import * as kernelsCpu from "@unroll/kernels-cpu";
import * as kernelsWasm from "@unroll/kernels-wasm";
import * as viz from "@unroll/viz";
import * as data from "@unroll/data";
import * as interop from "@unroll/interop";
import * as unroll from "@unroll/unroll";
import { describe, expect, it } from "vitest";

// `export *` silently leaves out a name that two packages export: each library's every value must come through, the same object
describe("@unroll/unroll re-exports the public API of each library", () => {
  it.each(Object.entries({ ir, bptt, kernelsCpu, kernelsWasm, backendCpu, backendWorkers, backendWebgpu, backendWasm, backends, viz, data, interop }))(
    "%s",
    (_, library) => {
      const names = Object.keys(library);
      expect(names.length).toBeGreaterThan(0);
      for (const name of names) expect((unroll as Record<string, unknown>)[name], name).toBe((library as Record<string, unknown>)[name]);
    },
  );

  it("and the CLI's runUnroll", () => {
    expect(unroll.runUnroll).toBe(cli.runUnroll);
  });
});
