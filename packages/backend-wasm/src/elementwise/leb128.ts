// LEB128, the variable-length integers of the WebAssembly binary format: 7 bits a byte, low bits first,
// the high bit set on every byte but the last.

/** The unsigned LEB128 bytes of `n` (0 ≤ n < 2^32): counts, sizes, indices, offsets. */
export function unsignedLeb(n: number): number[] {
  if (!Number.isInteger(n) || n < 0 || n > 0xffffffff) throw new RangeError(`unsigned LEB128 of ${n}: not a u32`);
  const bytes: number[] = [];
  do {
    const low = n % 128;
    n = Math.floor(n / 128);
    bytes.push(n > 0 ? low | 0x80 : low);
  } while (n > 0);
  return bytes;
}

/** The signed LEB128 bytes of `n` (-2^31 ≤ n < 2^32, taken mod 2^32 as an i32): the immediates of `i32.const`. */
export function signedLeb(n: number): number[] {
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0xffffffff) throw new RangeError(`signed LEB128 of ${n}: not an i32`);
  let v = n | 0;
  const bytes: number[] = [];
  for (;;) {
    const low = v & 0x7f;
    v >>= 7;
    // done when the rest is all sign bits and the sign bit of this byte agrees
    const done = (v === 0 && (low & 0x40) === 0) || (v === -1 && (low & 0x40) !== 0);
    bytes.push(done ? low : low | 0x80);
    if (done) return bytes;
  }
}
