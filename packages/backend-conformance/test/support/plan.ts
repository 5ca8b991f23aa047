import type { Backend } from "@unroll/bptt";
import { describeSections } from "../../src/describe-backend.js";
import { suiteContext, type Registrar } from "../../src/suite-context.js";

/** A test the suite registers for a backend: its groups, its name, whether it is skipped, and what it runs. */
export interface PlannedTest {
  /** The groups it sits in, outermost first. */
  readonly path: readonly string[];
  /** Its name (with the reason, for a skipped test). */
  readonly name: string;
  /** Registered as skipped. */
  readonly skipped: boolean;
  /** What it runs, for a test that is not skipped. */
  readonly body?: () => Promise<void> | void;
}

/**
 * Every test that `describeBackend` would register for the backend `make`
 * returns, in order, without running any: sections register through a
 * recording {@link Registrar}. `make` is called once for the shared instance and
 * again by the tests that dispose a backend of their own.
 */
export async function planSuite(make: () => Backend): Promise<PlannedTest[]> {
  const tests: PlannedTest[] = [];
  const path: string[] = [];
  const registrar: Registrar = {
    describe(name, body) {
      path.push(name);
      body();
      path.pop();
    },
    it: (name, body) => void tests.push({ path: [...path], name, skipped: false, body }),
    skip: (name) => void tests.push({ path: [...path], name, skipped: true }),
  };
  describeSections(suiteContext(make(), make, registrar));
  return tests;
}

/** The tests of a section, by the start of its group's name (e.g. `"BPTT equivalences"`). */
export function inSection(tests: readonly PlannedTest[], section: string): PlannedTest[] {
  return tests.filter((t) => t.path[0]?.startsWith(section));
}

/** Runs the one planned test whose name contains `name`, and returns what it threw (undefined when it passed). */
export async function outcome(tests: readonly PlannedTest[], name: string): Promise<Error | undefined> {
  const found = tests.filter((t) => t.name.includes(name));
  if (found.length !== 1) throw new Error(`${found.length} tests named like "${name}": ${found.map((t) => t.name).join("; ")}`);
  const [test] = found;
  if (!test.body) throw new Error(`"${test.name}" is skipped`);
  try {
    await test.body();
    return undefined;
  } catch (e) {
    return e instanceof Error ? e : new Error(String(e));
  }
}
