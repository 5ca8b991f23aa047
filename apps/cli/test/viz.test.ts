import { existsSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { DOMParser, type Document } from "@xmldom/xmldom";
import { describe, expect, it } from "vitest";
import { runCli } from "./run-cli.js";

const dir = mkdtempSync(join(tmpdir(), "unroll-viz-"));
const file = (name: string, value: unknown): string => {
  const p = join(dir, name);
  writeFileSync(p, JSON.stringify(value));
  return p;
};
const model = file("model.json", { input: 2, layers: [{ cell: "lstm", hidden: 3 }], head: { units: 2, activation: "softmax" }, loss: "cross_entropy" });
const bidirectional = file("bi.json", {
  input: 1,
  layers: [{ cell: "rnn", hidden: 2, bidirectional: true }],
  head: { units: 1, activation: "linear" },
  loss: "mse",
});

/** Parses XML with xmldom, failing on any error or warning (and on a bare `&`, which xmldom lets through). */
function parse(text: string, mime: "image/svg+xml" | "application/xhtml+xml"): Document {
  expect(text).not.toMatch(/&(?!(#\d+|lt|gt|amp|quot|apos);)/);
  return new DOMParser({
    onError: (level, message) => {
      throw new Error(`${level}: ${message}`);
    },
  }).parseFromString(text, mime);
}

const count = (doc: Document, cls: string): number =>
  Array.from(doc.getElementsByTagName("*")).filter((el) => (el.getAttribute("class") ?? "").split(" ").includes(cls)).length;

describe("unroll viz", () => {
  it("draws the step graph as SVG, atomically, and says what it wrote", () => {
    const out = join(dir, "step.svg");
    const r = runCli(["viz", "--model", model, "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(`wrote ${out}: Step graph of model.json\n`);
    const doc = parse(readFileSync(out, "utf8"), "image/svg+xml");
    expect(doc.documentElement!.localName).toBe("svg");
    expect(count(doc, "box-carry")).toBe(2);
    expect(count(doc, "edge-update")).toBe(2);
    expect(count(doc, "role-loss")).toBe(1);
    // write-file-atomic renames a temporary file into place: nothing else is left behind
    expect(readdirSync(dir).filter((f) => f.startsWith("step.svg"))).toEqual(["step.svg"]);
  });

  it("--out - writes the same SVG to standard output, and nothing else", () => {
    const r = runCli(["viz", "--model", model, "--out", "-"]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    expect(r.stdout).toBe(readFileSync(join(dir, "step.svg"), "utf8"));
    expect(parse(r.stdout, "image/svg+xml").documentElement!.localName).toBe("svg");
  });

  it("--window with truncation and checkpoints draws the unrolled window, in a standalone HTML page", () => {
    const out = join(dir, "window.html");
    const r = runCli(["viz", "--model", model, "--window", "9", "--truncate", "3", "--checkpoint", "2", "--out", out]);
    expect(r.stderr).toBe("");
    expect(r.status).toBe(0);
    const page = readFileSync(out, "utf8");
    expect(page.startsWith("<!DOCTYPE html>")).toBe(true);
    const doc = parse(page.replace("<!DOCTYPE html>\n", ""), "application/xhtml+xml");
    expect(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg")).toHaveLength(1);
    expect(count(doc, "step-column")).toBe(9);
    expect(count(doc, "window-band")).toBe(3);
    expect(count(doc, "cut")).toBe(2);
    // windows of 3 in segments of 2: [0, 2) and [2, 3), each recomputed, in each of the 3 windows
    expect(count(doc, "pass-recompute")).toBe(6);
  });

  it("--k1/--k2 and full BPTT work too", () => {
    const k = runCli(["viz", "--model", model, "--window", "6", "--k1", "2", "--k2", "4", "--out", join(dir, "k.svg")]);
    expect(k.status).toBe(0);
    const doc = parse(readFileSync(join(dir, "k.svg"), "utf8"), "image/svg+xml");
    expect([count(doc, "window-band"), count(doc, "cut"), count(doc, "pass-recompute")]).toEqual([3, 1, 0]);
    const full = runCli(["viz", "--model", bidirectional, "--window", "4", "--out", join(dir, "bi.svg")]);
    expect(full.status).toBe(0);
    expect(count(parse(readFileSync(join(dir, "bi.svg"), "utf8"), "image/svg+xml"), "cut")).toBe(0);
  });

  it.each([
    [
      "an output that is neither .svg nor .html",
      ["--out", join(dir, "x.png")],
      /^unroll: --out must name a \.svg or \.html file \(or - for SVG on standard output\), got ".*x\.png"$/,
    ],
    ["truncation without --window", ["--truncate", "2", "--out", join(dir, "x.svg")], /^unroll: .*apply to the unrolled window: give --window K too$/],
    ["checkpoints without --window", ["--checkpoint", "2", "--out", join(dir, "x.svg")], /give --window K too$/],
    ["a zero window", ["--window", "0", "--out", join(dir, "x.svg")], /^unroll: --window must be a positive integer, got "0"$/],
    ["a fractional checkpoint interval", ["--window", "4", "--checkpoint", "1.5", "--out", join(dir, "x.svg")], /--checkpoint must be a positive integer/],
    [
      "both truncations",
      ["--window", "4", "--truncate", "2", "--k1", "1", "--k2", "2", "--out", join(dir, "x.svg")],
      /^unroll: give either --truncate K or --k1 A --k2 B, not both$/,
    ],
    ["k2 below k1", ["--window", "4", "--k1", "3", "--k2", "2", "--out", join(dir, "x.svg")], /--k2 \(2\) must be at least --k1 \(3\)/],
    ["no --out", ["--window", "4"], /^unroll: required option '--out <file>' not specified$/],
    ["an unknown option", ["--bogus", "--out", join(dir, "x.svg")], /^unroll: unknown option '--bogus'$/],
  ])("exits 2 with one line for %s, writing nothing", (_what, args, message) => {
    const r = runCli(["viz", "--model", model, ...args]);
    expect(r.status).toBe(2);
    expect(r.stderr.split("\n")[0]).toMatch(message);
    expect(r.stderr).not.toMatch(/\n\s+at /);
    expect(existsSync(join(dir, "x.svg"))).toBe(false);
  });

  it("exits 2 naming the model file for a bad model, and for a truncation the scheduler refuses", () => {
    const bad = file("bad.json", { input: 1, layers: [{ cell: "lstn", hidden: 1 }] });
    const r = runCli(["viz", "--model", bad, "--out", join(dir, "x.svg")]);
    expect(r.status).toBe(2);
    expect(r.stderr).toMatch(/^unroll: .*bad\.json: layers\[0\]\.cell/);
    const t = runCli(["viz", "--model", bidirectional, "--window", "4", "--truncate", "2", "--out", join(dir, "x.svg")]);
    expect(t.status).toBe(2);
    expect(t.stderr).toBe(
      "unroll: truncated BPTT needs a causal model: a reverse scan (a bidirectional or reverse layer) reads the future, so use full BPTT\n",
    );
  });

  it("--help explains the command with examples", () => {
    const r = runCli(["viz", "--help"]);
    expect(r.status).toBe(0);
    expect(r.stdout).toContain("--checkpoint <N>");
    expect(r.stdout).toContain("unroll viz --model model.json --window 12 --truncate 4 --checkpoint 2 --out window.html");
  });
});
