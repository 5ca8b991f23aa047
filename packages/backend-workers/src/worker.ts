// The worker_threads entry: serves the pool's calls on the parent port.
import { parentPort } from "node:worker_threads";
import nodeEndpoint from "comlink/dist/esm/node-adapter.mjs";
import { exposeWorkerService } from "./expose-service.js";

if (!parentPort) throw new Error("@unroll/backend-workers: worker.js must run in a worker thread");
exposeWorkerService(nodeEndpoint(parentPort));
