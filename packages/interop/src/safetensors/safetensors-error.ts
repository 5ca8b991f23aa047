/**
 * A safetensors file or tensor set that cannot be read or written. The message names
 * the tensor at fault (when there is one) and the figures that disagree.
 */
export class SafetensorsError extends Error {
  /** The tensor at fault, or `undefined` when the fault is in the file as a whole (its header). */
  readonly tensor: string | undefined;
  constructor(message: string, tensor?: string) {
    super(tensor === undefined ? `safetensors: ${message}` : `safetensors: tensor "${tensor}": ${message}`);
    this.name = "SafetensorsError";
    this.tensor = tensor;
  }
}
