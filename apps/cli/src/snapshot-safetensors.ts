import { createHash } from "node:crypto";
import { loadNumber, saveNumbers, type SavedNumber } from "@unroll/bptt";
import type { Tensor } from "@unroll/ir";
import { decodeSafetensors, encodeSafetensors } from "@unroll/interop";

/*
 * A snapshot as safetensors: the parameters and the optimizer's buffers (nearly all of a
 * snapshot's numbers) are tensors in the body, named `trainer.params.<param>` and
 * `trainer.optimizer.buffers.<buffer>.<param>`; everything else is the snapshot's JSON
 * document in `__metadata__.document`, with empty `data` arrays where those tensors go.
 * `__metadata__.digest` is the sha256 of that text and of every tensor's values.
 */

/** The JSON document of a snapshot as far as this file needs to know it (the rest is checked by the snapshot's schema). */
interface DocumentShape {
  readonly trainer: {
    readonly dtype: string;
    readonly params: Record<string, { readonly shape: readonly number[]; readonly data: readonly SavedNumber[] }>;
    readonly optimizer: { readonly buffers: Record<string, Record<string, readonly SavedNumber[]>> };
  };
}

const paramTensor = (param: string): string => `trainer.params.${param}`;
const bufferTensor = (buffer: string, param: string): string => `trainer.optimizer.buffers.${buffer}.${param}`;

/** sha256 of the document's text and of each tensor (by name, in name order) as float64 values. */
function digestOf(text: string, tensors: Readonly<Record<string, Tensor>>): string {
  const hash = createHash("sha256").update(text);
  for (const name of Object.keys(tensors).sort()) {
    const values = tensors[name].data instanceof Float64Array ? tensors[name].data : Float64Array.from(tensors[name].data);
    hash.update(`\0${name}\0`).update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength));
  }
  return hash.digest("hex");
}

/**
 * A snapshot document (the JSON value of a snapshot file, without its `digest`) as
 * safetensors bytes: the parameters in the trainer's precision, the optimizer's
 * buffers in float64, exactly.
 */
export function snapshotDocumentToSafetensors(document: DocumentShape & Record<string, unknown>): Uint8Array {
  const { trainer } = document;
  const tensors: Record<string, Tensor> = {};
  const put = (name: string, shape: readonly number[], values: readonly SavedNumber[], float32: boolean): void => {
    // buffer and parameter names may hold dots: two pairs must not meet in one name
    if (Object.hasOwn(tensors, name)) throw new Error(`the snapshot's tensor name "${name}" is ambiguous`);
    const data = float32 ? new Float32Array(values.length) : new Float64Array(values.length);
    for (let i = 0; i < values.length; i++) data[i] = loadNumber(values[i]);
    tensors[name] = { shape: [...shape], data };
  };
  const params = Object.fromEntries(
    Object.entries(trainer.params).map(([p, t]) => {
      put(paramTensor(p), t.shape, t.data, trainer.dtype === "float32");
      return [p, { shape: t.shape, data: [] }];
    }),
  );
  const buffers = Object.fromEntries(
    Object.entries(trainer.optimizer.buffers).map(([b, byParam]) => [
      b,
      Object.fromEntries(
        Object.entries(byParam).map(([p, values]) => {
          put(bufferTensor(b, p), [values.length], values, false);
          return [p, []];
        }),
      ),
    ]),
  );
  const text = JSON.stringify({ ...document, trainer: { ...trainer, params, optimizer: { ...trainer.optimizer, buffers } } });
  return encodeSafetensors(tensors, { metadata: { document: text, digest: digestOf(text, tensors) } });
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The snapshot document in safetensors bytes, its tensors put back in place (as
 * saved numbers), with its `digest` from the file and whether that digest matches
 * the content. A file with no document gives an empty one (not a snapshot). Throws
 * when the file is not safetensors, or when a tensor is missing, extra or misshapen.
 */
export function snapshotDocumentFromSafetensors(bytes: Uint8Array): { document: unknown; digestMatches: boolean } {
  // float64 holds the float32 parameters and the float64 buffers exactly
  const { tensors, metadata } = decodeSafetensors(bytes, { dtype: "float64" });
  if (metadata.document === undefined) return { document: {}, digestMatches: false };
  let document: unknown;
  try {
    document = JSON.parse(metadata.document);
  } catch (e) {
    throw new Error(`its __metadata__.document is not valid JSON (${(e as Error).message})`, { cause: e });
  }
  const digestMatches = digestOf(metadata.document, tensors) === metadata.digest;
  const used = new Set<string>();
  // a parameter's shape is in the document; a buffer is a flat list
  const take = (name: string, shape: unknown): SavedNumber[] => {
    if (!Object.hasOwn(tensors, name)) throw new Error(`tensor "${name}" is missing`);
    const t = tensors[name];
    const fits = shape === undefined ? t.shape.length === 1 : JSON.stringify(t.shape) === JSON.stringify(shape);
    if (!fits)
      throw new Error(`tensor "${name}" has shape [${t.shape.join(", ")}] but the document needs ${shape === undefined ? "a list" : JSON.stringify(shape)}`);
    used.add(name);
    return saveNumbers(t.data);
  };
  // malformed parts are left as they are for the snapshot's schema to name
  const trainer = isObject(document) ? document.trainer : undefined;
  if (isObject(trainer) && isObject(trainer.params)) {
    for (const [p, t] of Object.entries(trainer.params)) if (isObject(t)) t.data = take(paramTensor(p), t.shape ?? null);
  }
  const buffers = isObject(trainer) && isObject(trainer.optimizer) ? trainer.optimizer.buffers : undefined;
  if (isObject(buffers)) {
    for (const [b, byParam] of Object.entries(buffers)) {
      if (!isObject(byParam)) continue;
      for (const [p, values] of Object.entries(byParam)) {
        if (Array.isArray(values)) byParam[p] = take(bufferTensor(b, p), undefined);
      }
    }
  }
  const extra = Object.keys(tensors).find((name) => !used.has(name));
  if (extra !== undefined) throw new Error(`tensor "${extra}" is not part of the snapshot's document`);
  return { document: isObject(document) ? { ...document, digest: metadata.digest } : document, digestMatches };
}
