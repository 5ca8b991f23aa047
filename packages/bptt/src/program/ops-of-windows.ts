import type { OpKind } from "@unroll/ir";
import type { WindowCompiler } from "./compile-window.js";

/**
 * Every op the windows of a program can run: each stage's step graph and its
 * masked variant (for data with lengths), and with `gradients` their backward
 * graphs, which the IR's autodiff writes in IR ops. A device must have a
 * kernel for each; the conformance kit skips what a backend cannot run.
 */
export function opsOfWindows(compiler: WindowCompiler, gradients: boolean): Set<OpKind> {
  const ops = new Set<OpKind>();
  compiler.program.stages.forEach((_, s) => {
    for (const masked of [false, true]) {
      const g = compiler.stage(s, masked);
      for (const scan of gradients ? [g.forward, g.backward] : [g.forward]) for (const n of scan.graph.order) ops.add(n.op);
    }
  });
  return ops;
}
