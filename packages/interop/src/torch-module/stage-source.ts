import type { CheckedProgram, Node, Shape } from "@unroll/ir";
import { indent, pyComment, pyString } from "./python.js";
import { torchOps, type OpSite, type TorchOp } from "./torch-ops.js";

/** The Python name of the function that scans stage `s`. */
export function stageFunction(s: number): string {
  return `_stage_${s}`;
}

/** The `x[t] * m` of a masked step: the per-row mask `m` `[B]`, reshaped to `[B, 1, ...]` for a value of rank `rank`. */
function rowMask(rank: number): string {
  return rank === 1 ? "m" : `m${rank}`;
}

/** One node as a Python statement: its variable, the torch expression, and a comment with its id, op and inputs. */
function nodeLine(node: Node, name: (id: string) => string, shape: (id: string) => Shape): string {
  const site: OpSite = {
    args: node.inputs.map(name),
    shapes: node.inputs.map(shape),
    where: pyString(`node ${JSON.stringify(node.id)} (${node.op})`),
  };
  const expr = (torchOps[node.op] as TorchOp<typeof node.op>)(node as never, site);
  return `${name(node.id)} = ${expr}  ${pyComment(`${JSON.stringify(node.id)} = ${node.op}(${node.inputs.map((i) => JSON.stringify(i)).join(", ")})`)}`;
}

/**
 * The Python function that scans stage `s` of a program over the steps, as
 * unroll's scheduler runs it: forward (t = 0..T-1) or in reverse, each step
 * the step graph's nodes in order, with the padding rule of `maskGraph` when
 * the data has lengths (a state holds, outputs and the loss are 0 past a
 * row's length). It returns the stage's output sequences `[T, B, ...]` by id,
 * its final states by name, and its summed per-row loss (None without one).
 *
 * ```
 * def _stage_s(p, seqs, state, mask, T, B, dt):
 *     for t in range(T):   # or range(T - 1, -1, -1)
 *         ... = step(params, carry, xs[t]);  ys[t] = m * y;  loss += sum(m * loss_t);  carry = c + m * (c' - c)
 * ```
 */
export function stageSource(program: CheckedProgram, s: number): string {
  const { checked, reverse } = program.stages[s];
  const { graph: g, order, shapes } = checked;
  const names = new Map<string, string>();
  g.params.forEach((p, k) => names.set(p.id, `w${k}`));
  g.carry.forEach((c, k) => names.set(c.id, `c${k}`));
  g.xs.forEach((x, k) => names.set(x.id, `x${k}`));
  order.forEach((n, k) => names.set(n.id, `v${k}`));
  const name = (id: string): string => names.get(id)!;
  const shape = (id: string): Shape => shapes.get(id)!;

  const head: string[] = [];
  for (const p of g.params) head.push(`${name(p.id)} = p[${pyString(p.id)}]`);
  for (const c of g.carry) head.push(`${name(c.id)} = state[${pyString(c.id)}]`);
  const constants = order.filter((n) => n.op === "constant");
  if (constants.length > 0) head.push("# constants: the same at every step");
  for (const n of constants) head.push(nodeLine(n, name, shape));
  g.ys.forEach((y, k) => head.push(`ys${k} = [None] * T  ${pyComment(JSON.stringify(y.id))}`));
  if (g.loss !== undefined) head.push("loss = 0.0");

  const body: string[] = [];
  for (const x of g.xs) body.push(`${name(x.id)} = seqs[${pyString(x.id)}][t]`);
  for (const n of order) if (n.op !== "constant") body.push(nodeLine(n, name, shape));
  const carries = g.carry.map((c) => name(c.id)).join(", ");
  const plain: string[] = g.ys.map((y, k) => `ys${k}[t] = ${name(y.value)}`);
  if (g.loss !== undefined) plain.push(`loss = loss + ${name(g.loss)}.sum()`);
  if (g.carry.length > 0) plain.push(`${carries} = ${g.carry.map((c) => name(g.update[c.id])).join(", ")}`);
  // maskGraph's rewrite: y' = y m, loss' = loss m, c' = c + m (update - c)
  const ranks = new Set([...g.ys.map((y) => shape(y.value).length), ...g.carry.map((c) => c.shape.length)]);
  const masked: string[] = ["m = mask[t]"];
  for (const r of [...ranks].filter((r) => r > 1).sort((a, b) => a - b)) masked.push(`${rowMask(r)} = m.reshape(B${", 1".repeat(r - 1)})`);
  g.ys.forEach((y, k) => masked.push(`ys${k}[t] = ${name(y.value)} * ${rowMask(shape(y.value).length)}`));
  if (g.loss !== undefined) masked.push(`loss = loss + (${name(g.loss)} * m).sum()`);
  if (g.carry.length > 0) {
    const updates = g.carry.map((c) => `${name(c.id)} + ${rowMask(c.shape.length)} * (${name(g.update[c.id])} - ${name(c.id)})`);
    masked.push(`${carries} = ${updates.join(", ")}`);
  }
  body.push("if mask is None:", indent(plain.join("\n") || "pass", 1), "else:", indent(masked.join("\n"), 1));

  const ys = g.ys.map((y, k) => `${pyString(y.id)}: torch.stack(ys${k})`).join(", ");
  const final = g.carry.map((c) => `${pyString(c.id)}: ${name(c.id)}`).join(", ");
  const direction = reverse ? "in reverse, t = T-1..0" : "forward, t = 0..T-1";
  const lines = [
    `def ${stageFunction(s)}(p, seqs, state, mask, T, B, dt):`,
    indent(`"""${escapeDocstring(`Stage ${s}, step graph ${JSON.stringify(g.name ?? "")}, scanned ${direction}.`)}"""`, 1),
    indent(head.join("\n"), 1),
    indent(`for t in ${reverse ? "range(T - 1, -1, -1)" : "range(T)"}:`, 1),
    indent(body.join("\n"), 2),
    indent(`return {${ys}}, {${final}}, ${g.loss !== undefined ? "loss" : "None"}`, 1),
  ];
  return lines.filter((l) => l.trim() !== "").join("\n");
}

/** Text that can stand inside a Python `"""` docstring as it reads: backslashes escaped, and the quotes that would end it. */
export function escapeDocstring(text: string): string {
  return text.replace(/\\/g, "\\\\").replace(/"""/g, '""\\"').replace(/"$/, '\\"');
}
