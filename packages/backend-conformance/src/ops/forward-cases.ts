import { opCases, opKinds, type OpKind } from "@unroll/ir";
import type { ForwardCase } from "./forward-case.js";

/**
 * Forward cases for every op: the step graphs of `@unroll/ir`'s `opCases`, the
 * one table of op test cases (the CPU backend checks their gradients), so a new
 * op gets its cases there. Its type makes a missing op a compile error, and the
 * suite also fails at run time for an op of `opKinds` without a case.
 */
export const forwardCases: { readonly [K in OpKind]: readonly ForwardCase[] } = Object.fromEntries(opKinds.map((op) => [op, opCases[op].graphs])) as {
  [K in OpKind]: readonly ForwardCase[];
};
