/**
 * The element types of the safetensors format, as its header spells them. Listed in the
 * reference implementation's order (increasing alignment), which its writer sorts by.
 */
export const SAFETENSORS_DTYPES = ["BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"] as const;

/** An element type this package reads (the format's FP8 types are not among them). */
export type SafetensorsDtype = (typeof SAFETENSORS_DTYPES)[number];

/** The element types this package writes: floats, and I64 for integer data such as token ids. */
export type WritableSafetensorsDtype = "F32" | "F64" | "I64";

/** Bytes per element of each dtype. */
export const SAFETENSORS_DTYPE_SIZE: { readonly [D in SafetensorsDtype]: number } = {
  BOOL: 1,
  U8: 1,
  I8: 1,
  I16: 2,
  U16: 2,
  F16: 2,
  BF16: 2,
  I32: 4,
  U32: 4,
  F32: 4,
  F64: 8,
  I64: 8,
  U64: 8,
};

/** True for the integer and boolean dtypes, whose values must stay exact when read. */
export function isIntegerDtype(dtype: SafetensorsDtype): boolean {
  return dtype !== "F16" && dtype !== "BF16" && dtype !== "F32" && dtype !== "F64";
}

/** The rank of a dtype in the reference order, for sorting tensors as its writer does. */
export function dtypeRank(dtype: SafetensorsDtype): number {
  return SAFETENSORS_DTYPES.indexOf(dtype);
}

/** True when `value` names a dtype this package reads. */
export function isSafetensorsDtype(value: unknown): value is SafetensorsDtype {
  return typeof value === "string" && (SAFETENSORS_DTYPES as readonly string[]).includes(value);
}
