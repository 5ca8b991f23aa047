import { checkProgram } from "../check-program.js";
import type { Program } from "../program.js";

/** Every parameter of a program and its shape, over all stages (a param shared by stages must agree). */
export function paramShapes(program: Program): Record<string, number[]> {
  const params = checkProgram(program).params;
  return Object.fromEntries(Object.entries(params).map(([id, shape]) => [id, [...shape]]));
}
