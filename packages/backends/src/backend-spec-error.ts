/** A backend name or spec that names no backend of the registry, or gives it an argument it does not take. */
export class BackendSpecError extends Error {
  override readonly name = "BackendSpecError";
}
