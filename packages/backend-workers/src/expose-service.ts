import { expose, transfer, type Endpoint } from "comlink";
import type { WorkerApi } from "./protocol.js";
import { transferables, WorkerService } from "./worker-service.js";

/**
 * Serves a {@link WorkerApi} over a comlink endpoint from inside a worker
 * (the global scope of a Web Worker when `endpoint` is omitted). Results that
 * come back by value (no shared memory) are transferred, not copied.
 */
export function exposeWorkerService(endpoint?: Endpoint, service: WorkerApi = new WorkerService()): void {
  const api: WorkerApi = {
    ping: () => service.ping(),
    load: (id, program, dtype, memoryBudget) => service.load(id, program, dtype, memoryBudget),
    unload: (id) => service.unload(id),
    run: async (job) => {
      const reply = await service.run(job);
      return reply.ok && reply.results ? transfer(reply, transferables(reply.results)) : reply;
    },
  };
  expose(api, endpoint);
}
