import { formatShape, type CheckedProgram, type Shape } from "@unroll/ir";
import { checkParamNames } from "./param-names.js";
import { paramInits } from "./param-inits.js";
import { indent, pyIdentifier, pyLiteral, pyString } from "./python.js";
import { RUNTIME_SOURCE } from "./runtime-source.js";
import { escapeDocstring, stageFunction, stageSource } from "./stage-source.js";

/** Options of {@link torchModuleSource}. */
export interface TorchModuleOptions {
  /** The name of the generated `nn.Module` class, a Python identifier (default `"UnrollModule"`). */
  readonly className?: string;
}

/** The keyword arguments of the generated `forward` after the data sequences. */
const FORWARD_OPTIONS = ["initial_state", "lengths", "dropout_masks", "loss_rows"];

/**
 * A self-contained Python file (it imports only `torch`, `json`, `struct`,
 * `math` and `os`) that holds the program as a PyTorch `nn.Module`, for
 * training it with PyTorch, e.g. with DistributedDataParallel on a cluster:
 *
 * - every op maps to its torch operation with the semantics of unroll's CPU
 *   kernels, and autograd gives the gradients of the ops' VJP rules;
 * - each stage is a plain Python loop over the steps, forward or in reverse,
 *   and sequences pass between stages by name;
 * - with `lengths`, steps past a row's length hold its states and give 0
 *   outputs and loss, as unroll's scheduler (`maskGraph`);
 * - the loss is unroll's: the mean per-row loss over the counted (step, row) pairs;
 * - parameters are nested submodules, so `state_dict()` keys are unroll's
 *   names (`layers.0.W_in`); `load_safetensors` and `save_safetensors` move
 *   them in and out as safetensors.
 *
 * Its `forward(<data sequences>, initial_state=None, lengths=None,
 * dropout_masks=None, loss_rows=None)` returns `(outputs, final_state, loss)`;
 * the file's docstring documents it for the program at hand. Throws when the
 * program reads no data sequence or a parameter name cannot be a state_dict
 * key ({@link checkParamNames}).
 */
export function torchModuleSource(program: CheckedProgram, options: TorchModuleOptions = {}): string {
  const className = options.className ?? "UnrollModule";
  if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(className)) throw new Error(`className must be a Python identifier, got ${JSON.stringify(className)}`);
  checkParamNames(Object.keys(program.params));
  const data = Object.keys(program.dataInputs).filter((name) => !program.dropout[name]);
  if (data.length === 0) throw new Error("the program reads no data sequence, so a run has no steps: a torch module needs at least one sequence");
  const taken = new Set(["self", className, ...FORWARD_OPTIONS]);
  const args = data.map((name) => pyIdentifier(name, taken));
  const tables = [
    `_SEQUENCES = ${pyLiteral(Object.fromEntries(data.map((n) => [n, program.dataInputs[n].slice(1)])))}`,
    `_STATES = ${pyLiteral(Object.fromEntries(Object.entries(program.states).map(([n, s]) => [n, { shape: s.shape.slice(1), init: s.init }])))}`,
    `_DROPOUT = ${pyLiteral(Object.fromEntries(Object.entries(program.dropout).map(([n, d]) => [n, { shape: d.shape.slice(1), rate: d.rate, variational: d.variational }])))}`,
    `_PARAMS = ${pyLiteral(program.params)}`,
    `_INIT = ${pyLiteral(paramInits(program))}`,
    `_OUTPUT = ${pyString(program.program.output)}`,
  ];
  const stages = program.stages.map((_, s) => stageSource(program, s));
  return [
    `"""${escapeDocstring(fileDocstring(program, className, data, args))}"""`,
    "import json\nimport math\nimport os\nimport struct\n\nimport torch\nfrom torch import nn\nimport torch.nn.functional as F",
    RUNTIME_SOURCE,
    tables.join("\n"),
    ...stages,
    classSource(program, className, data, args),
  ]
    .join("\n\n\n")
    .concat("\n");
}

/** The generated class: parameters registered as nested submodules, `reset_parameters` and `forward`. */
function classSource(program: CheckedProgram, className: string, data: readonly string[], args: readonly string[]): string {
  const calls = program.stages.flatMap((_, s) => [
    `ys, final, loss = ${stageFunction(s)}(p, seqs, state, mask, T, B, dt)`,
    "seqs.update(ys)",
    "final_state.update(final)",
    ...(program.stages[s].checked.graph.loss !== undefined ? ["total = loss if total is None else total + loss"] : []),
  ]);
  const body = [
    "p = dict(self.named_parameters())",
    `seqs, T, B = _data({${data.map((n, k) => `${pyString(n)}: ${args[k]}`).join(", ")}}, _SEQUENCES)`,
    "dt = _dtype_device(p, seqs)",
    "seqs = {name: v.to(**dt) for name, v in seqs.items()}",
    "mask = _step_mask(lengths, T, B, dt)",
    "state = _initial_state(initial_state, B, dt)",
    "seqs.update(_dropout_masks(dropout_masks, T, B, self.training, dt))",
    "final_state = {}",
    "total = None",
    ...calls,
    program.hasLoss ? "return seqs[_OUTPUT], final_state, _mean_loss(total, mask, T, B, loss_rows)" : "return seqs[_OUTPUT], final_state, None",
  ];
  return [
    `class ${className}(nn.Module):`,
    indent(`"""The program as an nn.Module; see the file's docstring. state_dict() keys are unroll's parameter names."""`, 1),
    "",
    indent("def __init__(self):", 1),
    indent("super().__init__()", 2),
    indent("for name, shape in _PARAMS.items():", 2),
    indent("_register(self, name, shape)", 3),
    indent("self.reset_parameters()", 2),
    "",
    indent("def reset_parameters(self):", 1),
    indent(`"""Draws every parameter from its unroll initializer (the program's init, else unroll's default uniform bound)."""`, 2),
    indent("for name, w in self.named_parameters():", 2),
    indent("_init_param(w, _INIT[name])", 3),
    "",
    indent(`def forward(self, ${[...args, ...FORWARD_OPTIONS.map((o) => `${o}=None`)].join(", ")}):`, 1),
    indent(`"""Runs the program over the sequences: returns (outputs, final_state, loss); see the file's docstring."""`, 2),
    indent(body.join("\n"), 2),
  ].join("\n");
}

