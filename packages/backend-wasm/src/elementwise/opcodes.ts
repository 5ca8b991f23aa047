// The WebAssembly opcodes the generated kernels use, by their names in the text format
// (core: https://webassembly.github.io/spec/core/binary/instructions.html; SIMD: the 0xFD-prefixed ones).

/** Value types and the empty block type. */
export const valueType = { i32: 0x7f, f32: 0x7d, v128: 0x7b, emptyBlock: 0x40 } as const;

/** A value type a generated function's parameters and locals have. */
export type ValueType = "i32" | "f32" | "v128";

/** One-byte opcodes of the core instruction set. */
export const op = {
  unreachable: 0x00,
  block: 0x02,
  loop: 0x03,
  if: 0x04,
  end: 0x0b,
  br: 0x0c,
  brIf: 0x0d,
  return: 0x0f,
  select: 0x1b,
  localGet: 0x20,
  localSet: 0x21,
  localTee: 0x22,
  f32Store: 0x38,
  i32Const: 0x41,
  i32Eqz: 0x45,
  i32LtU: 0x49,
  i32GeU: 0x4f,
  i32Add: 0x6a,
  i32Sub: 0x6b,
  i32RemU: 0x70,
  i32Shl: 0x74,
} as const;

/** The prefix byte of the bulk-memory instructions, and their codes after it (each then takes memory index bytes). */
export const BULK_PREFIX = 0xfc;
/** `memory.copy dst src bytes` (after {@link BULK_PREFIX}; then two memory indices). */
export const MEMORY_COPY = 0x0a;
/** `memory.fill dst byte bytes` (after {@link BULK_PREFIX}; then one memory index). */
export const MEMORY_FILL = 0x0b;

/** The prefix byte of the SIMD instructions, whose own opcode follows as an unsigned LEB128. */
export const SIMD_PREFIX = 0xfd;

/** SIMD opcodes (after {@link SIMD_PREFIX}). */
export const simd = {
  v128Load: 0x00,
  v128Load32Splat: 0x09,
  v128Store: 0x0b,
  v128Const: 0x0c,
  f32x4ExtractLane: 0x1f,
  f32x4Eq: 0x41,
  f32x4Ne: 0x42,
  f32x4Lt: 0x43,
  f32x4Gt: 0x44,
  f32x4Ge: 0x46,
  v128Not: 0x4d,
  v128And: 0x4e,
  v128Or: 0x50,
  v128Bitselect: 0x52,
  f32x4Nearest: 0x6a,
  i32x4Shl: 0xab,
  i32x4ShrS: 0xac,
  i32x4ShrU: 0xad,
  i32x4Add: 0xae,
  i32x4Sub: 0xb1,
  f32x4Abs: 0xe0,
  f32x4Neg: 0xe1,
  f32x4Sqrt: 0xe3,
  f32x4Add: 0xe4,
  f32x4Sub: 0xe5,
  f32x4Mul: 0xe6,
  f32x4Div: 0xe7,
  f32x4Min: 0xe8,
  f32x4Max: 0xe9,
  i32x4TruncSatF32x4S: 0xf8,
  f32x4ConvertI32x4S: 0xfa,
} as const;

/** A SIMD opcode. */
export type SimdOp = (typeof simd)[keyof typeof simd];
