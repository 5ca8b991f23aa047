/** A signal raised by Ctrl-C, and how to stop listening. */
export interface Interrupt {
  /** Aborted at the first SIGINT. */
  readonly signal: AbortSignal;
  /** Restores the default SIGINT behaviour. */
  dispose(): void;
}

/**
 * Turns the first Ctrl-C (SIGINT) into a request to stop: training ends after
 * the current step and still prints its summary, saves and reports. A second
 * Ctrl-C quits at once with status 130.
 */
export function onInterrupt(notice: () => void): Interrupt {
  const controller = new AbortController();
  const handler = (): void => {
    if (controller.signal.aborted) process.exit(130);
    controller.abort();
    notice();
  };
  process.on("SIGINT", handler);
  return { signal: controller.signal, dispose: () => void process.off("SIGINT", handler) };
}
