/**
 * `@unroll/fuzz`: fast-check generators of valid and broken unroll documents
 * (model specs, step graphs, programs, weights and data files) and the checks
 * the fuzz properties share.
 */
export * from "./arbitraries/hostile-values.js";
export * from "./arbitraries/own-keys.js";
export * from "./arbitraries/mutation.js";
export * from "./arbitraries/model-spec.js";
export * from "./arbitraries/step-graph.js";
export * from "./arbitraries/program.js";
export * from "./arbitraries/tensors.js";
export * from "./arbitraries/weights-file.js";
export * from "./arbitraries/data-file.js";
export * from "./fuzz-settings.js";
export * from "./outcome.js";
export * from "./pollution.js";
export * from "./sequence-data.js";
export * from "./arbitraries/cli-args.js";
export * from "./cli-files.js";
export * from "./arbitraries/sequence-data.js";
