// Prints predicted vs true next values for the first wave, after `unroll run`.
import { readFileSync } from "node:fs";

const out = JSON.parse(readFileSync(process.argv[2], "utf8"));
const data = JSON.parse(readFileSync(new URL("./data.json", import.meta.url), "utf8"));
console.log("step  predicted  true");
for (let t = 40; t < 50; t++) console.log(`${String(t).padStart(4)}  ${out.outputs[t][0][0].toFixed(4).padStart(9)}  ${data.y[t][0][0].toFixed(4).padStart(7)}`);
console.log(`mse over all steps: ${out.loss.toFixed(5)}`);
