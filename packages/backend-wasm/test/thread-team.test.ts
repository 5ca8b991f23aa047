import { afterEach, describe, expect, it } from "vitest";
import { compileGemm } from "@unroll/kernels-wasm";
import { wasm } from "./chain-harness.js";
import { startThread, ThreadFailure, ThreadTeam, type TeamThread, type ThreadTeamOptions } from "../src/index.js";

const PAGE = 65536;
const { module: gemm } = compileGemm(undefined, "shared");
const teams: ThreadTeam[] = [];

afterEach(async () => {
  await Promise.all(teams.splice(0).map((t) => t.terminate()));
});

/** A team of the lead and one worker on a fresh shared memory of `pages` pages (workspace at 1 MiB, operands after 8 MiB). */
async function team(options: Partial<ThreadTeamOptions> = {}, pages = 1024): Promise<{ team: ThreadTeam; memory: { readonly buffer: ArrayBufferLike } }> {
  const memory = new wasm.Memory({ initial: pages, maximum: pages, shared: true });
  const t = await ThreadTeam.start({ memory, gemm, control: PAGE, threads: 2, hangTimeoutMs: 2000, ...options });
  teams.push(t);
  return { team: t, memory };
}

const WS = 1 << 20;
const OPERANDS = 8 << 20;

describe("ThreadTeam: workers on one shared memory, jobs through Atomics", () => {
  it("a worker computes its part of a product in the shared memory", async () => {
    const { team: t, memory } = await team();
    const [m, n, k] = [5, 12, 7];
    const f = new Float32Array(memory.buffer, OPERANDS, m * k + k * n + m * n);
    for (let i = 0; i < m * k + k * n; i++) f[i] = ((i * 7) % 11) - 5;
    const [a, b, c] = [OPERANDS, OPERANDS + 4 * m * k, OPERANDS + 4 * (m * k + k * n)];
    t.postGemm(1, [0, m, n, k, a, k, b, n, c, n], 1, 0, WS);
    t.join([1], "a test product");
    for (let i = 0; i < m; i++)
      for (let j = 0; j < n; j++) {
        let s = 0;
        for (let p = 0; p < k; p++) s += f[i * k + p] * f[m * k + p * n + j];
        expect(f[m * k + k * n + i * n + j]).toBe(s); // small integers: exact
      }
    expect(t.waits.jobs).toBe(1);
  });

  it("a job that traps fails the join with the worker's message, and the team is broken", async () => {
    const { team: t } = await team();
    t.postGemm(1, [0, 64, 64, 64, 0x7ff00000, 64, 0, 64, 0, 64], 1, 0, WS);
    expect(() => t.join([1], "a bad product")).toThrow(
      new ThreadFailure("wasm thread 2 of 2 failed in a bad product: RuntimeError: memory access out of bounds"),
    );
    expect(t.broken).toBeInstanceOf(ThreadFailure);
    expect(() => t.postGemm(1, [0, 1, 1, 1, 0, 1, 0, 1, 0, 1], 1, 0, WS)).toThrow(ThreadFailure);
  });

  it("a worker that does not finish within hangTimeoutMs fails the join within it, saying so", async () => {
    const { team: t } = await team({ hangTimeoutMs: 50 }, 2048);
    // 2·2048³ flops: far beyond 50 ms on one thread
    const s = 2048 * 2048 * 4;
    t.postGemm(1, [0, 2048, 2048, 2048, OPERANDS, 2048, OPERANDS + s, 2048, OPERANDS + 2 * s, 2048], 1, 0, WS);
    const t0 = performance.now();
    expect(() => t.join([1], "a long product")).toThrow(
      /^wasm thread 2 of 2 did not finish a long product within 50 ms \(hung or crashed\); the threads are restarted before the next call$/,
    );
    expect(performance.now() - t0).toBeLessThan(1000);
    await t.terminate(); // stops it mid-product
  });

  it("a worker that died fails the next join within hangTimeoutMs", async () => {
    const started: TeamThread[] = [];
    const { team: t } = await team({
      hangTimeoutMs: 200,
      startThread: (name) => {
        const w = startThread(name);
        started.push(w);
        return w;
      },
    });
    await started[0].terminate();
    t.postGemm(1, [0, 4, 8, 4, OPERANDS, 4, OPERANDS + 64, 8, OPERANDS + 256, 8], 1, 0, WS);
    const t0 = performance.now();
    expect(() => t.join([1], "a product")).toThrow(/did not finish a product within 200 ms/);
    expect(performance.now() - t0).toBeLessThan(1500);
  });
});
