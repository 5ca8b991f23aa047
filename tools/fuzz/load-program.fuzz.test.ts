import { describe, expect } from "vitest";
import { test, fc } from "@fast-check/vitest";
import { GraphError, loadProgram } from "@unroll/ir";
import {
  expectEngineError,
  hostileTree,
  expectFast,
  expectNoPollution,
  fuzzSettings,
  modelSpecDocument,
  outcomeOf,
  programDocument,
  snapshotPrototypes,
  stepGraphDocument,
} from "./src/index.js";

const prototypes = snapshotPrototypes();

/** A loader's error names a field: a non-empty path, which the message starts with; only a document that is not an object is blamed as a whole. */
const namesPath = (e: unknown, doc: unknown) =>
  e instanceof GraphError && (e.path !== "" ? e.message.startsWith(`${e.path}: `) : typeof doc !== "object" || doc === null || Array.isArray(doc));

/** loadProgram on any document either gives a checked program or a GraphError naming the field, quickly, and pollutes nothing. */
async function loadsOrNamesField(doc: unknown): Promise<void> {
  const r = await outcomeOf(() => loadProgram(doc));
  expectNoPollution(prototypes);
  expectFast(r.ms, settings.caseTimeLimitMs, "loadProgram");
  if (!r.ok) expectEngineError(r.error, [GraphError], () => namesPath(r.error, doc), "loadProgram");
  else expect(Object.keys(r.value.sequences)).toContain(r.value.program.output);
}

const settings = fuzzSettings(300);

describe("loadProgram on fuzzed documents", () => {
  test.prop([modelSpecDocument()], settings.parameters)("model specs", ({ doc }) => loadsOrNamesField(doc), settings.testTimeoutMs);
  test.prop([stepGraphDocument()], settings.parameters)("step graphs", ({ doc }) => loadsOrNamesField(doc), settings.testTimeoutMs);
  test.prop([programDocument()], settings.parameters)("programs", ({ doc }) => loadsOrNamesField(doc), settings.testTimeoutMs);
  test.prop([fc.oneof(fc.jsonValue({ maxDepth: 4 }), hostileTree)], settings.parameters)("any JSON", (doc) => loadsOrNamesField(doc), settings.testTimeoutMs);
});
