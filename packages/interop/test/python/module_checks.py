"""Checks of a generated module's behaviour beyond its numbers: errors, dropout draws, initialization, files.

    python3 module_checks.py CHECKS.json RESULTS.json

Each check names a module file and a kind; the result of a check is what the module did (a value, or the
type and message of the error it raised), which the test asserts. One process runs every check.
"""
import importlib.util
import json
import sys
import traceback

import torch


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def raised(call):
    """The error a call raises, as {"type", "message"}, or {"returned": True} when it raises none."""
    try:
        call()
    except Exception as e:
        return {"type": type(e).__name__, "message": str(e).strip("'\"")}
    return {"returned": True}


def data(check, steps, batch):
    """x uniform, y class ids in range, for a model with a data input x [3] and class ids y."""
    torch.manual_seed(0)
    x = torch.rand(steps, batch, 3, dtype=torch.float64)
    y = torch.randint(0, 3, (steps, batch)).double()
    return x, y


def bad_input(generated, check):
    model = generated.UnrollModule().double().eval()
    x, y = data(check, 4, 2)
    case = check["case"]
    if case == "class id out of range":
        y[2, 1] = 3
        return raised(lambda: model(x, y))
    if case == "class id not an integer":
        y[1, 0] = 0.5
        return raised(lambda: model(x, y))
    if case == "length past the sequence":
        return raised(lambda: model(x, y, lengths=[4, 5]))
    if case == "lengths of another batch":
        return raised(lambda: model(x, y, lengths=[4, 3, 2]))
    if case == "unknown initial state":
        return raised(lambda: model(x, y, initial_state={"layers.0.hh": torch.zeros(2, 4)}))
    if case == "initial state of another shape":
        return raised(lambda: model(x, y, initial_state={"layers.0.h": torch.zeros(2, 5)}))
    if case == "sequence of another shape":
        return raised(lambda: model(x[:, :, :2], y))
    if case == "sequences of different lengths":
        return raised(lambda: model(x, y[:3]))
    raise ValueError(f"unknown case {case!r}")


def dropout_draws(generated, check):
    """Masks drawn in training mode: their values, the fraction of zeros, and whether a variational one repeats."""
    steps, batch = 50, 400
    dt = {"dtype": torch.float64, "device": torch.device("cpu")}
    torch.manual_seed(1)
    masks = generated._dropout_masks(None, steps, batch, True, dt)
    out = {}
    for name, m in masks.items():
        info = generated._DROPOUT[name]
        out[name] = {
            "shape": list(m.shape),
            "values": sorted(set(m.reshape(-1).tolist())),
            "zeros": float((m == 0).double().mean()),
            "elements": m.numel() if not info["variational"] else m[0].numel(),
            "sameEveryStep": bool((m == m[0:1]).all()),
        }
    evaluation = generated._dropout_masks(None, steps, batch, False, dt)
    out["evaluation all ones"] = all(bool((m == 1).all()) for m in evaluation.values())
    return out


def construct(generated, check):
    return raised(lambda: generated.UnrollModule())


def initialization(generated, check):
    """The parameters reset_parameters draws, as lists."""
    torch.manual_seed(2)
    model = generated.UnrollModule().double()
    return {name: {"shape": list(p.shape), "data": p.detach().reshape(-1).tolist()} for name, p in model.state_dict().items()}


def safetensors_bytes(generated, check):
    """Writes tensors with the module's save_safetensors and returns the file's bytes (hex), then reads them back."""
    dtypes = {"F64": torch.float64, "F32": torch.float32, "I64": torch.int64}
    tensors = {name: torch.tensor(t["data"], dtype=dtypes[t["dtype"]]).reshape(t["shape"]) for name, t in check["tensors"].items()}
    generated.save_safetensors(tensors, check["path"], metadata=check.get("metadata"))
    with open(check["path"], "rb") as f:
        raw = f.read()
    back = generated.load_safetensors(check["path"])
    same = sorted(back) == sorted(tensors) and all(back[n].dtype == tensors[n].dtype and torch.equal(back[n], tensors[n]) for n in tensors)
    return {"hex": raw.hex(), "roundTrip": same}


def float32_run(generated, check):
    """The float32 module's outputs and loss on given weights and data."""
    model = generated.UnrollModule().float().eval()
    weights = {n: torch.tensor(t["data"], dtype=torch.float64).reshape(t["shape"]) for n, t in check["weights"].items()}
    model.load_state_dict(weights)
    sequences = [torch.tensor(check["sequences"][n]["data"], dtype=torch.float32).reshape(check["sequences"][n]["shape"]) for n in check["arguments"]]
    outputs, _, loss = model(*sequences, lengths=check.get("lengths"))
    return {"dtype": str(outputs.dtype), "outputs": outputs.detach().double().reshape(-1).tolist(), "loss": loss.item()}


KINDS = {
    "bad input": bad_input,
    "dropout draws": dropout_draws,
    "construct": construct,
    "initialization": initialization,
    "safetensors bytes": safetensors_bytes,
    "float32 run": float32_run,
}


def main():
    with open(sys.argv[1]) as f:
        checks = json.load(f)
    results = []
    for k, check in enumerate(checks):
        try:
            results.append(KINDS[check["kind"]](load_module(check["module"], f"generated_{k}"), check))
        except Exception:
            results.append({"error": traceback.format_exc()})
    with open(sys.argv[2], "w") as f:
        json.dump(results, f)


if __name__ == "__main__":
    main()
