"""Runs modules written by torchModuleSource on the cases of a JSON file and writes what torch computes.

    python3 run_cases.py CASES.json RESULTS.json

Each case names its module file and gives the weights (a safetensors file, read by the module's own
load_safetensors, or flat tensors), the data, the initial states, the lengths and optionally dropout masks,
all as {"shape": [...], "data": [...]} in float64. The result of a case is its outputs, final states and
loss, and with "gradients" the gradients of the loss with respect to every parameter, data sequence and
given initial state (null where torch has none: the input does not reach the loss), or {"error": traceback}.
One process runs every case: starting python with torch costs more than a case.
"""
import importlib.util
import json
import sys
import traceback

import torch


def tensor(t):
    return torch.tensor(t["data"], dtype=torch.float64).reshape(t["shape"])


def flat(t):
    if t is None:
        return None
    t = t.detach()
    if not bool(torch.isfinite(t).all()):
        raise ValueError(f"a result of shape {list(t.shape)} is not finite")
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(case, k):
    generated = load_module(case["module"], f"generated_{k}")
    model = getattr(generated, case.get("className", "UnrollModule"))().double()
    if "weightsFile" in case:
        weights = generated.load_safetensors(case["weightsFile"])
    else:
        weights = {name: tensor(t) for name, t in case["weights"].items()}
    model.load_state_dict(weights)
    model.train(case.get("training", False))
    gradients = case.get("gradients", False)
    sequences = {name: tensor(t).requires_grad_(gradients) for name, t in case["sequences"].items()}
    initial = {name: tensor(t).requires_grad_(gradients) for name, t in case.get("initialState", {}).items()}
    masks = {name: tensor(t) for name, t in case.get("dropoutMasks", {}).items()}
    outputs, final_state, loss = model(
        *[sequences[name] for name in case["arguments"]],
        initial_state=initial,
        lengths=case.get("lengths"),
        dropout_masks=masks,
        loss_rows=case.get("lossRows"),
    )
    result = {
        "outputs": flat(outputs),
        "finalState": {name: flat(v) for name, v in final_state.items()},
        "loss": None if loss is None else flat(loss)["data"][0],
        "stateDict": sorted(model.state_dict().keys()),
    }
    if gradients:
        if loss.requires_grad:
            loss.backward()
        result["grads"] = {name: flat(p.grad) for name, p in model.named_parameters()}
        result["inputGrads"] = {name: flat(v.grad) for name, v in sequences.items()}
        result["initialStateGrads"] = {name: flat(v.grad) for name, v in initial.items()}
    return result


def main():
    with open(sys.argv[1]) as f:
        cases = json.load(f)
    results = []
    for k, case in enumerate(cases):
        try:
            results.append(run(case, k))
        except Exception:
            results.append({"error": traceback.format_exc()})
    with open(sys.argv[2], "w") as f:
        json.dump(results, f, allow_nan=False)


if __name__ == "__main__":
    main()
