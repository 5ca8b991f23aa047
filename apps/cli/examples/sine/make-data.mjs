// Writes data.json: 8 noisy sine waves of different phase and frequency, 60 steps each;
// the target at step t is the clean wave at t+1 (one-step-ahead prediction).
import { writeFileSync } from "node:fs";

let s = 7;
const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
const T = 60,
  B = 8;
const waves = Array.from({ length: B }, () => ({ phase: rand() * 2 * Math.PI, freq: 0.15 + 0.15 * rand() }));
const clean = (b, t) => Math.sin(waves[b].freq * t + waves[b].phase);
const round = (v) => Math.round(v * 1e4) / 1e4;
const x = Array.from({ length: T }, (_, t) => waves.map((_, b) => [round(clean(b, t) + 0.05 * (rand() * 2 - 1))]));
const y = Array.from({ length: T }, (_, t) => waves.map((_, b) => [round(clean(b, t + 1))]));
writeFileSync(new URL("./data.json", import.meta.url), JSON.stringify({ x, y }) + "\n");
