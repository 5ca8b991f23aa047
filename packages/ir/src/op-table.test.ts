import { readFileSync, writeFileSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { opKinds, ops } from "./ops/index.js";
import { withOpTable } from "./op-table.js";

const DOC = new URL("../../../docs/guides/graph-ir.md", import.meta.url);

describe("the op table in docs/guides/graph-ir.md", () => {
  it("is generated from the op definitions (`npm run docs:ops` rewrites it)", () => {
    const text = readFileSync(DOC, "utf8");
    const want = withOpTable(text);
    // `npm run docs:ops` runs this test with WRITE_OP_TABLE set
    if (process.env.WRITE_OP_TABLE && want !== text) writeFileSync(DOC, want);
    else expect(text, "docs/guides/graph-ir.md's op table is stale: run `npm run docs:ops`").toBe(want);
  });

  it("lists each group's ops together, as the union does", () => {
    const groups = opKinds.map((op) => ops[op].doc.group).filter((g, i, all) => g !== all[i - 1]);
    expect(new Set(groups).size).toBe(groups.length);
  });
});
