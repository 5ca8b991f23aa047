import { mkdirSync, readFileSync } from "node:fs";
import { dirname } from "node:path";
import writeFileAtomic from "write-file-atomic";
import { z } from "zod";
import { allocate, type Tensor } from "@unroll/ir";
import { UserError } from "./user-error.js";

/** The version tag of a demo checkpoint file. */
export const CHECKPOINT_FORMAT = "unroll.demo-checkpoint/1";

const count = z.number().int().min(0);

/** A tensor in JSON: its shape and its elements, row-major. */
const SavedTensorSchema = z
  .object({ shape: z.array(count), data: z.array(z.number()) })
  .refine((t) => t.data.length === t.shape.reduce((a, b) => a * b, 1), { message: "data length does not match the shape" });

/** A tensor as saved in a checkpoint. */
export type SavedTensor = z.infer<typeof SavedTensorSchema>;

/**
 * A text training run saved between two optimizer steps: the settings that
 * define it, the weights, the optimizer's state, where the streams are and
 * the state carried into the next window, so that a resumed run continues
 * exactly as if it had never stopped; plus the history for the report.
 */
export const CheckpointSchema = z.object({
  format: z.literal(CHECKPOINT_FORMAT),
  settings: z.object({
    text: z.string().nullable(),
    cell: z.enum(["rnn", "lstm", "gru"]),
    hidden: z.number().int().min(1),
    layers: z.number().int().min(1),
    window: z.number().int().min(1),
    batch: z.number().int().min(1),
    optimizer: z.enum(["sgd", "momentum", "adam", "rmsprop"]),
    lr: z.number().positive(),
    seed: z.number().int(),
  }),
  /** SHA-256 of the text trained on. */
  textHash: z.string(),
  /** Character of each class id. */
  vocab: z.array(z.string()),
  /** Optimizer steps done. */
  step: count,
  /** Next step of the streams to read. */
  position: count,
  /** Completed passes over the text. */
  epoch: count,
  params: z.record(z.string(), SavedTensorSchema),
  optimizer: z.object({ kind: z.string(), step: count, buffers: z.record(z.string(), z.record(z.string(), z.array(z.number()))) }),
  /** State entering `position`; null at the start of a pass (zeros). */
  state: z.record(z.string(), SavedTensorSchema).nullable(),
  /** Loss of every step so far, step 1 first. */
  losses: z.array(z.number()),
  /** Samples printed during training. */
  samples: z.array(z.object({ step: count, loss: z.number(), text: z.string() })),
  /** Training time so far, in seconds. */
  seconds: z.number().min(0),
});

/** A demo checkpoint; see {@link CheckpointSchema}. */
export type Checkpoint = z.infer<typeof CheckpointSchema>;

/** A tensor as plain numbers (float32 values convert to JSON and back exactly). */
export function saveTensor(t: Tensor): SavedTensor {
  return { shape: [...t.shape], data: Array.from(t.data) };
}

/** A float32 tensor from its saved form. */
export function loadTensor(t: SavedTensor): Tensor {
  const data = allocate("float32", t.data.length);
  data.set(t.data);
  return { shape: t.shape, data };
}

/** Saved tensors by name. */
export function saveTensors(ts: Readonly<Record<string, Tensor>>): Record<string, SavedTensor> {
  return Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, saveTensor(t)]));
}

/** Float32 tensors by name from their saved form. */
export function loadTensors(ts: Readonly<Record<string, SavedTensor>>): Record<string, Tensor> {
  return Object.fromEntries(Object.entries(ts).map(([k, t]) => [k, loadTensor(t)]));
}

/** Writes a checkpoint atomically (a temporary file, then a rename): an interrupted save never leaves half a file. */
export function saveCheckpoint(path: string, checkpoint: Checkpoint): void {
  try {
    mkdirSync(dirname(path), { recursive: true });
    writeFileAtomic.sync(path, JSON.stringify(checkpoint) + "\n");
  } catch (e) {
    throw new UserError(`cannot write the checkpoint ${path}: ${(e as Error).message}`);
  }
}

/** Reads and checks a checkpoint file. */
export function loadCheckpoint(path: string): Checkpoint {
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, "utf8"));
  } catch (e) {
    throw new UserError(`cannot read the checkpoint ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const r = CheckpointSchema.safeParse(json);
  if (!r.success) {
    const issue = r.error.issues[0];
    throw new UserError(`${path} is not a demo checkpoint (${CHECKPOINT_FORMAT}): ${issue.path.join(".") || "(top)"}: ${issue.message}`);
  }
  return r.data;
}
