import { unsignedLeb } from "./leb128.js";
import { valueType, type ValueType } from "./opcodes.js";
import type { FunctionBody } from "./function-body.js";

/** The memory a module imports as `env.memory`: its limits in 64 KiB pages, and whether it is shared (threads). */
export interface ImportedMemory {
  /** Whether the memory is a shared one (`new WebAssembly.Memory({ shared: true, ... })`). */
  readonly shared: boolean;
  /** Its initial size in pages. */
  readonly initialPages: number;
  /** Its maximum size in pages (a shared memory must declare one). */
  readonly maximumPages: number;
}

/** A function the module exports under `name`, with i32/f32/v128 parameters and no result. */
export interface ExportedFunction {
  /** The export name. */
  readonly name: string;
  /** Its parameter types. */
  readonly params: readonly ValueType[];
  /** Its body. */
  readonly body: FunctionBody;
}

const MAGIC_AND_VERSION = [0x00, 0x61, 0x73, 0x6d, 0x01, 0x00, 0x00, 0x00];
const section = { type: 1, import: 2, function: 3, export: 7, code: 10 } as const;
const FUNC_TYPE = 0x60;
const MEMORY_KIND = 0x02;
const FUNC_KIND = 0x00;
// limits flags: a minimum and a maximum, and the shared bit (threads proposal)
const LIMITS_MIN_MAX = 0x01;
const LIMITS_MIN_MAX_SHARED = 0x03;

const vector = (items: readonly number[][]): number[] => [...unsignedLeb(items.length), ...items.flat()];
const sized = (bytes: readonly number[]): number[] => [...unsignedLeb(bytes.length), ...bytes];
const utf8 = (s: string): number[] => sized([...new TextEncoder().encode(s)]);

/**
 * The binary of a module that imports one memory (`env.memory`) and exports
 * functions: type, import, function, export and code sections, nothing else.
 * Functions of the same signature share one type.
 */
export function encodeModule(memory: ImportedMemory, functions: readonly ExportedFunction[]): Uint8Array {
  const signatures: string[] = [];
  const typeOf = functions.map((f) => {
    const key = f.params.join(",");
    const k = signatures.indexOf(key);
    return k >= 0 ? k : signatures.push(key) - 1;
  });
  const types = signatures.map((key) => {
    const params = key === "" ? [] : (key.split(",") as ValueType[]);
    return [FUNC_TYPE, ...vector(params.map((t) => [valueType[t]])), ...vector([])];
  });
  const limits = [memory.shared ? LIMITS_MIN_MAX_SHARED : LIMITS_MIN_MAX, ...unsignedLeb(memory.initialPages), ...unsignedLeb(memory.maximumPages)];
  const imports = [[...utf8("env"), ...utf8("memory"), MEMORY_KIND, ...limits]];
  const exports = functions.map((f, k) => [...utf8(f.name), FUNC_KIND, ...unsignedLeb(k)]);
  const bodies = functions.map((f) => sized(f.body.encode()));
  const sections = [
    [section.type, ...sized(vector(types))],
    [section.import, ...sized(vector(imports))],
    [section.function, ...sized(vector(typeOf.map((t) => unsignedLeb(t))))],
    [section.export, ...sized(vector(exports))],
    [section.code, ...sized(vector(bodies))],
  ];
  return Uint8Array.from([...MAGIC_AND_VERSION, ...sections.flat()]);
}
