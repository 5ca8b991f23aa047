import type { Backend } from "@unroll/bptt";
import { createCpuBackend } from "@unroll/backend-cpu";
import { UserError } from "./user-error.js";

/** Backends the CLI can create, by `--backend` name. */
const factories: Record<string, () => Backend> = {
  cpu: () => createCpuBackend(),
};

/** Creates the backend named on the command line. */
export function createBackend(name: string): Backend {
  const make = factories[name];
  if (!make) throw new UserError(`unknown backend "${name}"; available: ${Object.keys(factories).join(", ")}`);
  return make();
}
