import { planBlocks, roundUp, stagedFloats, type Staged } from "./blocks.js";
import { compileGemm, type GemmVariant } from "./variant.js";
import { PAGE_BYTES, wasmApi, type GemmExports, type WasmMemory } from "./wasm-api.js";

/** Options of one {@link Gemm.matmul} call. */
export interface MatmulOptions {
  /** Use Aᵀ: `a` is stored k×m. */
  readonly transposeA?: boolean;
  /** Use Bᵀ: `b` is stored n×k. */
  readonly transposeB?: boolean;
  /** Add the product onto `c` (C += op(A)·op(B)) instead of overwriting it. */
  readonly accumulate?: boolean;
}

/**
 * A float32 matrix-product engine backed by one WebAssembly instance and its memory.
 *
 * Memory rule: views returned by {@link Gemm.alloc} live in the instance's memory and are
 * never moved or invalidated. The memory grows (re-creating the engine's own views) only
 * while no such view is live, i.e. before the first `alloc` or after {@link Gemm.reset};
 * while views are live, plain operands are staged through the fixed staging headroom in
 * blocks instead, and `alloc` past the arena's capacity throws.
 */
export interface Gemm {
  /**
   * c = op(a)·op(b) (+ c when `accumulate`); op(a) is m×k, op(b) k×n, c m×n, all row-major
   * Float32Arrays (any buffer; only the first m·k, k·n, m·n elements are used). Equivalent to
   * ```ts
   * for (let i = 0; i < m; i++)
   *   for (let j = 0; j < n; j++) {
   *     let s = accumulate ? c[i * n + j] : 0;
   *     for (let p = 0; p < k; p++) s += opA(i, p) * opB(p, j);
   *     c[i * n + j] = s;
   *   }
   * ```
   * in float32 with a different summation order. Operands with |x| < 2^-62 count as 0
   * (denormals would slow the product ~200×); NaN and ±Infinity propagate. Operands that are
   * {@link Gemm.alloc} views are used in place; others are copied in (and c back out).
   * `c` must not overlap `a` or `b`.
   */
  matmul(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, opts?: MatmulOptions): void;
  /** Which build is running: "relaxed-simd" (fused multiply-add) or "simd". */
  readonly variant: GemmVariant;
  /**
   * A zeroed Float32Array of `length` in the instance's memory: `matmul` uses such views
   * (and their subarrays) without copying. Valid until {@link Gemm.reset}; throws a
   * RangeError when the arena is full (see `arenaBytes` in {@link GemmOptions}).
   */
  alloc(length: number): Float32Array;
  /** Frees every `alloc` view at once; earlier views must not be used afterwards. */
  reset(): void;
}

/** Options of {@link createGemm}. */
export interface GemmOptions {
  /** Force a build (tests, benchmarks); default: relaxed SIMD when the runtime accepts it. */
  readonly variant?: GemmVariant;
  /** Arena bytes reserved for {@link Gemm.alloc} up front (default 64 MiB; address space until touched). */
  readonly arenaBytes?: number;
  /** Headroom for copying plain operands in (default 16 MiB, at least 64 KiB). */
  readonly stagingBytes?: number;
}

const MiB = 1 << 20;
const ALIGN = 64;
const MIN_STAGING = 64 * 1024;

interface Placed {
  readonly ptr: number;
  readonly ld: number;
}

function checkDim(name: string, v: number): void {
  if (!Number.isInteger(v) || v < 0) throw new RangeError(`matmul: ${name} must be a non-negative integer, got ${v}`);
}

function checkLength(name: string, x: Float32Array, need: number): void {
  if (x.length < need) throw new RangeError(`matmul: ${name} has ${x.length} elements, needs ${need}`);
}

/** Whether [x0, x0 + xBytes) and [y0, y0 + yBytes) intersect. */
function intersects(x0: number, xBytes: number, y0: number, yBytes: number): boolean {
  return x0 < y0 + yBytes && y0 < x0 + xBytes;
}

