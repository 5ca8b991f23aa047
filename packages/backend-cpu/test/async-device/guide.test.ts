import { readFileSync } from "node:fs";
import { describe, expect, it } from "vitest";

const read = (path: string): string => readFileSync(new URL(path, import.meta.url), "utf8");

describe("docs/guides/writing-a-backend.md", () => {
  const guide = read("../../../../docs/guides/writing-a-backend.md");
  const example = read("./async-host-device.ts");

  it("shows the async-host device exactly as the file the conformance kit runs", () => {
    expect(guide).toContain("```ts\n" + example + "```");
  });

  it("states the example's true line count", () => {
    const lines = example.trimEnd().split("\n").length;
    expect(guide).toContain(`It is ${lines} lines`);
  });
});
