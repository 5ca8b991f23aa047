import { GRAPH_FORMAT, LayerSpecSchema, loadProgram, type CheckedProgram, type ModelSpec } from "@unroll/ir";
import { describe, expect, it } from "vitest";
import { escapeXml, htmlPage, stepGraphSvg } from "@unroll/viz";
import { byClass, parseSvg, parseXml } from "./parse-svg.js";

/**
 * Checks a step graph drawing against its program: one cluster per stage, a
 * box for every data input, param, carry, op node and output sequence of every
 * stage (op boxes with their op), a recurrence arrow from each carry's update
 * value back to the carry, an arrow per node input, the loss marked.
 */
function expectDrawsProgram(program: CheckedProgram, svg: string): void {
  const doc = parseSvg(svg);
  expect(byClass(doc, "cluster")).toHaveLength(program.stages.length);
  const boxes = byClass(doc, "box");
  const box = (stage: number, kind: string, id: string) =>
    boxes.filter((b) => b.getAttribute("data-stage") === String(stage) && b.getAttribute("data-id") === id && b.getAttribute("class")!.includes(`box-${kind}`));
  const edges = byClass(doc, "edge");
  const edge = (kind: string, from: string, to: string) =>
    edges.filter((e) => e.getAttribute("class")!.includes(`edge-${kind}`) && e.getAttribute("data-from") === from && e.getAttribute("data-to") === to);
  let expectedBoxes = 0;
  program.stages.forEach(({ checked }, s) => {
    const g = checked.graph;
    for (const x of g.xs) expect(box(s, program.dataInputs[x.id] ? "xs" : "sequence", x.id), `stage ${s} input ${x.id}`).toHaveLength(1);
    for (const p of g.params) expect(box(s, "param", p.id), `stage ${s} param ${p.id}`).toHaveLength(1);
    for (const n of checked.order) {
      const [b] = box(s, "op", n.id);
      expect(b?.getAttribute("data-op"), `stage ${s} node ${n.id}`).toBe(n.op);
      // one arrow per input: mul(d, d) has two from d
      for (const i of n.inputs) expect(edge("input", `s${s}:${i}`, `s${s}:${n.id}`), `${i} → ${n.id}`).toHaveLength(n.inputs.filter((j) => j === i).length);
    }
    for (const c of g.carry) {
      expect(box(s, "carry", c.id), `stage ${s} carry ${c.id}`).toHaveLength(1);
      expect(edge("update", `s${s}:${g.update[c.id]}`, `s${s}:${c.id}`), `recurrence of ${c.id}`).toHaveLength(1);
    }
    for (const y of g.ys) expect(box(s, "output", y.id), `stage ${s} output ${y.id}`).toHaveLength(1);
    if (g.loss !== undefined) expect(box(s, "op", g.loss)[0].getAttribute("class")).toContain("role-loss");
    expectedBoxes += g.xs.length + g.params.length + g.carry.length + checked.order.length + g.ys.length;
  });
  expect(boxes).toHaveLength(expectedBoxes);
  const carries = program.stages.reduce((n, s) => n + s.checked.graph.carry.length, 0);
  expect(byClass(doc, "edge-update")).toHaveLength(carries);
}

const cells = LayerSpecSchema.shape.cell.options;

