import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import { z } from "zod";
import { TRAINER_STATE_VERSION, trainerStateVersionMessage, type SavedNumber, type TrainerState } from "@unroll/bptt";
import { readBytes, writeBytesAtomic, writeTextAtomic } from "./files.js";
import { snapshotDocumentFromSafetensors, snapshotDocumentToSafetensors } from "./snapshot-safetensors.js";
import { UserError } from "./user-error.js";
import { isSafetensorsPath } from "./weights-file.js";

/** The `format` field of every snapshot file. */
export const SNAPSHOT_FORMAT = "unroll-snapshot";

/** The snapshot file version this CLI writes and reads. */
export const SNAPSHOT_VERSION = 1;

/** A setting of the run as it is compared on resume: a number, a string, a flag, a truncation, or null when not given. */
export type SettingValue = string | number | boolean | null | { readonly [key: string]: number | string };

/** The training settings a resumed run must share with the run that wrote the snapshot, by name. */
export type SnapshotSettings = Readonly<Record<string, SettingValue>>;

/**
 * A snapshot file: the Trainer's whole state, the digests of what it was
 * trained on (model, data, settings) that a resume must match, and a digest
 * of everything else in the file, so that any damage is found.
 */
export interface Snapshot {
  /** {@link SNAPSHOT_FORMAT}. */
  readonly format: typeof SNAPSHOT_FORMAT;
  /** {@link SNAPSHOT_VERSION}. */
  readonly version: number;
  /** sha256 of the model's content (its JSON with keys sorted), not of its path. */
  readonly model: string;
  /** sha256 of the data's content, likewise. */
  readonly data: string;
  /** The settings in plain form, so that a mismatch can be named. */
  readonly settings: SnapshotSettings;
  /** Mean loss of the first and of the latest completed epoch (null before one completes), for the summary line. */
  readonly losses: { readonly first: SavedNumber | null; readonly last: SavedNumber | null };
  /** The Trainer's state. */
  readonly trainer: TrainerState;
}

/** A snapshot file's content: the {@link Snapshot}, the sha256 of its settings, and the sha256 of its JSON text. */
interface SnapshotDocument extends Snapshot {
  /** {@link contentDigest} of the settings, which a resume compares first. */
  readonly settingsDigest: string;
  /** sha256 of the JSON text of every other field, in the order written. */
  readonly digest: string;
}

/** sha256 of a JSON value with every object's keys sorted, so that the same content at another path or formatted otherwise has the same digest. */
export function contentDigest(value: unknown): string {
  return sha256(JSON.stringify(value, (_, v: unknown) => (v && typeof v === "object" && !Array.isArray(v) ? sortKeys(v as Record<string, unknown>) : v)));
}

function sortKeys(o: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.keys(o)
      .sort()
      .map((k) => [k, o[k]]),
  );
}

function sha256(text: string): string {
  return createHash("sha256").update(text).digest("hex");
}

/** The snapshot's fields in the order written, with the digest of its settings. */
function snapshotBody(s: Snapshot): Omit<SnapshotDocument, "digest"> {
  const body: Snapshot = {
    format: s.format,
    version: s.version,
    model: s.model,
    data: s.data,
    settings: s.settings,
    losses: s.losses,
    trainer: s.trainer,
  };
  return { ...body, settingsDigest: contentDigest(s.settings) };
}

/** The snapshot file's text, with its digest. */
export function snapshotToText(s: Snapshot): string {
  const withSettings = snapshotBody(s);
  const document: SnapshotDocument = { ...withSettings, digest: sha256(JSON.stringify(withSettings)) };
  return JSON.stringify(document) + "\n";
}

/**
 * Writes a snapshot file atomically: JSON text, or safetensors when the path ends in
 * `.safetensors` (the parameters and optimizer buffers as tensors, the rest of the
 * document as JSON in its metadata, with a digest of both).
 */
export function writeSnapshot(path: string, s: Snapshot): void {
  if (isSafetensorsPath(path)) writeBytesAtomic(path, snapshotDocumentToSafetensors(snapshotBody(s)));
  else writeTextAtomic(path, snapshotToText(s));
}

const savedNumber = z.union([z.number(), z.enum(["NaN", "Infinity", "-Infinity", "-0"])]);
const count = z.number().int().nonnegative();
const savedTensor = z.strictObject({ shape: z.array(count), data: z.array(savedNumber) });
const savedStates = z.record(z.string(), savedTensor);
const savedSensitivities = z.record(z.string(), savedStates);

const trainerStateSchema = z.strictObject({
  version: z.literal(TRAINER_STATE_VERSION),
  dtype: z.enum(["float32", "float64"]),
  steps: count,
  epochs: count,
  params: savedStates,
  optimizer: z.strictObject({ kind: z.string(), step: count, buffers: z.record(z.string(), z.record(z.string(), z.array(savedNumber))) }),
  carried: z.array(savedStates.nullable()),
  carriedSensitivities: z.array(savedSensitivities.nullable()),
  position: z
    .strictObject({
      batch: count,
      window: count,
      entering: savedStates.nullable(),
      kept: z.record(z.string().regex(/^\d+$/, "a step number"), savedStates),
      state: savedStates.nullable(),
      sensitivities: savedSensitivities.nullable(),
      loss: savedNumber,
      lossRows: count,
    })
    .nullable(),
});

