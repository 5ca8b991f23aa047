import type { GraphBuilder } from "./builder.js";
import type { NodeOf, OpKind } from "./ops/index.js";
import type { Dim } from "./shape.js";
import type { Nested } from "./tensor.js";

/** Draws one element, given a uniform generator on [0, 1). */
export type Gen = (rand: () => number) => number;

/** How the values of one operand of a case are drawn, and what the gradient check expects of it. */
export interface InputSpec {
  /** Draws one element; uniform in [-1, 1) by default. */
  readonly gen?: Gen;
  /** The VJP must give this operand no gradient (a `null` slot of its op's rule). */
  readonly noGrad?: boolean;
  /** Integer-valued (class ids): never perturbed by finite differences. */
  readonly discrete?: boolean;
}

/** What a case uses to declare its operands and compose its graph. */
export interface CaseInputs {
  /** The builder of the step graph. */
  readonly b: GraphBuilder;
  /** Declares a batched operand: an xs, `["B", ...]` at each step. */
  x(id: string, shape: Dim[], spec?: InputSpec): string;
  /** Declares an unbatched operand: a param. */
  p(id: string, shape: number[], spec?: InputSpec): string;
}

/**
 * A tiny step graph around one op. Each case runs in two checks: the
 * conformance kit runs it forward on every backend against the float64 CPU
 * kernels, and the CPU backend's tests check its VJP graph against central
 * differences in float64.
 */
export interface OpCase {
  /** Shown in the test names. */
  readonly name: string;
  /** Declares the operands and returns the value under test. */
  build(inputs: CaseInputs): string;
  /**
   * `false` leaves the case out of the gradient check, for values so large that
   * central differences in float64 lose the digits the check needs; it still runs forward.
   */
  readonly gradient?: false;
}

/** A hand-checked value of one op: what the reference kernel must compute from these inputs. */
export interface OpExample<K extends OpKind> {
  /** The node's attributes. */
  readonly attrs?: NodeOf<K>["attrs"];
  /** The input tensors as nested arrays (a number for a scalar). */
  readonly inputs: readonly Nested[];
  /** The expected output: exact (rounded once, in float32), or to `digits` decimals. */
  readonly output: Nested;
  /** Decimals to compare to, for values that are not exact. */
  readonly digits?: number;
}

/** The test cases of one op. */
export interface OpCases<K extends OpKind> {
  /** Hand-checked values (at least one), including numerical edge cases where they matter. */
  readonly examples: readonly OpExample<K>[];
  /** Step graphs around the op (at least one), covering each broadcast layout and attribute. */
  readonly graphs: readonly OpCase[];
}

/** Uniform in [-1, 1): the default. */
export const uniform: Gen = (r) => 2 * r() - 1;
/** Uniform in [-scale, scale) (saturation and stability cases). */
export const wide = (scale: number): InputSpec => ({ gen: (r) => scale * (2 * r() - 1) });
/** Bounded away from 0 (relu and step inputs, divisors): |v| in [0.25, 1.25). */
export const awayFromZero: InputSpec = { gen: (r) => (r() < 0.5 ? -1 : 1) * (0.25 + r()) };
/** Positive, in [0.5, 2) (log inputs). */
export const positive: InputSpec = { gen: (r) => 0.5 + 1.5 * r() };
/** An operand whose values are never read (the `like` of sumTo/broadcastTo, the input of countOf). */
export const shapeOnly: InputSpec = { noGrad: true };
/** Integer class ids in [0, depth), stored as numbers. */
export const classIds = (depth: number): InputSpec => ({ noGrad: true, discrete: true, gen: (r) => Math.min(depth - 1, Math.floor(r() * depth)) });