describe("stepGraphSvg", () => {
  it("covers every built-in cell of the model spec", () => {
    expect(cells).toEqual(["rnn", "lstm", "gru"]);
  });

  it.each(cells)("draws a %s model with a head and a loss: every node, a recurrence per carry, a legend", (cell) => {
    const spec: ModelSpec = { input: 3, layers: [{ cell, hidden: 4 }], head: { units: 5, activation: "softmax" }, loss: "cross_entropy" };
    const program = loadProgram(spec);
    const svg = stepGraphSvg(program);
    expectDrawsProgram(program, svg);
    const doc = parseSvg(svg);
    expect(byClass(doc, "legend-item").length).toBeGreaterThan(5);
    // shapes in the labels: the hidden state is [B, 4]
    expect(svg).toContain("[B, 4]");
  });

  it("draws the other cell options too (relu rnn, gru with the reset gate before the matmul), without a loss", () => {
    for (const layer of [
      { cell: "rnn", hidden: 2, activation: "relu" },
      { cell: "gru", hidden: 2, resetAfter: false },
    ] as const) {
      const program = loadProgram({ input: 1, layers: [layer] });
      expectDrawsProgram(program, stepGraphSvg(program, { legend: false }));
    }
  });

  it("draws a stacked bidirectional model as one labelled cluster per stage, output sequences feeding the later stages", () => {
    const program = loadProgram({
      input: 2,
      layers: [
        { cell: "lstm", hidden: 3, bidirectional: true },
        { cell: "gru", hidden: 3, bidirectional: true },
        { cell: "rnn", hidden: 2 },
      ],
      head: { units: 1, activation: "linear" },
      loss: "mse",
    });
    expect(program.stages.length).toBeGreaterThanOrEqual(5);
    const svg = stepGraphSvg(program, { className: "graph-svg", idPrefix: "bi" });
    expectDrawsProgram(program, svg);
    const doc = parseSvg(svg);
    expect(doc.documentElement!.getAttribute("class")).toBe("unroll-viz step-graph graph-svg");
    const labels = byClass(doc, "cluster").map((c) => c.getElementsByTagName("text")[0].textContent);
    expect(labels.filter((l) => l!.includes("(reverse scan)"))).toHaveLength(2);
    // every sequence a stage reads from an earlier one arrives by an arrow from that stage's output box
    const sequences = byClass(doc, "box-sequence");
    expect(sequences.length).toBeGreaterThan(0);
    for (const b of sequences) {
      const into = byClass(doc, "edge-sequence").filter((e) => e.getAttribute("data-to") === b.getAttribute("data-key"));
      expect(into, b.getAttribute("data-key")!).toHaveLength(1);
      expect(into[0].getAttribute("data-from")).toMatch(new RegExp(`^s\\d+:ys:${b.getAttribute("data-id")!.replace(/\./g, "\\.")}$`));
    }
    // clusters stacked one above another do not overlap
    const rects = byClass(doc, "cluster").map((c) => {
      const r = c.getElementsByTagName("rect")[0];
      return ["x", "y", "width", "height"].map((a) => Number(r.getAttribute(a)));
    });
    for (const [i, a] of rects.entries())
      for (const b of rects.slice(i + 1)) {
        const overlap = a[0] < b[0] + b[2] && b[0] < a[0] + a[2] && a[1] < b[1] + b[3] && b[1] < a[1] + a[3];
        expect(overlap).toBe(false);
      }
    // the markers' ids carry the prefix
    expect(svg).toContain('id="bi-arrow-carry"');
    expect(svg).toContain('marker-end="url(#bi-arrow-carry)"');
  });

  it("draws a custom cell (a hand-written step graph) whose ids need escaping", () => {
    const graph = {
      format: GRAPH_FORMAT,
      name: `leaky <integrator> & "friends"`,
      xs: [
        { id: "x", shape: ["B", 2] },
        { id: "y", shape: ["B", 2] },
      ],
      params: [{ id: "w&<decay>", shape: [2] }],
      carry: [{ id: `h"'`, shape: ["B", 2], init: 0.5 }],
      nodes: [
        { id: "kept", op: "mul", inputs: [`h"'`, "w&<decay>"] },
        { id: "h'", op: "add", inputs: ["kept", "x"] },
        { id: "act", op: "tanh", inputs: ["h'"] },
        { id: "diff", op: "sub", inputs: ["act", "y"] },
        { id: "sq", op: "mul", inputs: ["diff", "diff"] },
        { id: "loss<", op: "sum", inputs: ["sq"], attrs: { axes: [1] } },
      ],
      ys: [{ id: "out", value: "act" }],
      update: { [`h"'`]: "h'" },
      loss: "loss<",
    };
    const program = loadProgram(graph);
    const svg = stepGraphSvg(program);
    expectDrawsProgram(program, svg);
    expect(svg).not.toContain("w&<");
    expect(svg).toContain("w&#38;&#60;decay&#62;");
    const doc = parseSvg(svg);
    expect(byClass(doc, "cluster")[0].getElementsByTagName("text")[0].textContent).toBe(`stage 0: leaky <integrator> & "friends"`);
  });
});

describe("escapeXml and htmlPage", () => {
  it("escape the five special characters and drop what XML cannot hold", () => {
    expect(escapeXml(`<a href="x">&'</a>`)).toBe("&#60;a href=&#34;x&#34;&#62;&#38;&#39;&#60;/a&#62;");
    expect(escapeXml("a\u0001b\uD800c")).toBe("a\uFFFDb\uFFFDc");
    expect(escapeXml("🙂 é")).toBe("🙂 é");
  });

  it("htmlPage is a standalone page that also parses as XML, holding the drawing", () => {
    const program = loadProgram({ input: 1, layers: [{ cell: "rnn", hidden: 2 }] });
    const page = htmlPage("a <model> & more", [stepGraphSvg(program)]);
    expect(page.startsWith("<!DOCTYPE html>\n<html")).toBe(true);
    const doc = parseXml(page.replace("<!DOCTYPE html>\n", ""), "application/xhtml+xml");
    expect(doc.getElementsByTagName("title")[0].textContent).toBe("a <model> & more");
    expect(doc.getElementsByTagNameNS("http://www.w3.org/2000/svg", "svg")).toHaveLength(1);
    expect(page).not.toMatch(/<script/);
  });
});
