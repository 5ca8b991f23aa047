// The Web Worker entry: serves the pool's calls on the worker's global scope.
import { exposeWorkerService } from "./expose-service.js";

exposeWorkerService();
