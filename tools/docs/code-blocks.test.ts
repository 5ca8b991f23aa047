import { describe, expect, it } from "vitest";
import { codeBlocks, normalizeOutput, roleOf } from "./src/code-blocks.js";

describe("codeBlocks and roleOf (how the guide test reads a guide)", () => {
  const md = [
    "# T",
    "",
    "```ts",
    "console.log(1);",
    "```",
    "",
    "1. item",
    "",
    "   ```sh excerpt",
    "   unroll run",
    "   ```",
    "",
    "```text output",
    "1  ",
    "```",
    "",
  ].join("\n");

  it("finds every fenced block with its language, flags, code and line; indented fences lose their indentation", () => {
    expect(codeBlocks(md)).toEqual([
      { lang: "ts", flags: [], code: "console.log(1);\n", line: 3 },
      { lang: "sh", flags: ["excerpt"], code: "unroll run\n", line: 9 },
      { lang: "text", flags: ["output"], code: "1  \n", line: 13 },
    ]);
  });

  it("gives each block its role", () => {
    expect(codeBlocks(md).map(roleOf)).toEqual([{ kind: "run", runner: "ts" }, { kind: "excerpt" }, { kind: "output" }]);
    expect(roleOf({ lang: "json", flags: ["file=model.json"], code: "{}\n", line: 1 })).toEqual({ kind: "file", name: "model.json" });
    expect(roleOf({ lang: "text", flags: [], code: "x\n", line: 1 })).toEqual({ kind: "shown" });
  });

  it("rejects a block that says nothing about itself: no language, an unknown flag, a non-text output", () => {
    expect(() => roleOf({ lang: "", flags: [], code: "x\n", line: 7 })).toThrow(/line 7: a code block with no language/);
    expect(() => roleOf({ lang: "ts", flags: ["skip"], code: "x\n", line: 2 })).toThrow(/unknown flags/);
    expect(() => roleOf({ lang: "json", flags: ["output"], code: "x\n", line: 2 })).toThrow(/```text output/);
  });

  it("rejects a fence that is never closed", () => {
    expect(() => codeBlocks("```ts\nx\n")).toThrow(/never closed/);
  });

  it("compares output without trailing spaces and blank lines", () => {
    expect(normalizeOutput("a  \nb\n\n")).toBe("a\nb");
  });
});
