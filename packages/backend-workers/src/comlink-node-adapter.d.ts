// comlink 4.4.2 ships this module without a .d.mts, and its UMD twin is typed
// as an ES default export it does not have under NodeNext; re-type it here.
declare module "comlink/dist/esm/node-adapter.mjs" {
  import type { Endpoint } from "comlink";
  /** The subset of a Node `Worker` or `MessagePort` the adapter uses. */
  interface NodeEndpoint {
    postMessage(message: unknown, transfer?: readonly unknown[]): void;
    on(type: string, listener: (value: unknown) => void): void;
    off(type: string, listener: (value: unknown) => void): void;
    start?: () => void;
  }
  /** Wraps a Node worker or port as a comlink endpoint. */
  export default function nodeEndpoint(nep: NodeEndpoint): Endpoint;
}
