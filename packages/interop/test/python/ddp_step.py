"""One step of DistributedDataParallel training of modules written by torchModuleSource, in 2 processes.

    python3 ddp_step.py CONFIG.json RESULTS_PREFIX

The processes are started with torch.multiprocessing.spawn (Debian's torch 1.13 torchrun stops in its
launcher) and talk over gloo on 127.0.0.1. For each case of CONFIG (its module file, weights as safetensors,
the whole batch's data as {"shape", "data"} in float64, lengths, loss_rows, the learning rate), each process
runs the module under DDP on its half of the batch's rows, backpropagates (DDP averages the gradients over
the processes) and takes one SGD step. Each process writes RESULTS_PREFIX.<rank>.json with, per case, the
averaged gradients and its loss on its half; process 0 also saves the trained weights with the module's
save_safetensors and runs the trained module on the whole batch (outputs, final states, loss).
"""
import importlib.util
import json
import os
import socket
import sys
import traceback

import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch.nn.parallel import DistributedDataParallel

WORLD = 2


def tensor(t):
    return torch.tensor(t["data"], dtype=torch.float64).reshape(t["shape"])


def flat(t):
    t = t.detach()
    return {"shape": list(t.shape), "data": t.reshape(-1).tolist()}


def load_module(path, name):
    spec = importlib.util.spec_from_file_location(name, path)
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run(case, k, rank):
    generated = load_module(case["module"], f"generated_{k}")
    model = generated.UnrollModule().double()
    model.load_state_dict(generated.load_safetensors(case["weightsFile"]))
    ddp = DistributedDataParallel(model)
    sequences = [tensor(case["sequences"][name]) for name in case["arguments"]]
    initial = {name: tensor(t) for name, t in case["initialState"].items()}
    lengths = case.get("lengths")
    batch = sequences[0].shape[1]
    rows = slice(rank * batch // WORLD, (rank + 1) * batch // WORLD)
    _, _, loss = ddp(
        *[s[:, rows] for s in sequences],
        initial_state={name: v[rows] for name, v in initial.items()},
        lengths=None if lengths is None else lengths[rows],
        loss_rows=case.get("lossRows"),
    )
    loss.backward()
    result = {"loss": loss.item(), "grads": {name: flat(p.grad) for name, p in model.named_parameters()}}
    torch.optim.SGD(model.parameters(), lr=case["lr"]).step()
    if rank == 0:
        generated.save_safetensors(model.state_dict(), case["trainedFile"])
        with torch.no_grad():
            outputs, final_state, full_loss = model(*sequences, initial_state=initial, lengths=lengths)
        result["trained"] = {"outputs": flat(outputs), "finalState": {n: flat(v) for n, v in final_state.items()}, "loss": full_loss.item()}
    return result


def worker(rank, config, prefix, port):
    os.environ["MASTER_ADDR"] = "127.0.0.1"
    os.environ["MASTER_PORT"] = str(port)
    torch.set_num_threads(1)
    dist.init_process_group("gloo", rank=rank, world_size=WORLD)
    results = []
    for k, case in enumerate(config):
        try:
            results.append(run(case, k, rank))
        except Exception:
            results.append({"error": traceback.format_exc()})
    dist.destroy_process_group()
    with open(f"{prefix}.{rank}.json", "w") as f:
        json.dump(results, f)


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def main():
    with open(sys.argv[1]) as f:
        config = json.load(f)
    mp.spawn(worker, args=(config, sys.argv[2], free_port()), nprocs=WORLD, join=True)


if __name__ == "__main__":
    main()
