import { opKinds, type CheckedProgram, type OpKind, type Tensor } from "@unroll/ir";
import { stepView, type Backend, type BackendCapabilities, type WindowRequest, type WindowResult } from "@unroll/bptt";
import { cpuKernels, createCpuBackend, type KernelTable } from "@unroll/backend-cpu";
import { opsOfProgram } from "../../src/suite-context.js";

/** How a wrapper changes one window: given the program, the request and the inner backend's run. */
export type RunWrapper = (program: CheckedProgram, req: WindowRequest, run: (req: WindowRequest) => Promise<WindowResult>) => Promise<WindowResult>;

/** `inner` under another name and capabilities, each window run through `wrap`: a decorator, as a real backend would wrap one. */
export function wrapBackend(inner: Backend, name: string, wrap: RunWrapper, capabilities: BackendCapabilities = inner.capabilities): Backend {
  return {
    name,
    capabilities,
    async load(program, options) {
      const loaded = await inner.load(program, options);
      return { runWindow: (req) => wrap(program, req, (r) => loaded.runWindow(r)), dispose: () => loaded.dispose() };
    },
    dispose: () => inner.dispose(),
  };
}

/**
 * The CPU backend without kernels for `missing`: it declares every other op,
 * rejects at load a program that needs one of them, and the kernels themselves
 * throw, so a test that runs one anyway fails.
 */
export function cpuWithout(...missing: OpKind[]): Backend {
  const kernels: Record<string, unknown> = { ...cpuKernels };
  for (const op of missing)
    kernels[op] = () => {
      throw new Error(`no kernel for ${op}`);
    };
  const cpu = createCpuBackend({ kernels: kernels as KernelTable });
  const name = `cpu without ${missing.join(", ")}`;
  return {
    name,
    capabilities: { dtypes: cpu.capabilities.dtypes, ops: opKinds.filter((op) => !missing.includes(op)) },
    async load(program, options) {
      const lacking = [...opsOfProgram(program)].filter((op) => missing.includes(op));
      if (lacking.length > 0) throw new Error(`${name}: the program needs ${lacking.join(", ")}`);
      return cpu.load(program, options);
    },
    dispose: () => cpu.dispose(),
  };
}

/**
 * The CPU backend declared forward-only. It rejects `gradients: true`, as the
 * contract asks; with `rejects` false it is broken instead and silently answers
 * without gradients.
 */
export function forwardOnlyCpu(rejects = true): Backend {
  const cpu = createCpuBackend();
  return wrapBackend(
    cpu,
    rejects ? "cpu forward-only" : "cpu forward-only, answering gradients: true without them",
    async (_program, req, run) => {
      if (!req.gradients) return run(req);
      if (rejects) throw new Error("cpu forward-only: gradients: true, but capabilities.gradients is false");
      return run({ ...req, gradients: false });
    },
    { ...cpu.capabilities, gradients: false },
  );
}

/** `t` `[L, ...]` with its steps in reverse order. */
export function flipTime(t: Tensor): Tensor {
  const L = t.shape[0];
  const out = { shape: [...t.shape], data: t.data.slice() };
  for (let k = 0; k < L; k++) stepView(out, k).data.set(stepView(t, L - 1 - k).data);
  return out;
}

/** A broken CPU backend that returns the states of reverse stages in scan order (step T-1 first) instead of time order. */
export function reverseStatesInScanOrder(): Backend {
  return wrapBackend(createCpuBackend(), "cpu, reverse states in scan order", async (program, req, run) => {
    const r = await run(req);
    const reverse = new Set(program.stages.filter((s) => s.reverse).flatMap((s) => s.checked.graph.carry.map((c) => c.id)));
    return { ...r, states: Object.fromEntries(Object.entries(r.states).map(([k, v]) => [k, reverse.has(k) ? flipTime(v) : v])) };
  });
}

/** A broken CPU backend that ignores `collectStates: false` and returns every state anyway. */
export function collectsStatesAnyway(): Backend {
  return wrapBackend(createCpuBackend(), "cpu, collecting states anyway", (_program, req, run) => run({ ...req, collectStates: true }));
}

/** A broken CPU backend that, with `checkpointEvery` > 1, returns zeros for the states between checkpoints (it kept only those). */
export function statesOnlyAtCheckpoints(): Backend {
  return wrapBackend(createCpuBackend(), "cpu, states only at checkpoints", async (_program, req, run) => {
    const r = await run(req);
    const every = req.checkpointEvery ?? 1;
    if (every <= 1) return r;
    const states = Object.fromEntries(
      Object.entries(r.states).map(([k, v]) => {
        const out = { shape: [...v.shape], data: v.data.slice() };
        for (let t = 0; t < v.shape[0]; t++) if (t % every !== 0) stepView(out, t).data.fill(0);
        return [k, out];
      }),
    );
    return { ...r, states };
  });
}

/** A broken CPU backend whose gradients drift by one part in 10⁴ when `checkpointEvery` > 1, as a replay that reads a stale carry might. */
export function driftWhenCheckpointing(): Backend {
  return wrapBackend(createCpuBackend(), "cpu, drifting when checkpointing", async (_program, req, run) => {
    const r = await run(req);
    if ((req.checkpointEvery ?? 1) <= 1 || !r.grads) return r;
    const grads = Object.fromEntries(Object.entries(r.grads).map(([k, g]) => [k, { shape: g.shape, data: g.data.map((v) => v * (1 + 1e-4)) }]));
    return { ...r, grads };
  });
}

/** A broken CPU backend that runs BPTT when asked for RTRL: it drops `method` and the sensitivities, and so returns input gradients and no sensitivities. */
export function rtrlAsBptt(): Backend {
  return wrapBackend(createCpuBackend(), "cpu, running BPTT for RTRL", (_program, req, run) => {
    const { method: _method, sensitivities: _sensitivities, ...bptt } = req;
    return run(bptt);
  });
}

/** A broken CPU backend that runs RTRL but ignores the sensitivities entering a window, starting them at zero as at a sequence's start. */
export function dropsSensitivities(): Backend {
  return wrapBackend(createCpuBackend(), "cpu, dropping the sensitivities entering a window", (_program, req, run) => {
    const { sensitivities: _sensitivities, ...rest } = req;
    return run(rest);
  });
}
