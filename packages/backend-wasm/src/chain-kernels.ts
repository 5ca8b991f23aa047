import { chainInputs, elementwiseOf, operandAccess, tiledChains, type Node, type OperandAccess } from "@unroll/ir";
import type { Executable, PrepareContext } from "@unroll/bptt";
import { chainModule } from "./elementwise/chain-module.js";
import type { LinearMemory } from "./linear-memory.js";
import type { ThreadTeam } from "./threads/thread-team.js";
import type { WasmBuf } from "./wasm-buf.js";

/** Most operands a chain reads: what fits a worker's job slot. */
const MAX_INPUTS = 48;
/** Threads split a chain's range in pieces of whole 64-byte lines. */
const SPLIT_UNIT = 16;

type ChainFn = (out: number, start: number, end: number, period: number, ...inputs: number[]) => void;

/** One compiled chain: its module (for the workers), its function here, and which input sets its period. */
interface CompiledChain {
  readonly module: number;
  readonly index: number;
  readonly fn: ChainFn;
  /** The input whose size is the tile period, or -1 when no operand is a tile. */
  readonly tileInput: number;
}

interface WasmApi {
  Module: new (bytes: Uint8Array) => object;
  Instance: new (module: object, imports: object) => { exports: Record<string, ChainFn> };
}
const wasmApi = (globalThis as unknown as { WebAssembly: WasmApi }).WebAssembly;

/**
 * The device's elementwise kernels: the chains of each {@link prepare} call
 * (and every elementwise node on its own whose operands a loop can read)
 * become one WebAssembly SIMD module, compiled once per program. A chain of
 * at least `parallelMinElements` outputs is split in ranges across the team.
 */
export class ChainKernels {
  private readonly compiled = new WeakMap<Executable, CompiledChain>();
  /** Every module made so far, by number, for teams started later. */
  private readonly modules: Uint8Array[] = [];
  private readonly add: ChainFn;

  constructor(
    private readonly memory: LinearMemory,
    private readonly team: () => ThreadTeam | undefined,
    private readonly parallelMinElements: number,
  ) {
    // the executor's accumulate: dst += src, as a chain of one add
    const node = { id: "sum", op: "add", inputs: ["dst", "src"] } as Node;
    this.add = this.instantiate(chainModule([{ members: [node], inputs: ["dst", "src"], access: ["full", "full"] }], this.memoryKind())).c0;
  }

  /** Executables for `nodes`: chains and single elementwise nodes compiled, the rest one per node. */
  prepare(nodes: readonly Node[], { shapes, live }: PrepareContext): Executable[] {
    const { steps } = tiledChains(nodes, shapes, live, (members, n) => chainInputs([...members, n]).length <= MAX_INPUTS);
    const pending: { exe: Executable; access: OperandAccess[] }[] = [];
    const exes = steps.map((step): Executable => {
      const members = "node" in step ? [step.node] : step.chain.members;
      // a node on its own takes its inputs as they are (concat may read one twice); a compiled chain each value once
      if ("node" in step && elementwiseOf(step.node) === undefined) return { nodes: members, inputs: step.node.inputs };
      const inputs = chainInputs(members);
      const exe: Executable = { nodes: members, inputs };
      const out = shapes.get(members[members.length - 1].id)!;
      if (inputs.length > MAX_INPUTS) return { nodes: members, inputs: members.length === 1 ? members[0].inputs : inputs };
      const access = inputs.map((i) => operandAccess(shapes.get(i)!, out));
      const tiles = inputs.filter((_, k) => access[k] === "tile").map((i) => shapes.get(i)!.join(","));
      if (access.some((a) => a === undefined) || new Set(tiles).size > 1) return { nodes: members, inputs: members[0].inputs };
      pending.push({ exe, access: access as OperandAccess[] });
      return exe;
    });
    if (pending.length === 0) return exes;
    const bytes = chainModule(
      pending.map(({ exe, access }) => ({ members: exe.nodes, inputs: exe.inputs, access })),
      this.memoryKind(),
    );
    const module = this.modules.push(bytes) - 1;
    const fns = this.instantiate(bytes);
    pending.forEach(({ exe, access }, index) => this.compiled.set(exe, { module, index, fn: fns[`c${index}`], tileInput: access.indexOf("tile") }));
    return exes;
  }

  /** Runs `exe` if it is a compiled chain; false when it is not. */
  run(exe: Executable, inputs: readonly WasmBuf[], out: WasmBuf): boolean {
    const chain = this.compiled.get(exe);
    if (!chain) return false;
    const n = out.size;
    const period = chain.tileInput >= 0 ? inputs[chain.tileInput].size : Math.max(n, 1);
    const ptrs = inputs.map((b) => b.byteOffset);
    const team = this.team();
    if (!team || n < this.parallelMinElements || !team.provide(chain.module, this.modules[chain.module])) {
      chain.fn(out.byteOffset, 0, n, period, ...ptrs);
      return true;
    }
    const per = Math.ceil(n / team.size / SPLIT_UNIT) * SPLIT_UNIT;
    const workers: number[] = [];
    for (let w = 1; w < team.size && w * per < n; w++) {
      team.postChain(w, team.localModule(chain.module), chain.index, out.byteOffset, w * per, Math.min(n, (w + 1) * per), period, ptrs);
      workers.push(w);
    }
    chain.fn(out.byteOffset, 0, Math.min(n, per), period, ...ptrs);
    team.join(workers, `an elementwise kernel (${exe.nodes.map((m) => m.op).join(", ")}) of ${n} elements`);
    return true;
  }

  /** `dst ← dst + src` in float32. */
  accumulate(dst: WasmBuf, src: WasmBuf): void {
    this.add(dst.byteOffset, 0, dst.size, Math.max(dst.size, 1), dst.byteOffset, src.byteOffset);
  }

  private memoryKind(): { shared: boolean; initialPages: number; maximumPages: number } {
    return { shared: this.memory.shared, initialPages: 1, maximumPages: this.memory.maximumPages };
  }

  private instantiate(bytes: Uint8Array): Record<string, ChainFn> {
    return new wasmApi.Instance(new wasmApi.Module(bytes), { env: { memory: this.memory.memory } }).exports;
  }
}
