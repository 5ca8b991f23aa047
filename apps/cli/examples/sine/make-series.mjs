// Writes series.csv: 8 noisy sine waves of different phase, frequency and length (40 to 60 steps), one row per step,
// the "wave" column naming the sequence each row belongs to. Read it with --sequence-col wave --input-cols value
// --target-shift 1: predict the next value; the shorter waves are padded and masked.
import { writeFileSync } from "node:fs";

let s = 11;
const rand = () => (s = (s * 1664525 + 1013904223) >>> 0) / 2 ** 32;
const round = (v) => Math.round(v * 1e4) / 1e4;
const lines = ["wave,step,value"];
for (let w = 0; w < 8; w++) {
  const phase = rand() * 2 * Math.PI;
  const freq = 0.15 + 0.15 * rand();
  const steps = 40 + Math.floor(rand() * 21);
  for (let t = 0; t < steps; t++) lines.push(`w${w},${t},${round(Math.sin(freq * t + phase) + 0.05 * (rand() * 2 - 1))}`);
}
writeFileSync(new URL("./series.csv", import.meta.url), lines.join("\n") + "\n");
