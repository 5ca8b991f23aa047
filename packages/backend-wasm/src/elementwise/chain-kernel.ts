import type { OperandAccess, ScalarExpr } from "@unroll/ir";
import { FunctionBody, type Local } from "./function-body.js";
import { op, simd, type ValueType } from "./opcodes.js";
import { renderSimd } from "./simd-expr.js";
import { bind, type Vec } from "./vec.js";

/** Where a member's operand comes from: an operand of the kernel, or an earlier member's value. */
export type ChainOperand = { readonly input: number } | { readonly member: number };

/** A chain as the kernel sees it: expressions over operands, no node ids. */
export interface ExprChain {
  /** Each member's expression, and what its operand `k` is; the last member's value is written. */
  readonly members: readonly { readonly expr: ScalarExpr; readonly operands: readonly ChainOperand[] }[];
  /** How each operand of the kernel (`in0`, `in1`, …) is read. */
  readonly access: readonly OperandAccess[];
}

/** Parameters before the operands: out, start, end, period. */
const FIXED_PARAMS = 4;
const BYTES = 4;
const LOG2_BYTES = 2;
const LANES = 4;
const VECTOR_BYTES = LANES * BYTES;

/** The parameter types of a chain's kernel: out, start, end, period, then one pointer per operand. */
export const kernelParams = (chain: ExprChain): ValueType[] => new Array<ValueType>(FIXED_PARAMS + chain.access.length).fill("i32");

/**
 * The kernel of one chain, `(out, start, end, period, in0, in1, …)` (see
 * `chainModule`): runs of contiguous elements (up to `end` or to where
 * `i mod period` wraps), four lanes at a time, then the last one to three
 * of each run through the same SIMD code in lane 0.
 */
export function chainKernel(chain: ExprChain): FunctionBody {
  const body = new FunctionBody(kernelParams(chain));
  const [out, start, end, period] = [0, 1, 2, 3].map((k) => body.param(k));
  const operands = chain.access.map((_, k) => body.param(FIXED_PARAMS + k));
  const tiled = chain.access.includes("tile");
  // byte offsets: i of the output element, j of i mod period, the end of the range and of the current run
  const [i, j, iEnd, runEnd, periodBytes] = ["i", "j", "iEnd", "runEnd", "periodBytes"].map(() => body.local("i32"));

  // nothing to do for an empty range
  body.get(start).get(end).emit(op.i32GeU).ifThen().emit(op.return).end();
  body.get(start).i32(LOG2_BYTES).emit(op.i32Shl).set(i);
  body.get(end).i32(LOG2_BYTES).emit(op.i32Shl).set(iEnd);
  if (tiled) {
    // a zero period is a caller's bug: trap rather than loop forever
    body.get(period).emit(op.i32Eqz).ifThen().emit(op.unreachable).end();
    body.get(period).i32(LOG2_BYTES).emit(op.i32Shl).set(periodBytes);
    body.get(start).get(period).emit(op.i32RemU).i32(LOG2_BYTES).emit(op.i32Shl).set(j);
  }
  // scalar operands are read once, splatted
  const scalars = chain.access.map((a, k) => (a === "scalar" ? bind(body, (b) => b.get(operands[k]).simdAccess(simd.v128Load32Splat)) : undefined));
  // operand k at element i (or i mod period), four lanes or one, or the scalar
  const operandAt = (load: ElementLoad) => (k: number) => scalars[k] ?? loadAt(operands[k], chain.access[k] === "tile" ? j : i, load);

  body.open("loop"); // one iteration per run
  if (tiled) {
    // runEnd = min(iEnd, i + periodBytes - j)
    body.get(i).get(periodBytes).get(j).emit(op.i32Sub, op.i32Add).tee(runEnd);
    body.get(iEnd).get(runEnd).get(iEnd).emit(op.i32LtU, op.select).set(runEnd);
  } else {
    body.get(iEnd).set(runEnd);
  }
  // four lanes while at least four elements are left in the run
  body.open("block").open("loop");
  body.get(runEnd).get(i).emit(op.i32Sub).i32(VECTOR_BYTES).emit(op.i32LtU).brIf(1);
  body.get(out).get(i).emit(op.i32Add);
  chainValue(body, chain, operandAt(simd.v128Load))(body);
  body.simdAccess(simd.v128Store);
  advance(body, i, j, tiled, VECTOR_BYTES);
  body.br(0).end().end();
  // the rest of the run, one element in lane 0
  body.open("block").open("loop");
  body.get(i).get(runEnd).emit(op.i32GeU).brIf(1);
  body.get(out).get(i).emit(op.i32Add);
  chainValue(body, chain, operandAt(simd.v128Load32Splat))(body);
  body.extractLane(0).access(op.f32Store);
  advance(body, i, j, tiled, BYTES);
  body.br(0).end().end();
  // the next run starts a period
  if (tiled) body.i32(0).set(j);
  body.get(i).get(iEnd).emit(op.i32LtU).brIf(0);
  body.end();
  return body;
}

/** Four elements (`v128.load`) or one, splatted (`v128.load32_splat`). */
type ElementLoad = typeof simd.v128Load | typeof simd.v128Load32Splat;

/** The load at pointer + offset (bytes). */
const loadAt =
  (pointer: Local, offset: Local, load: ElementLoad): Vec =>
  (body) =>
    body.get(pointer).get(offset).emit(op.i32Add).simdAccess(load);

/** i += step, j += step (bytes). */
function advance(body: FunctionBody, i: Local, j: Local, tiled: boolean, step: number): void {
  body.get(i).i32(step).emit(op.i32Add).set(i);
  if (tiled) body.get(j).i32(step).emit(op.i32Add).set(j);
}

/** The last member's value: each operand is read once into a local, each member but the last is bound to a local. */
function chainValue(body: FunctionBody, chain: ExprChain, operand: (k: number) => Vec): Vec {
  const loaded = chain.access.map((_, k) => bind(body, operand(k)));
  const values: Vec[] = [];
  chain.members.forEach((m, k) => {
    const value = renderSimd(m.expr, (q) => {
      const from = m.operands[q];
      return "input" in from ? loaded[from.input] : values[from.member];
    });
    values.push(k < chain.members.length - 1 ? bind(body, value) : value);
  });
  return values[values.length - 1];
}
