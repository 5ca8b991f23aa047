import { SafetensorsError } from "./safetensors-error.js";

/** True on a little-endian host, where typed arrays share the byte order of safetensors files. */
const LITTLE_ENDIAN_HOST = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * Refuses to run on a big-endian host: safetensors bytes are little-endian and the codec
 * views them through typed arrays, which use the host's order.
 */
export function requireLittleEndianHost(): void {
  if (!LITTLE_ENDIAN_HOST) throw new SafetensorsError("this host is big-endian; the safetensors codec needs a little-endian host");
}
