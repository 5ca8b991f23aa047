/**
 * A graph or model that cannot run, with the path of the field at fault
 * (for example `nodes[3].inputs[1]`) so that a person can fix it.
 */
export class GraphError extends Error {
  /** Path of the offending field inside the document, e.g. `nodes[3].inputs[1]`. */
  readonly path: string;
  constructor(path: string, message: string) {
    super(path ? `${path}: ${message}` : message);
    this.name = "GraphError";
    this.path = path;
  }
}

/** Raised by an op's shape rule; the validator adds the node's path and op. */
export class ShapeError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "ShapeError";
  }
}
