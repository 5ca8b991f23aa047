/** Where in a run a value first became NaN or infinite. */
export interface NonFiniteSite {
  /** Id of the node whose output was first non-finite. */
  readonly node: string;
  /** Its op. */
  readonly op: string;
  /** Time step, counted from the start of the sequence. */
  readonly step: number;
  /** Stage of the program. */
  readonly stage: number;
  /** Forward or backward pass. */
  readonly pass: "forward" | "backward";
}

/** Training hit NaN or Infinity; names the op and the time step where it first appeared. */
export class NonFiniteError extends Error {
  /** The first non-finite value's origin. */
  readonly site: NonFiniteSite;
  constructor(site: NonFiniteSite, value: number) {
    super(
      `${value} first appeared in the ${site.pass} pass at time step ${site.step}, in node "${site.node}" (${site.op})` +
        `${site.stage > 0 ? ` of stage ${site.stage}` : ""}; lower the learning rate, clip gradients, or check the data`,
    );
    this.name = "NonFiniteError";
    this.site = site;
  }
}
