/** A backend name or spec that names no backend of the registry, or gives it an argument it does not take. */
export class BackendSpecError extends Error {
  /** The error's name, for messages and logs. */
  override readonly name = "BackendSpecError";
}
