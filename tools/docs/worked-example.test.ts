// The worked example of docs/guides/training-through-time.md: the guide test checks that each of its four programs prints
// what the guide shows; this checks that what the guide shows agrees: the engine's gradients (full BPTT, truncated BPTT and
// RTRL) equal those of the plain loops, line for line, and so do its delta norms.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { codeBlocks } from "./src/code-blocks.js";
import { repoRoot } from "./src/source-pages.js";

const outputs = codeBlocks(readFileSync(join(repoRoot, "docs/guides/training-through-time.md"), "utf8"))
  .filter((b) => b.lang === "text" && b.flags.includes("output"))
  .map((b) => b.code);

/** The sections of a printout, by heading line ("full BPTT: loss …"), each the lines under it up to the next heading. */
function sections(text: string): Map<string, string[]> {
  const found = new Map<string, string[]>();
  let current: string[] | undefined;
  for (const line of text.trim().split("\n")) {
    const heading = /^([^:]+): loss (\S+)$/.exec(line);
    if (heading) found.set(heading[1], (current = [`loss ${heading[2]}`]));
    else if (current && /^(W_in|W_re|b|W_out) /.test(line)) current.push(line);
  }
  return found;
}

describe("the worked example of training-through-time.md", () => {
  it("shows four printouts: the hand BPTT loops, the hand RTRL loop, the engine, the delta norms", () => {
    expect(outputs).toHaveLength(4);
  });

  const [hand, handRtrl, engine, flow] = outputs;

  it("the engine's delta norms are the hand loop's, for every window of full and truncated BPTT", () => {
    const lines = flow.trim().split("\n");
    expect(lines).toHaveLength(3);
    for (const line of lines) {
      const [, engineNorms, handNorms] = /engine ([\d. ]+) \| by hand ([\d. ]+)$/.exec(line) ?? [];
      expect(engineNorms, line).toBeDefined();
      expect(engineNorms.trim(), line).toBe(handNorms.trim());
    }
  });

  it("the engine's loss and gradients under full and truncated BPTT are the hand loop's", () => {
    const byHand = sections(hand);
    const byEngine = sections(engine);
    for (const method of ["full BPTT", "truncated BPTT, windows of 2"]) {
      expect(byHand.get(method)?.length, method).toBe(5);
      expect(byEngine.get(method), method).toEqual(byHand.get(method));
    }
  });

  it("RTRL's gradients, by hand and from the engine, are full BPTT's", () => {
    const full = sections(hand)
      .get("full BPTT")!
      .filter((l) => !/^(loss|W_out)/.test(l));
    const rtrlByHand = handRtrl.trim().split("\n");
    expect(rtrlByHand).toEqual(full);
    expect(sections(engine).get("RTRL")).toEqual(sections(hand).get("full BPTT"));
  });
});