// Layout of the memory: [0, 64 KiB) the module's own static area | packing workspace |
// arena (alloc views, bump-allocated) | staging (per-call copies of plain operands, to the end).
class WasmGemm implements Gemm {
  readonly variant: GemmVariant;
  private readonly memory: WasmMemory;
  private readonly wasm: GemmExports;
  private readonly ws: number;
  private readonly arenaStart: number;
  private arenaTop: number;
  private stagingStart: number;
  private readonly stagingBytes: number;
  /** All of the memory, and its buffer; both re-created after growth. */
  private heap: Float32Array;
  private buffer: ArrayBuffer;

  constructor(options: GemmOptions) {
    const { module, variant } = compileGemm(options.variant);
    this.variant = variant;
    this.memory = new wasmApi.Memory({ initial: 1 });
    this.wasm = new wasmApi.Instance(module, { env: { memory: this.memory } }).exports as GemmExports;
    this.ws = PAGE_BYTES;
    this.arenaStart = roundUp(this.ws + this.wasm.workspaceBytes(), ALIGN);
    this.arenaTop = this.arenaStart;
    this.stagingStart = roundUp(this.arenaStart + (options.arenaBytes ?? 64 * MiB), PAGE_BYTES);
    this.stagingBytes = Math.max(MIN_STAGING, options.stagingBytes ?? 16 * MiB);
    this.buffer = this.memory.buffer;
    this.heap = new Float32Array(this.buffer);
    this.growTo(this.stagingStart + this.stagingBytes);
  }

  alloc(length: number): Float32Array {
    if (!Number.isInteger(length) || length < 0) throw new RangeError(`alloc: bad length ${length}`);
    const bytes = roundUp(4 * length, ALIGN);
    if (this.arenaTop + bytes > this.stagingStart) {
      if (this.arenaTop !== this.arenaStart) {
        throw new RangeError(
          `alloc: arena full (${bytes} bytes asked, ${this.stagingStart - this.arenaTop} free); ` +
            "live views are never moved, so pass a larger arenaBytes to createGemm or reset() first",
        );
      }
      // no live views: the arena may grow, pushing staging up
      this.stagingStart = roundUp(this.arenaStart + Math.max(bytes, 2 * (this.stagingStart - this.arenaStart)), PAGE_BYTES);
      this.growTo(this.stagingStart + this.stagingBytes);
    }
    const view = new Float32Array(this.buffer, this.arenaTop, length);
    view.fill(0);
    this.arenaTop += bytes;
    return view;
  }

  reset(): void {
    this.arenaTop = this.arenaStart;
  }

  matmul(a: Float32Array, b: Float32Array, c: Float32Array, m: number, n: number, k: number, opts: MatmulOptions = {}): void {
    checkDim("m", m);
    checkDim("n", n);
    checkDim("k", k);
    checkLength("a", a, m * k);
    checkLength("b", b, k * n);
    checkLength("c", c, m * n);
    // `buffer` and `byteOffset` are getter calls (~10-15 ns each): read each once
    const [aBuf, bBuf, cBuf] = [a.buffer, b.buffer, c.buffer];
    const [aOff, bOff, cOff] = [a.byteOffset, b.byteOffset, c.byteOffset];
    if ((cBuf === aBuf && intersects(cOff, 4 * m * n, aOff, 4 * m * k)) || (cBuf === bBuf && intersects(cOff, 4 * m * n, bOff, 4 * k * n))) {
      throw new RangeError("matmul: c overlaps a or b");
    }
    const tA = opts.transposeA === true;
    const tB = opts.transposeB === true;
    const beta = opts.accumulate === true ? 1 : 0;
    if (m === 0 || n === 0) return;
    if (k === 0) {
      if (beta === 0) c.fill(0, 0, m * n);
      return;
    }
    const flags = (tA ? 1 : 0) | (tB ? 2 : 0);
    const lda = tA ? m : k;
    const ldb = tB ? k : n;
    const staged: Staged = {
      a: !this.inArena(aBuf, aOff, 4 * m * k),
      b: !this.inArena(bBuf, bOff, 4 * k * n),
      c: !this.inArena(cBuf, cOff, 4 * m * n),
    };
    if (!staged.a && !staged.b && !staged.c) {
      this.wasm.gemm(flags, m, n, k, aOff, lda, bOff, ldb, cOff, n, 1, beta, this.ws);
      return;
    }
    this.ensureStaging(4 * stagedFloats({ bm: m, bn: n, bk: k }, staged));
    const { bm, bn, bk } = planBlocks(m, n, k, staged, (this.heap.byteLength - this.stagingStart) >> 2);
    // staging slots for one block of each copied operand, 64-byte aligned
    const aAt = staged.a ? this.stagingStart : -1;
    const bAt = staged.b ? this.stagingStart + (staged.a ? 4 * roundUp(bm * bk, 16) : 0) : -1;
    const cAt = staged.c ? this.stagingStart + 4 * stagedFloats({ bm, bn, bk }, { ...staged, c: false }) : -1;
    for (let i0 = 0; i0 < m; i0 += bm) {
      const mb = Math.min(bm, m - i0);
      for (let j0 = 0; j0 < n; j0 += bn) {
        const nb = Math.min(bn, n - j0);
        const cp = this.place(c, n, i0, j0, mb, nb, cAt, beta !== 0);
        for (let p0 = 0; p0 < k; p0 += bk) {
          const kb = Math.min(bk, k - p0);
          // the stored block of each operand: A is k×m when transposed, B n×k
          const ap = tA ? this.place(a, lda, p0, i0, kb, mb, aAt, true) : this.place(a, lda, i0, p0, mb, kb, aAt, true);
          const bp = tB ? this.place(b, ldb, j0, p0, nb, kb, bAt, true) : this.place(b, ldb, p0, j0, kb, nb, bAt, true);
          this.wasm.gemm(flags, mb, nb, kb, ap.ptr, ap.ld, bp.ptr, bp.ld, cp.ptr, cp.ld, 1, p0 === 0 ? beta : 1, this.ws);
        }
        if (cAt >= 0) this.copyOut(c, n, i0, j0, mb, nb, cAt);
      }
    }
  }

