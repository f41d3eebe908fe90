"""Loading an ONNX file and the facts the importer needs about it: initializers, the single
frame-streamed input, and a numpy evaluator for constant sub-graphs (shape arithmetic,
quantized weights, transposes), which are folded away before any IR is built."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
import onnx
from onnx import numpy_helper

from lowbitc.errors import LowbitcError, ModelError

MAX_FRAME_ELEMENTS = 1 << 24
"""Elements per frame of any tensor: 16 M, far above real low-bit CNNs (ImageNet's 224x224x64
maps hold 3.2 M), low enough that no pass or interpreter run exhausts memory."""

QONNX_DOMAINS = ("qonnx.custom_op.general", "onnx.brevitas", "finn.custom_op.general")


@dataclass
class LoadedModel:
    path: str
    model: onnx.ModelProto
    constants: dict[str, np.ndarray]
    input_name: str
    input_shape: tuple[int, ...]
    output_name: str
    output_shape: tuple[int, ...] | None


def load(path: str | Path) -> LoadedModel:
    p = Path(path)
    label = str(path)
    if not p.is_file():
        raise LowbitcError(f"{label}: no such file; give the path of an .onnx model")
    try:
        model = onnx.load(str(p), load_external_data=False)
    except Exception as exc:  # protobuf raises several unrelated types
        raise LowbitcError(
            f"{label}: not a readable ONNX model ({type(exc).__name__}); export it again with torch.onnx or Brevitas"
        ) from None
    g = model.graph
    if not g.node:
        raise LowbitcError(f"{label}: the ONNX graph has no nodes; is this really a model file?")
    producers: dict[str, str] = {}
    for node in g.node:
        for out in node.output:
            if out and out in producers:
                raise LowbitcError(
                    f"{label}: tensor '{out}' is produced twice (nodes '{producers[out]}' and "
                    f"'{node.name or node.op_type}'); "
                    "give every tensor one producer (repair or re-export the graph)"
                )
            producers[out] = node.name or node.op_type
    constants: dict[str, np.ndarray] = {}
    for init in g.initializer:
        if init.data_location == onnx.TensorProto.EXTERNAL:
            raise LowbitcError(
                f"{label}: initializer '{init.name}' uses external data, which lowbitc does not load; save the model "
                "with all tensors inside the file"
            )
        constants[init.name] = numpy_helper.to_array(init)
    for node in g.node:
        if node.op_type == "Constant" and node.domain in ("", "ai.onnx"):
            constants[node.output[0]] = _constant_value(label, node)
    inputs = [i for i in g.input if i.name not in constants]
    if len(inputs) != 1:
        raise LowbitcError(
            f"{label}: the graph has {len(inputs)} non-constant inputs ({', '.join(i.name for i in inputs)}); lowbitc "
            "compiles networks with exactly one input"
        )
    if len(g.output) != 1:
        raise LowbitcError(
            f"{label}: the graph has {len(g.output)} outputs; lowbitc compiles networks with exactly one output"
        )
    inp = inputs[0]
    shape = _static_shape(label, inp)
    if shape is None:
        raise LowbitcError(
            f"{label}: input '{inp.name}' has no static shape; export with a fixed input shape (batch included)"
        )
    per_frame = int(np.prod(shape[1:], dtype=np.int64))
    if per_frame > MAX_FRAME_ELEMENTS:
        raise LowbitcError(
            f"{label}: input '{inp.name}' of shape {list(shape)} holds {per_frame} elements per frame, beyond "
            f"lowbitc's limit of {MAX_FRAME_ELEMENTS}; use smaller inputs"
        )
    return LoadedModel(label, model, constants, inp.name, shape, g.output[0].name, _static_shape(label, g.output[0]))


def _static_shape(label: str, vi: onnx.ValueInfoProto) -> tuple[int, ...] | None:
    t = vi.type.tensor_type
    if not t.HasField("shape"):
        return None
    dims = []
    for d in t.shape.dim:
        if d.HasField("dim_value") and d.dim_value > 0:
            dims.append(d.dim_value)
        else:
            what = d.dim_param or "0"
            raise LowbitcError(
                f"{label}: tensor '{vi.name}' has a symbolic or zero dimension '{what}'; export with fixed sizes"
            )
    return tuple(dims)


def _constant_value(label: str, node: onnx.NodeProto) -> np.ndarray:
    for a in node.attribute:
        if a.name == "value":
            return numpy_helper.to_array(a.t)
        if a.name == "value_float":
            return np.array(a.f, np.float32)
        if a.name == "value_int":
            return np.array(a.i, np.int64)
        if a.name == "value_ints":
            return np.array(list(a.ints), np.int64)
        if a.name == "value_floats":
            return np.array(list(a.floats), np.float32)
    raise ModelError(
        label,
        node.name or node.output[0],
        "Constant",
        "constant without a supported value attribute",
        "use a tensor value",
    )


def attrs(node: onnx.NodeProto) -> dict:
    return {a.name: onnx.helper.get_attribute_value(a) for a in node.attribute}


def bipolar_quant(x: np.ndarray, scale: np.ndarray) -> np.ndarray:
    """QONNX BipolarQuant: +scale where x >= 0 else -scale."""
    return np.where(x >= 0, 1.0, -1.0).astype(np.float32) * scale.astype(np.float32)


def int_quant(x, scale, zero_point, bits, signed, narrow, rounding) -> np.ndarray:
    """QONNX Quant (float in, float out), as qonnx computes it."""
    s = scale.astype(np.float32)
    zp = zero_point.astype(np.float32)
    y = x / s + zp
    b = int(bits)
    if signed:
        lo, hi = -(2 ** (b - 1)) + int(narrow), 2 ** (b - 1) - 1
    else:
        lo, hi = 0, 2**b - 1 - int(narrow)
    mode = (rounding.decode() if isinstance(rounding, bytes) else rounding).upper()
    r = {"ROUND": np.round, "FLOOR": np.floor, "CEIL": np.ceil, "ROUND_TO_ZERO": np.trunc}.get(mode)
    if r is None:
        raise ValueError(f"rounding mode {mode}")
    y = np.clip(r(y), lo, hi)
    return ((y - zp) * s).astype(np.float32)


def fold_constant(node: onnx.NodeProto, inputs: list[np.ndarray], opset: int) -> list[np.ndarray]:
    """Evaluate a node whose inputs are all constants."""
    op = node.op_type
    if op == "BipolarQuant":
        return [bipolar_quant(inputs[0], inputs[1])]
    if op == "Quant":
        a = attrs(node)
        return [
            int_quant(
                inputs[0],
                inputs[1],
                inputs[2],
                inputs[3],
                a.get("signed", 1),
                a.get("narrow", 0),
                a.get("rounding_mode", "ROUND"),
            )
        ]
    if node.domain not in ("", "ai.onnx"):
        raise NotImplementedError
    if op == "Transpose" and len(inputs) == 1:  # weight layouts: common, and numpy is exact
        perm = attrs(node).get("perm")
        return [np.transpose(inputs[0], perm)]
    from onnx.reference import ReferenceEvaluator  # imported lazily: it is slow to import

    names = [f"i{k}" for k in range(len(inputs))]
    clone = onnx.helper.make_node(
        op, names[: len(node.input)], [f"o{k}" for k in range(len(node.output))], **attrs(node)
    )
    graph = onnx.helper.make_graph(
        [clone],
        "fold",
        [
            onnx.helper.make_tensor_value_info(n, onnx.helper.np_dtype_to_tensor_dtype(v.dtype), v.shape)
            for n, v in zip(names, inputs)
        ],
        [
            onnx.helper.make_tensor_value_info(f"o{k}", onnx.TensorProto.UNDEFINED, None)
            for k in range(len(node.output))
        ],
    )
    m = onnx.helper.make_model(graph, opset_imports=[onnx.helper.make_opsetid("", opset)])
    return [np.asarray(v) for v in ReferenceEvaluator(m).run(None, dict(zip(names, inputs)))]
