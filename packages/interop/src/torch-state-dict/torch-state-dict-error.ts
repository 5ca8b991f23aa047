/**
 * A state_dict that does not fit the PyTorch modules it is read as, or a model PyTorch's
 * modules cannot express. The message names the key or the model field at fault and the shapes.
 */
export class TorchStateDictError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "TorchStateDictError";
  }
}