/** A time-major shape as the docstring shows it: `[T, B, 3]`. */
function timeMajor(perStep: Shape): string {
  return `[${["T", ...perStep].join(", ")}]`;
}

/** `"x": [T, B, 3]`: a sequence with its time-major shape, and the argument that takes it when its name is not one. */
function sequenceLine(name: string, arg: string, perStep: Shape): string {
  const shown = JSON.stringify(name);
  const as = arg === name ? "" : ` (argument ${arg})`;
  return `${shown}${as}: ${timeMajor(perStep)}`;
}

/** The file's docstring: what the program is and how to run, train and distribute the module. */
function fileDocstring(program: CheckedProgram, className: string, data: readonly string[], args: readonly string[]): string {
  const list = (items: string[]): string => (items.length === 0 ? "    (none)" : items.map((l) => `    ${l}`).join("\n"));
  const stages = program.stages.map(
    (st, s) => `${s}: step graph ${JSON.stringify(st.checked.graph.name ?? "")}, ${st.reverse ? "reverse (t = T-1..0)" : "forward (t = 0..T-1)"}`,
  );
  const sequences = data.map((n, k) => sequenceLine(n, args[k], program.dataInputs[n]));
  const states = Object.entries(program.states).map(([n, s]) => `${JSON.stringify(n)}: ${formatShape(s.shape)}, starts at ${s.init} (stage ${s.stage})`);
  const params = Object.entries(program.params).map(([n, s]) => `${JSON.stringify(n)}: ${formatShape(s)}`);
  const dropout = Object.entries(program.dropout).map(
    ([n, d]) => `${JSON.stringify(n)}: ${timeMajor(d.shape)}, rate ${d.rate}${d.variational ? ", variational (one draw for all steps)" : ""}`,
  );
  const output = `${JSON.stringify(program.program.output)}: ${timeMajor(program.sequences[program.program.output])}`;
  const call = `${args.join(", ")}, initial_state=None, lengths=None, dropout_masks=None, loss_rows=None`;
  return `An unroll program as a PyTorch nn.Module, ${className}; written by @unroll/interop's torchModuleSource.

Stages (each a plain loop over the steps)
${list(stages)}
Data sequences, time-major (B is the batch)
${list(sequences)}
States
${list(states)}
Parameters (the state_dict keys)
${list(params)}
Dropout masks
${list(dropout)}
Output
    ${output}
Loss
    ${program.hasLoss ? "the mean per-row loss over the counted (step, row) pairs" : "none: forward returns None for it"}

forward(${call})
    ${args.join(", ")}: the data sequences above, tensors [T, B, ...]; ids (class or token ids) are
        numbers too, checked to be integers in range.
    initial_state: a dict of states [B, ...] by name; a state not given starts at its init.
    lengths: B sequence lengths (integers 0..T). Past a row's length its states hold and its outputs
        and per-row losses are 0; the loss counts only the steps inside the lengths. None: all T steps.
    dropout_masks: a dict of masks [T, B, ...] by name, used as given. Masks not given are drawn in
        training mode (module.train(), the default of every nn.Module): each element 1/(1-rate) with
        probability 1-rate, else 0; in eval mode (module.eval()) they are ones, as unroll's runForward.
    loss_rows: the number the summed per-row losses are divided by, instead of the counted (step, row)
        pairs of this batch (see distributed training below).
    returns (outputs, final_state, loss):
        outputs: the output sequence [T, B, ...], 0 past each row's length;
        final_state: a dict of states [B, ...] by name: a forward stage's after step T-1, a reverse
            stage's after step 0 (with lengths a row's state holds past its length, so a forward stage
            gives the state after the row's last step);
        loss: a scalar tensor, the mean per-row loss over the counted (step, row) pairs (None without a loss).

Precision: the module computes in its parameters' dtype, float32 by default; call .double() for float64.
The data is converted to that dtype and device.

Weights
    model = ${className}()
    model.load_state_dict(load_safetensors("weights.safetensors"))   # unroll's weights, unroll's names
    save_safetensors(model.state_dict(), "trained.safetensors")        # back to unroll

Distributed data parallel: each process runs the module on its share of the batch, and DDP averages
the gradients over the processes. With equal shares and no lengths that average is the gradient of
the whole batch's loss. With lengths, pass loss_rows = (counted pairs of the whole batch) / (number of
processes) to every process: then the averaged gradient is exactly that of the whole batch's mean loss.
    model = torch.nn.parallel.DistributedDataParallel(${className}().double())
    outputs, final_state, loss = model(${args.join(", ")}, lengths=lengths, loss_rows=rows / world_size)
    loss.backward()
`;
}