  /** Whether bytes [offset, offset + bytes) of `buffer` lie in the live arena. */
  private inArena(buffer: ArrayBufferLike, offset: number, bytes: number): boolean {
    return buffer === this.buffer && offset >= this.arenaStart && offset + bytes <= this.arenaTop;
  }

  /** Where the wasm side finds block [r0, r0+rows) × [c0, c0+cols) of x (row stride ld): in place, or copied to `at`. */
  private place(x: Float32Array, ld: number, r0: number, c0: number, rows: number, cols: number, at: number, copy: boolean): Placed {
    if (at < 0) return { ptr: x.byteOffset + 4 * (r0 * ld + c0), ld };
    if (copy) {
      const dst = at >> 2;
      if (c0 === 0 && cols === ld) this.heap.set(r0 === 0 && x.length === rows * ld ? x : x.subarray(r0 * ld, (r0 + rows) * ld), dst);
      else for (let r = 0; r < rows; r++) this.heap.set(x.subarray((r0 + r) * ld + c0, (r0 + r) * ld + c0 + cols), dst + r * cols);
    }
    return { ptr: at, ld: cols };
  }

  private copyOut(c: Float32Array, ldc: number, r0: number, c0: number, rows: number, cols: number, at: number): void {
    const src = at >> 2;
    if (c0 === 0 && cols === ldc) c.set(this.heap.subarray(src, src + rows * cols), r0 * ldc);
    else for (let r = 0; r < rows; r++) c.set(this.heap.subarray(src + r * cols, src + (r + 1) * cols), (r0 + r) * ldc + c0);
  }

  /** Grows staging to `bytes` when no alloc view is live; otherwise the caller works in blocks. */
  private ensureStaging(bytes: number): void {
    if (this.arenaTop === this.arenaStart) this.growTo(this.stagingStart + bytes);
  }

  /** Grows the memory to at least `bytes` and re-creates the engine's view (growth detaches the old buffer). */
  private growTo(bytes: number): void {
    const have = this.heap.byteLength;
    if (bytes <= have) return;
    this.memory.grow(Math.ceil((bytes - have) / PAGE_BYTES));
    this.buffer = this.memory.buffer;
    this.heap = new Float32Array(this.buffer);
  }
}

/**
 * Creates a matrix-product engine: compiles the embedded kernel (relaxed SIMD when the
 * runtime accepts it, else plain SIMD) and instantiates it synchronously (the modules are
 * ~5 KB) with its own memory. Create one per worker; an engine is not shareable.
 */
export function createGemm(options: GemmOptions = {}): Gemm {
  return new WasmGemm(options);
}
