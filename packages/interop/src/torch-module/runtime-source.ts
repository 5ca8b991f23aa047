/**
 * The Python helpers every generated module file holds, the same for every
 * program: safetensors I/O (PyTorch 1.13 has no safetensors package), the
 * checks and defaults of `forward`'s arguments, and the few ops that need
 * more than one torch call. They read the tables `_SEQUENCES`, `_STATES` and
 * `_DROPOUT` that the file defines after them.
 */
export const RUNTIME_SOURCE = String.raw`
_SAFETENSORS_DTYPES = {
    "F64": torch.float64, "F32": torch.float32, "F16": torch.float16, "BF16": torch.bfloat16,
    "I64": torch.int64, "I32": torch.int32, "I16": torch.int16, "I8": torch.int8, "U8": torch.uint8, "BOOL": torch.bool,
}
_SAFETENSORS_CODES = {dtype: code for code, dtype in _SAFETENSORS_DTYPES.items()}
# the reference implementation's dtype order (increasing alignment), which its writer sorts by
_SAFETENSORS_ORDER = ["BOOL", "U8", "I8", "I16", "U16", "F16", "BF16", "I32", "U32", "F32", "F64", "I64", "U64"]
# safetensors is little-endian; torch.frombuffer reads the machine's order
_LITTLE_ENDIAN = struct.pack("=H", 1) == struct.pack("<H", 1)


def load_safetensors(path):
    """Reads a safetensors file: a dict of tensors by name, e.g. for load_state_dict."""
    if not _LITTLE_ENDIAN:
        raise RuntimeError("load_safetensors reads little-endian data and this machine is big-endian")
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        raise ValueError(f"{path}: not a safetensors file: {len(data)} bytes, fewer than the 8 of its header's length")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        raise ValueError(f"{path}: the header is {n} bytes long but the file has {len(data) - 8} after the length")
    header = json.loads(data[8:8 + n].decode("utf-8"))
    base = 8 + n
    out = {}
    for name, info in header.items():
        if name == "__metadata__":
            continue
        dtype = _SAFETENSORS_DTYPES.get(info["dtype"])
        if dtype is None:
            raise ValueError(f"{path}: tensor {name!r} has dtype {info['dtype']!r}; known: {', '.join(_SAFETENSORS_DTYPES)}")
        shape = [int(d) for d in info["shape"]]
        start, end = info["data_offsets"]
        count = math.prod(shape)
        size = count * torch.empty((), dtype=dtype).element_size()
        if end - start != size or base + end > len(data):
            raise ValueError(f"{path}: tensor {name!r} {shape} of {info['dtype']} needs {size} bytes but its data_offsets are [{start}, {end}] in {len(data) - base} bytes of data")
        buffer = bytearray(data[base + start:base + end])
        flat = torch.frombuffer(buffer, dtype=dtype) if count > 0 else torch.empty(0, dtype=dtype)
        out[name] = flat.reshape(shape)
    return out


def save_safetensors(tensors, path, metadata=None):
    """Writes a dict of tensors (e.g. a state_dict) as a safetensors file laid out as the reference writer does
    (metadata first, tensors by decreasing dtype alignment, then by name), atomically: a temporary file renamed over path."""
    if not _LITTLE_ENDIAN:
        raise RuntimeError("save_safetensors writes little-endian data and this machine is big-endian")
    header = {}
    if metadata is not None:
        header["__metadata__"] = {str(k): str(metadata[k]) for k in sorted(metadata, key=str)}
    items = []
    for name, value in tensors.items():
        t = value.detach().cpu().contiguous()
        code = _SAFETENSORS_CODES.get(t.dtype)
        if code is None:
            raise ValueError(f"tensor {name!r} has dtype {t.dtype}, which safetensors has no code for here")
        items.append((-_SAFETENSORS_ORDER.index(code), name, code, t))
    blobs = []
    offset = 0
    for _, name, code, t in sorted(items, key=lambda item: (item[0], item[1])):
        blob = bytearray(t.numel() * t.element_size())
        if t.numel() > 0:
            torch.frombuffer(blob, dtype=t.dtype).copy_(t.reshape(-1))
        header[name] = {"dtype": code, "shape": list(t.shape), "data_offsets": [offset, offset + len(blob)]}
        blobs.append(blob)
        offset += len(blob)
    text = json.dumps(header, separators=(",", ":"), ensure_ascii=False).encode("utf-8")
    # the data starts 8-byte aligned
    text += b" " * (-len(text) % 8)
    temporary = f"{path}.{os.getpid()}.tmp"
    try:
        with open(temporary, "wb") as f:
            f.write(struct.pack("<Q", len(text)))
            f.write(text)
            for blob in blobs:
                f.write(blob)
        os.replace(temporary, path)
    except BaseException:
        if os.path.exists(temporary):
            os.remove(temporary)
        raise


def _ids(v, n, where, t):
    """Class or token ids as int64, each an integer in [0, n), else an error naming the node, the step and the row."""
    i = v.long()
    bad = (i.to(v.dtype) != v) | (i < 0) | (i >= n)
    if bool(bad.any()):
        row = int(bad.reshape(-1).nonzero()[0])
        raise ValueError(f"{where} at step {t}: row {row} has id {v.reshape(-1)[row].item()}, which is not an integer in [0, {n})")
    return i


def _mse(p, q):
    """Per-row mean over the last axis of (p - q)^2, as the mse kernel."""
    d = p - q
    return (d * d).sum(-1) / d.shape[-1]


def _matmul_ta(a, b):
    """a^T b with the leading axes of both operands contracted (matmul with transposeA)."""
    return torch.matmul(a.reshape(-1, a.shape[-1]).t(), b.reshape(-1, b.shape[-1]))


def _data(given, shapes):
    """The data sequences checked against their per-step shapes: each [T, B, *shape], with one T and one B; returns them, T and B."""
    T = B = None
    for name, shape in shapes.items():
        v = given[name]
        expected = f"[T, B{''.join(f', {d}' for d in shape)}]"
        if not torch.is_tensor(v):
            raise TypeError(f"sequence {name!r} must be a tensor {expected}, got {type(v).__name__}")
        if v.dim() != len(shape) + 2 or list(v.shape[2:]) != list(shape):
            raise ValueError(f"sequence {name!r} must be time-major {expected}, got {list(v.shape)}")
        if T is None:
            T, B = v.shape[0], v.shape[1]
        elif (v.shape[0], v.shape[1]) != (T, B):
            raise ValueError(f"sequence {name!r} has {v.shape[0]} steps and {v.shape[1]} rows but the first sequence has {T} and {B}")
    if T < 1:
        raise ValueError("the sequences need at least one step")
    return dict(given), T, B


def _dtype_device(params, seqs):
    """The dtype and device the model computes in: its parameters', else the data's (float32 for integer data)."""
    for p in params.values():
        return {"dtype": p.dtype, "device": p.device}
    v = next(iter(seqs.values()))
    return {"dtype": v.dtype if v.is_floating_point() else torch.float32, "device": v.device}


def _step_mask(lengths, T, B, dt):
    """[T, B]: 1 for the steps inside each row's sequence, 0 past its length (None without lengths)."""
    if lengths is None:
        return None
    n = torch.as_tensor(lengths).reshape(-1).to(device=dt["device"])
    if n.numel() != B:
        raise ValueError(f"lengths has {n.numel()} entries but the batch has {B} rows")
    bad = (n != n.round()) | (n < 0) | (n > T) if n.is_floating_point() else (n < 0) | (n > T)
    if bool(bad.any()):
        row = int(bad.nonzero()[0])
        raise ValueError(f"lengths[{row}] is {n[row].item()}; lengths must be integers from 0 to the sequence length {T}")
    return (torch.arange(T, device=dt["device"]).unsqueeze(1) < n.unsqueeze(0)).to(**dt)


def _initial_state(given, B, dt):
    """Every state's value entering the sequence: the given one [B, ...], else its init everywhere."""
    given = dict(given or {})
    for name in given:
        if name not in _STATES:
            raise KeyError(f"initial state {name!r} is not a state of the model (states: {', '.join(_STATES)})")
    out = {}
    for name, info in _STATES.items():
        shape = [B, *info["shape"]]
        if name in given:
            v = given[name]
            if list(v.shape) != shape:
                raise ValueError(f"initial state {name!r} must have shape {shape}, got {list(v.shape)}")
            out[name] = v.to(**dt)
        else:
            out[name] = torch.full(shape, float(info["init"]), **dt)
    return out


def _dropout_masks(given, T, B, training, dt):
    """The dropout masks [T, B, ...]: given ones, else in training 1/(1-rate) with probability 1-rate and 0 otherwise
    (a variational mask is one draw for every step), else (eval) ones."""
    given = dict(given or {})
    for name in given:
        if name not in _DROPOUT:
            raise KeyError(f"dropout mask {name!r} is not a dropout mask of the model (masks: {', '.join(_DROPOUT) or 'none'})")
    out = {}
    for name, info in _DROPOUT.items():
        shape = [T, B, *info["shape"]]
        rate = info["rate"]
        if name in given:
            v = given[name]
            if list(v.shape) != shape:
                raise ValueError(f"dropout mask {name!r} must have shape {shape}, got {list(v.shape)}")
            out[name] = v.to(**dt)
        elif training and rate > 0:
            draw = [1 if info["variational"] else T, *shape[1:]]
            keep = torch.rand(draw, device=dt["device"]) >= rate
            out[name] = (keep.to(dt["dtype"]) * (1 / (1 - rate))).expand(shape)
        else:
            out[name] = torch.ones(shape, **dt)
    return out


def _mean_loss(total, mask, T, B, loss_rows):
    """unroll's loss: the summed per-row losses over the counted (step, row) pairs, or over loss_rows when given; 0 when none count."""
    rows = float(mask.sum()) if mask is not None else float(T * B)
    divisor = rows if loss_rows is None else float(loss_rows)
    return total / divisor if divisor > 0 else total * 0.0


def _fans(shape):
    """Fan-in and fan-out as unroll's initializers: a vector [n] has both n; else fan_out is the last axis."""
    if len(shape) <= 1:
        n = shape[0] if shape else 1
        return n, n
    return math.prod(shape) // shape[-1], shape[-1]


def _init_leaf(w, spec):
    """Fills w by one initializer of unroll's program init (the same distribution, torch's random numbers)."""
    kind = spec["kind"]
    if kind == "zeros":
        w.zero_()
    elif kind == "constant":
        w.fill_(spec["value"])
    elif kind == "uniform":
        w.uniform_(spec["low"], spec["high"])
    elif kind == "normal":
        w.normal_(spec.get("mean", 0.0), spec["std"])
    elif kind == "glorotUniform":
        fan_in, fan_out = _fans(list(w.shape))
        bound = spec.get("gain", 1.0) * math.sqrt(6 / (fan_in + fan_out))
        w.uniform_(-bound, bound)
    elif kind == "orthogonal":
        torch.nn.init.orthogonal_(w, spec.get("gain", 1.0))
    else:
        raise ValueError(f"unknown initializer kind {kind!r}")


def _init_param(w, spec):
    """Fills a parameter by its initializer; "blocks" cuts the last axis into equal column blocks, each filled on its own."""
    with torch.no_grad():
        if spec["kind"] != "blocks":
            _init_leaf(w, spec)
            return
        blocks = spec["blocks"]
        width = w.shape[-1] // len(blocks)
        for k, block in enumerate(blocks):
            part = torch.empty(*w.shape[:-1], width, dtype=w.dtype, device=w.device)
            _init_leaf(part, block)
            w[..., k * width:(k + 1) * width] = part


def _register(root, name, shape):
    """Adds parameter name to root, a dotted name becoming submodules, so that the state_dict key is name."""
    *path, leaf = name.split(".")
    module = root
    for part in path:
        child = dict(module.named_children()).get(part)
        if child is None:
            child = nn.Module()
            try:
                module.add_module(part, child)
            except (KeyError, TypeError) as e:
                raise ValueError(f"parameter {name!r}: torch refuses the submodule name {part!r}: {e}") from None
        module = child
    try:
        module.register_parameter(leaf, nn.Parameter(torch.empty(shape)))
    except (KeyError, TypeError) as e:
        raise ValueError(f"parameter {name!r}: torch refuses the parameter name {leaf!r}: {e}") from None
`.trim();
