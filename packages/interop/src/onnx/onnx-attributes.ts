import { OnnxAttributeType, type OnnxAttribute, type OnnxGraph, type OnnxNode, type OnnxTensor } from "./onnx-messages.js";

const text = new TextEncoder();
const untext = new TextDecoder();

/** Attribute builders, one per ONNX attribute type, for writing nodes. */
export const attr = {
  /** An INT attribute. */
  int: (name: string, i: number): OnnxAttribute => ({ name, type: OnnxAttributeType.INT, i }),
  /** A FLOAT attribute. */
  float: (name: string, f: number): OnnxAttribute => ({ name, type: OnnxAttributeType.FLOAT, f }),
  /** A STRING attribute. */
  string: (name: string, s: string): OnnxAttribute => ({ name, type: OnnxAttributeType.STRING, s: text.encode(s) }),
  /** An INTS attribute. */
  ints: (name: string, ints: readonly number[]): OnnxAttribute => ({ name, type: OnnxAttributeType.INTS, ints: [...ints] }),
  /** A FLOATS attribute. */
  floats: (name: string, floats: readonly number[]): OnnxAttribute => ({ name, type: OnnxAttributeType.FLOATS, floats: [...floats] }),
  /** A STRINGS attribute. */
  strings: (name: string, strings: readonly string[]): OnnxAttribute => ({
    name,
    type: OnnxAttributeType.STRINGS,
    strings: strings.map((s) => text.encode(s)),
  }),
  /** A TENSOR attribute. */
  tensor: (name: string, t: OnnxTensor): OnnxAttribute => ({ name, type: OnnxAttributeType.TENSOR, t }),
  /** A GRAPH attribute (a `Scan` body). */
  graph: (name: string, g: OnnxGraph): OnnxAttribute => ({ name, type: OnnxAttributeType.GRAPH, g }),
};

/** How error messages name a node: `node "lstm_1" (LSTM)`, or its position when it has no name. */
export function describeNode(node: OnnxNode, index?: number): string {
  const name = node.name ? `"${node.name}"` : index === undefined ? "(unnamed)" : `#${index}`;
  return `node ${name} (${node.opType ?? "?"})`;
}

/**
 * Typed reads of a node's attributes. Each getter returns the default when the attribute is absent and throws an
 * error naming the node and the attribute when it has another type.
 */
export function attributesOf(node: OnnxNode, index?: number) {
  const byName = new Map((node.attribute ?? []).map((a) => [a.name ?? "", a]));
  const get = (name: string, type: number, typeName: string): OnnxAttribute | undefined => {
    const a = byName.get(name);
    if (a && a.type !== undefined && a.type !== type) throw new Error(`${describeNode(node, index)}: attribute "${name}" must be ${typeName}`);
    return a;
  };
  return {
    /** The names of the attributes present. */
    names: (): string[] => [...byName.keys()],
    /** An INT attribute. */
    int: (name: string, fallback?: number): number | undefined => get(name, OnnxAttributeType.INT, "an int")?.i ?? fallback,
    /** A FLOAT attribute. */
    float: (name: string, fallback?: number): number | undefined => get(name, OnnxAttributeType.FLOAT, "a float")?.f ?? fallback,
    /** A STRING attribute. */
    string: (name: string, fallback?: string): string | undefined => {
      const s = get(name, OnnxAttributeType.STRING, "a string")?.s;
      return s ? untext.decode(s) : fallback;
    },
    /** An INTS attribute. */
    ints: (name: string): number[] | undefined => get(name, OnnxAttributeType.INTS, "a list of ints")?.ints,
    /** A FLOATS attribute. */
    floats: (name: string): number[] | undefined => get(name, OnnxAttributeType.FLOATS, "a list of floats")?.floats,
    /** A STRINGS attribute. */
    strings: (name: string): string[] | undefined => get(name, OnnxAttributeType.STRINGS, "a list of strings")?.strings?.map((s) => untext.decode(s)),
    /** A TENSOR attribute. */
    tensor: (name: string): OnnxTensor | undefined => get(name, OnnxAttributeType.TENSOR, "a tensor")?.t,
    /** A GRAPH attribute. */
    graph: (name: string): OnnxGraph | undefined => get(name, OnnxAttributeType.GRAPH, "a graph")?.g,
  };
}
