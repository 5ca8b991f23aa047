import type { StepGraph } from "@unroll/ir";
import type { WindowProgram } from "./window-program.js";

/** A scan of a window program as plain JSON: its step graph and which node ids run before, in and after the loop. */
export interface ScanGraphJson {
  /** The scan's label. */
  readonly label: string;
  /** The step graph, as `unroll.graph/1` JSON. (`Readonly<…>` keeps the API reference from spelling out the graph schema here.) */
  readonly graph: Readonly<StepGraph>;
  /** False when every node runs per step. */
  readonly splittable: boolean;
  /** Node ids run once before the loop. */
  readonly pre: readonly string[];
  /** Node ids run at every step. */
  readonly core: readonly string[];
  /** Node ids run once after the loop. */
  readonly post: readonly string[];
}

/** A window program as plain JSON (`unroll plan --json`). */
export interface WindowProgramJson extends Omit<WindowProgram, "scans"> {
  /** The scans, as JSON. */
  readonly scans: readonly ScanGraphJson[];
}

/** The window program with its scans as plain JSON, ready for `JSON.stringify`. */
export function windowProgramToJson(p: WindowProgram): WindowProgramJson {
  return {
    ...p,
    scans: p.scans.map((s) => ({
      label: s.label,
      graph: s.graph.graph,
      splittable: s.split.splittable,
      pre: s.split.pre.map((n) => n.id),
      core: s.split.core.map((n) => n.id),
      post: s.split.post.map((n) => n.id),
    })),
  };
}
