import type { CheckedProgram } from "@unroll/ir";

/** The parts of a model document that set the parameters' sizes. */
interface SizedDocument {
  readonly format?: unknown;
  readonly input?: number;
  readonly layers?: readonly { readonly hidden: number; readonly bidirectional?: boolean }[];
  readonly head?: { readonly units: number };
  readonly params?: readonly { readonly id: string }[];
  readonly stages?: readonly { readonly graph: { readonly params: readonly { readonly id: string }[] } }[];
}

/**
 * The field of a checked model document that sets the size of parameter
 * `name`, for messages: in a model spec the wider of a layer's (or the head's)
 * own width and its input's (`layers[1].hidden`, `input`, `head.units`); in a
 * graph or program the parameter's declared shape (`stages[0].graph.params[2].shape`).
 */
export function paramSizeField(doc: unknown, program: CheckedProgram, name: string): string {
  const d = doc as SizedDocument;
  if (d.format === "unroll.graph/1") return `params[${d.params!.findIndex((p) => p.id === name)}].shape`;
  if (d.format === "unroll.program/1") {
    const s = d.stages!.findIndex((st) => st.graph.params.some((p) => p.id === name));
    return `stages[${s}].graph.params[${d.stages![s].graph.params.findIndex((p) => p.id === name)}].shape`;
  }
  const layers = d.layers!;
  // the width each layer reads: the input, then the layer below's output (2H when bidirectional)
  const inputOf = (k: number): [string, number] =>
    k === 0 ? ["input", d.input!] : [`layers[${k - 1}].hidden`, layers[k - 1].hidden * (layers[k - 1].bidirectional ? 2 : 1)];
  const wider = (a: [string, number], b: [string, number]): string => (a[1] >= b[1] ? a[0] : b[0]);
  const layer = /^layers\.(\d+)\./.exec(name);
  if (layer) {
    const k = Number(layer[1]);
    return wider([`layers[${k}].hidden`, layers[k].hidden], inputOf(k));
  }
  if (name.startsWith("head.")) return wider(["head.units", d.head!.units], inputOf(layers.length));
  return Object.keys(program.params).includes(name) ? name : "";
}
