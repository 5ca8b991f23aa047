import { elementwiseOf, type Node } from "@unroll/ir";
import { linearKernel, META_WORDS, MAX_RANK } from "./prelude.js";
import { renderWgsl, SCALAR_HELPERS } from "./wgsl-expr.js";

/** Words before the operands: n, rank, dims[R], output base. */
const HEAD = 3 + MAX_RANK;
/** Words per operand: base, strides[R]. */
const PER_OPERAND = 1 + MAX_RANK;

/** Most operands one elementwise kernel reads: as many as fit its parameter slot. */
export const MAX_OPERANDS = Math.floor((META_WORDS - HEAD) / PER_OPERAND);

/** How a kernel reads an operand: `full` at the output's own index, `strided` through its strides (broadcasts). */
export type OperandAccess = "full" | "strided";

/**
 * The WGSL of a chain of elementwise nodes computed in one kernel: each
 * member's expression, from the IR op's own {@link elementwiseOf} (the source
 * the CPU's fused loops are rendered from too), on operands read once, with
 * the intermediates in registers; only the last value is written.
 */
export function elementwiseSource(members: readonly Node[], inputs: readonly string[], access: readonly OperandAccess[]): string {
  const local = new Map(members.map((n, k) => [n.id, `v${k}`] as const));
  const loads = inputs.map((_, k) => {
    const base = `m(${HEAD + k * PER_OPERAND}u)`;
    return access[k] === "full" ? `  let e${k} = data[${base} + i];` : `  let e${k} = data[strided(i, rank, 2u, ${base}, ${HEAD + k * PER_OPERAND + 1}u)];`;
  });
  const lines = members.map((n, k) => {
    const expr = renderWgsl(elementwiseOf(n)!, (j) => local.get(n.inputs[j]) ?? `e${inputs.indexOf(n.inputs[j])}`);
    return `  let v${k} = ${expr};`;
  });
  return linearKernel(["  let rank = m(1u);", ...loads, ...lines, `  data[m(${2 + MAX_RANK}u) + i] = v${members.length - 1};`].join("\n"), SCALAR_HELPERS);
}

/** The parameter words of an elementwise kernel: n, the collapsed dims, the output base, each operand's base and strides. */
export function elementwiseMeta(
  n: number,
  dims: readonly number[],
  outBase: number,
  operands: readonly { base: number; strides: readonly number[] }[],
): number[] {
  const words = new Array<number>(HEAD + operands.length * PER_OPERAND).fill(0);
  words[0] = n;
  words[1] = dims.length;
  dims.forEach((d, a) => (words[2 + a] = d));
  words[2 + MAX_RANK] = outBase;
  operands.forEach((o, k) => {
    words[HEAD + k * PER_OPERAND] = o.base;
    o.strides.forEach((s, a) => (words[HEAD + k * PER_OPERAND + 1 + a] = s));
  });
  return words;
}
