import { signedLeb, unsignedLeb } from "./leb128.js";
import { op, simd, SIMD_PREFIX, valueType, type SimdOp, type ValueType } from "./opcodes.js";

/** A local variable (or parameter) of a function being written, by its index. */
export interface Local {
  /** Its index among the function's parameters and locals. */
  readonly index: number;
  /** Its type. */
  readonly type: ValueType;
}

/** log2 of the byte alignment a memory access promises: float32 arrays are 4-byte aligned, even where a v128 is read. */
const F32_ALIGN = 2;

/**
 * The body of one WebAssembly function, written instruction by instruction
 * (a stack machine: each method appends one instruction). Locals are
 * allocated as they are needed, after the parameters.
 */
export class FunctionBody {
  private readonly code: number[] = [];
  private readonly locals: ValueType[] = [];

  /** Starts a function with these parameter types; {@link param} gives them as locals. */
  constructor(private readonly params: readonly ValueType[]) {}

  /** Parameter `k`. */
  param(k: number): Local {
    return { index: k, type: this.params[k] };
  }

  /** A fresh local of type `type`. */
  local(type: ValueType): Local {
    this.locals.push(type);
    return { index: this.params.length + this.locals.length - 1, type };
  }

  /** Appends raw instruction bytes. */
  emit(...bytes: number[]): this {
    for (const b of bytes) this.code.push(b);
    return this;
  }

  /** `local.get`. */
  get(l: Local): this {
    return this.emit(op.localGet, ...unsignedLeb(l.index));
  }

  /** `local.set`. */
  set(l: Local): this {
    return this.emit(op.localSet, ...unsignedLeb(l.index));
  }

  /** `local.tee`. */
  tee(l: Local): this {
    return this.emit(op.localTee, ...unsignedLeb(l.index));
  }

  /** `i32.const n`. */
  i32(n: number): this {
    return this.emit(op.i32Const, ...signedLeb(n));
  }

  /** A SIMD instruction without immediates. */
  simd(code: SimdOp): this {
    return this.emit(SIMD_PREFIX, ...unsignedLeb(code));
  }

  /** `v128.const` of four i32 lanes (their bits; an f32 lane by its bit pattern). */
  v128Const(lanes: readonly [number, number, number, number]): this {
    const bytes = new Uint8Array(new Uint32Array(lanes.map((l) => l >>> 0)).buffer);
    return this.simd(simd.v128Const).emit(...bytes);
  }

  /** A core load or store (`f32.store`) with its memory argument: float32 alignment, offset 0. */
  access(code: number): this {
    return this.emit(code, F32_ALIGN, 0);
  }

  /** A SIMD load or store (`v128.load`, `v128.load32_splat`, `v128.store`) with its memory argument: float32 alignment, offset 0. */
  simdAccess(code: SimdOp): this {
    return this.simd(code).emit(F32_ALIGN, 0);
  }

  /** `f32x4.extract_lane lane`. */
  extractLane(lane: number): this {
    return this.simd(simd.f32x4ExtractLane).emit(lane);
  }

  /** `block` or `loop` with no result; closed by {@link end}. */
  open(kind: "block" | "loop"): this {
    return this.emit(kind === "block" ? op.block : op.loop, valueType.emptyBlock);
  }

  /** `if` with no result; closed by {@link end}. */
  ifThen(): this {
    return this.emit(op.if, valueType.emptyBlock);
  }

  /** `end` of a block, loop or if. */
  end(): this {
    return this.emit(op.end);
  }

  /** `br depth`. */
  br(depth: number): this {
    return this.emit(op.br, ...unsignedLeb(depth));
  }

  /** `br_if depth`. */
  brIf(depth: number): this {
    return this.emit(op.brIf, ...unsignedLeb(depth));
  }

  /** The encoded body: local declarations (runs of one type), the instructions, `end`. */
  encode(): number[] {
    const runs: [number, ValueType][] = [];
    for (const t of this.locals) {
      const last = runs[runs.length - 1];
      if (last && last[1] === t) last[0]++;
      else runs.push([1, t]);
    }
    const decls = runs.flatMap(([count, t]) => [...unsignedLeb(count), valueType[t]]);
    return [...unsignedLeb(runs.length), ...decls, ...this.code, op.end];
  }
}
