import { loadProgram } from "@unroll/ir";
import { createRng } from "@unroll/bptt";
import { backends, type BackendName } from "@unroll/backends";
import { CharVocab, charModelSpec, sampleText } from "@unroll/demo-kit";
import { loadTensors, type Checkpoint } from "./checkpoint.js";

/** Options of {@link generateFromCheckpoint}. */
export interface GenerateOptions {
  /** Characters to generate. */
  readonly length: number;
  /** Sampling temperature. */
  readonly temperature: number;
  /** Seed of the draws: the same seed gives the same text. */
  readonly seed: number;
  /** Where to run the model. */
  readonly backend: BackendName;
  /** Text to start from (default a line break). */
  readonly prime?: string;
}

/** Generates text from a saved model, deterministic for a seed. */
export async function generateFromCheckpoint(checkpoint: Checkpoint, options: GenerateOptions): Promise<string> {
  const vocab = new CharVocab(checkpoint.vocab);
  const program = loadProgram(charModelSpec(vocab.size, checkpoint.settings));
  const backend = backends.create(options.backend);
  try {
    const loaded = await backend.load(program, { dtype: "float32" });
    const model = { loaded, program, params: loadTensors(checkpoint.params), vocab };
    return await sampleText(model, {
      length: options.length,
      temperature: options.temperature,
      rng: createRng(options.seed),
      ...(options.prime !== undefined ? { prime: options.prime } : {}),
    });
  } finally {
    await backend.dispose();
  }
}