const settingValue = z.union([z.string(), z.number(), z.boolean(), z.null(), z.record(z.string(), z.union([z.number(), z.string()]))]);
const digest = z.string().regex(/^[0-9a-f]{64}$/, "a sha256 digest in hex");

const snapshotSchema = z.strictObject({
  format: z.literal(SNAPSHOT_FORMAT),
  version: z.literal(SNAPSHOT_VERSION),
  model: digest,
  data: digest,
  settings: z.record(z.string(), settingValue),
  losses: z.strictObject({ first: savedNumber.nullable(), last: savedNumber.nullable() }),
  trainer: trainerStateSchema,
  settingsDigest: digest,
  digest,
});

/** The path of a zod issue as a field name: `trainer.params.W.data[3]`. */
function fieldName(path: readonly PropertyKey[]): string {
  return path.map((p, i) => (typeof p === "number" ? `[${p}]` : i === 0 ? String(p) : `.${String(p)}`)).join("") || "(the document)";
}

/**
 * Reads and checks a snapshot file (JSON, or safetensors by its extension): an
 * unroll snapshot of this version, every field well-formed, its digest matching
 * its content. Each failure is one {@link UserError} line naming the file and
 * what is wrong.
 */
export function readSnapshot(path: string): Snapshot {
  if (isSafetensorsPath(path)) {
    const bytes = readBytes(path, "snapshot");
    let read: ReturnType<typeof snapshotDocumentFromSafetensors>;
    try {
      read = snapshotDocumentFromSafetensors(bytes);
    } catch (e) {
      throw new UserError(`${path} is truncated or corrupt: ${(e as Error).message}`);
    }
    return checkedSnapshot(path, read.document, () => read.digestMatches);
  }
  let text: string;
  try {
    text = readFileSync(path, "utf8");
  } catch (e) {
    throw new UserError(`cannot read the snapshot file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    throw new UserError(`${path} is truncated or corrupt: not valid JSON (${(e as Error).message})`);
  }
  // the digest is of the text as written: the parsed JSON keeps its key order, zod's output need not
  return checkedSnapshot(path, json, (head) => {
    const { digest: written, ...asWritten } = head;
    return sha256(JSON.stringify(asWritten)) === written;
  });
}

/** Checks a snapshot document read from `path`; `digestMatches` says whether its digest matches its content. */
function checkedSnapshot(path: string, json: unknown, digestMatches: (head: Record<string, unknown>) => boolean): Snapshot {
  const head = typeof json === "object" && json !== null ? (json as Record<string, unknown>) : {};
  if (head.format !== SNAPSHOT_FORMAT) throw new UserError(`${path} is not an unroll snapshot: its format is not "${SNAPSHOT_FORMAT}"`);
  if (head.version !== SNAPSHOT_VERSION) {
    throw new UserError(`${path} is a version ${JSON.stringify(head.version)} snapshot; this unroll reads version ${SNAPSHOT_VERSION}`);
  }
  const trainer = typeof head.trainer === "object" && head.trainer !== null ? (head.trainer as Record<string, unknown>) : {};
  if (trainer.version !== TRAINER_STATE_VERSION) throw new UserError(`${path} cannot be resumed: ${trainerStateVersionMessage(trainer.version)}`);
  const parsed = snapshotSchema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new UserError(`${path} is corrupt: ${fieldName(issue.path)}: ${issue.message}`);
  }
  if (!digestMatches(head)) throw new UserError(`${path} is corrupt: its content does not match its digest`);
  const { digest: _, settingsDigest, ...body } = parsed.data as SnapshotDocument;
  if (contentDigest(body.settings) !== settingsDigest) throw new UserError(`${path} is corrupt: its settings do not match their digest`);
  return body;
}

/**
 * Throws unless the snapshot was made on this model, data and settings,
 * naming the first thing that differs (and, for settings, both values).
 */
export function checkSnapshotMatches(path: string, s: Snapshot, now: Pick<Snapshot, "model" | "data" | "settings">): void {
  if (s.model !== now.model) throw new UserError(`${path} was made with another model (its content differs from --model's)`);
  if (s.data !== now.data) throw new UserError(`${path} was made with other data (its content differs from --data's)`);
  if (contentDigest(s.settings) === contentDigest(now.settings)) return;
  const names = [...new Set([...Object.keys(s.settings), ...Object.keys(now.settings)])].sort();
  const differ = names.filter((k) => contentDigest(s.settings[k] ?? null) !== contentDigest(now.settings[k] ?? null));
  if (differ.length > 0) {
    const show = (v: SettingValue | undefined): string => JSON.stringify(v ?? null);
    const list = differ.map((k) => `${k} ${show(s.settings[k])} there, ${show(now.settings[k])} here`).join("; ");
    throw new UserError(`${path} was made with other training settings: ${list}`);
  }
}
