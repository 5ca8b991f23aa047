import { initBound, type CheckedProgram, type Initializer } from "@unroll/ir";

/**
 * The initializer of every parameter of a program, for the generated module's
 * `reset_parameters`: the program's `init` where it names one, else unroll's
 * default, uniform in ±bound with the bound of `@unroll/ir`'s `initBound`
 * (a recurrent layer's `W_in`, `W_re`, `b`, `b_in`, `b_re` use 1/sqrt(H) with H
 * the rows of its `W_re`; a dense `P.W`, `P.b` use 1/sqrt(rows of `P.W`); any
 * other 1/sqrt(its first dimension)). The distributions are unroll's; the
 * random numbers are torch's.
 */
export function paramInits(program: CheckedProgram): Record<string, Initializer> {
  const out: Record<string, Initializer> = {};
  for (const name of Object.keys(program.params)) {
    const given = program.program.init?.[name];
    if (given) {
      out[name] = given;
    } else if (program.params[name].includes(0)) {
      // no elements to draw (and an infinite bound)
      out[name] = { kind: "zeros" };
    } else {
      const bound = initBound(name, program.params);
      out[name] = { kind: "uniform", low: -bound, high: bound };
    }
  }
  return out;
}
