"""The references lowbitc is checked against, both independent of lowbitc's importer and
interpreter:

- qonnx: the ONNX model run node by node by qonnx's `execute_onnx` (the QONNX and FINN custom ops
  in numpy, every standard op through onnxruntime, one node at a time);
- onnxruntime: the whole model as one onnxruntime session, after `plain_onnx` has written each
  QONNX quantizer (`Quant`, `BipolarQuant`) as the standard ONNX ops of its definition, so that
  onnxruntime's own kernels do all the arithmetic, quantization included.

Used by the tests (tests/support) and the benchmarks (bench/), so it lives in the package; qonnx
and onnxruntime come with the `test` and `bench` extras."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import numpy as np
import onnx
import onnx.version_converter
from onnx import helper, numpy_helper

QONNX_DOMAINS = ("qonnx.custom_op.general", "onnx.brevitas")
"""Domains of the QONNX quantizers (Brevitas's own exports use `onnx.brevitas`)."""
PLAIN_OPSET = 13
"""The lowest default-domain opset of a rewritten model: `Round` needs 11, `GreaterOrEqual` 12; older
exports (the zoo's opset-9 TFCs) are converted up to it by onnx's version converter, newer ones kept."""
ROUNDING = {"ROUND": "Round", "FLOOR": "Floor", "CEIL": "Ceil"}
"""QONNX `rounding_mode` -> the ONNX op (ONNX `Round` is half to even, as QONNX's ROUND)."""


def qonnx_reference(model: str | Path, frames: np.ndarray) -> np.ndarray:
    """The model's outputs for ``frames`` (without the batch axis), in chunks of the model's
    fixed batch size, by qonnx's `execute_onnx`."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes

    m = ModelWrapper(str(model)).transform(InferShapes())
    iname, oname = m.graph.input[0].name, m.graph.output[0].name
    if any(init.name == iname for init in m.graph.initializer):
        raise ValueError(f"{model}: the graph input {iname} is an initializer")
    shape = m.get_tensor_shape(iname)
    return _in_batches(frames, shape, lambda chunk: execute_onnx(m, {iname: chunk})[oname])


def onnxruntime_reference(model: str | Path, frames: np.ndarray) -> np.ndarray:
    """The model's outputs for ``frames`` (without the batch axis), in chunks of the model's
    fixed batch size, by onnxruntime on `plain_onnx(model)`, with graph optimizations off so
    that every node runs as written (no fusion reorders the float arithmetic)."""
    plain = plain_onnx(onnx.load(str(model)))
    sess = onnxruntime_session(plain, optimize=False)
    inp = sess.get_inputs()[0]
    shape = [d if isinstance(d, int) else 1 for d in inp.shape]
    return _in_batches(frames, shape, lambda chunk: sess.run(None, {inp.name: chunk})[0])


def onnxruntime_session(model: onnx.ModelProto | str | Path, threads: int = 2, optimize: bool = True):
    """An onnxruntime CPU session on ``model`` (plain ONNX), quiet, with ``threads`` intra-op
    threads; ``optimize`` False runs the graph as written."""
    import onnxruntime as ort

    opts = ort.SessionOptions()
    opts.intra_op_num_threads = threads
    opts.log_severity_level = 3
    if not optimize:
        opts.graph_optimization_level = ort.GraphOptimizationLevel.ORT_DISABLE_ALL
    source = model.SerializeToString() if isinstance(model, onnx.ModelProto) else str(model)
    return ort.InferenceSession(source, opts, providers=["CPUExecutionProvider"])


def plain_onnx(model: onnx.ModelProto) -> onnx.ModelProto:
    """``model`` with every QONNX `BipolarQuant` and `Quant` replaced by standard ONNX ops that
    compute its definition in float:

    - BipolarQuant(x, s) = Where(x >= 0, s, -s);
    - Quant(x, s, z, b) = (Clip(rnd(x / s + z), lo, hi) - z) * s, with [lo, hi] the range of a
      b-bit integer (signed, narrow) and rnd the rounding mode.

    Raises ValueError naming the node for any other custom op (FINN's `MultiThreshold`, QONNX's
    `Trunc`): onnxruntime has no kernel for them and they have no such rewrite here."""
    model = _at_plain_opset(model)
    consts = {init.name: numpy_helper.to_array(init) for init in model.graph.initializer}
    nodes, inits = [], list(model.graph.initializer)
    for node in model.graph.node:
        rewrite = _REWRITES.get(node.op_type) if node.domain == _PLACEHOLDER else None
        if rewrite is not None:
            new_nodes, new_inits = rewrite(node, consts)
            nodes += new_nodes
            inits += new_inits
        else:
            nodes.append(node)
    graph = helper.make_graph(
        nodes, model.graph.name, model.graph.input, model.graph.output, inits, value_info=model.graph.value_info
    )
    plain = helper.make_model(graph, opset_imports=model.opset_import)
    plain.ir_version = model.ir_version
    return plain


_PLACEHOLDER = "lowbitc.placeholder"
"""Domain of a quantizer node that `_at_plain_opset` has carried through the opset conversion."""


def _at_plain_opset(model: onnx.ModelProto) -> onnx.ModelProto:
    """``model`` converted up to the default-domain opset `PLAIN_OPSET` (kept when newer). The
    version converter knows no custom op, so each QONNX quantizer goes through it as an `Identity`
    of its input and comes back as itself in the `_PLACEHOLDER` domain, for `plain_onnx` to put its
    rewrite in its place. Raises ValueError for any other custom op."""
    model = onnx.ModelProto.FromString(model.SerializeToString())
    marked: dict[str, onnx.NodeProto] = {}
    for node in model.graph.node:
        if node.domain in ("", "ai.onnx"):
            continue
        if node.domain not in QONNX_DOMAINS or node.op_type not in _REWRITES:
            raise ValueError(
                f"{node.name or node.op_type}: {node.domain}:{node.op_type} has no plain ONNX form "
                "(plain_onnx rewrites only the QONNX quantizers Quant and BipolarQuant)"
            )
        marked[node.output[0]] = onnx.NodeProto.FromString(node.SerializeToString())
        placeholder = helper.make_node("Identity", [node.input[0]], [node.output[0]], name=node.name)
        node.CopyFrom(placeholder)
    opset = max((o.version for o in model.opset_import if o.domain in ("", "ai.onnx")), default=PLAIN_OPSET)
    del model.opset_import[:]
    model.opset_import.append(helper.make_opsetid("", opset))
    if opset < PLAIN_OPSET:
        model = onnx.version_converter.convert_version(model, PLAIN_OPSET)
    for node in model.graph.node:
        if node.op_type == "Identity" and node.output[0] in marked:
            original = marked[node.output[0]]
            node.CopyFrom(original)
            node.domain = _PLACEHOLDER
    return model


def _bipolar_quant(
    node: onnx.NodeProto, consts: dict[str, np.ndarray]
) -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]]:
    x, scale = node.input[:2]
    out = node.output[0]
    ge, neg, zero = (f"{out}__{k}" for k in ("ge", "neg", "zero"))
    return [
        helper.make_node("GreaterOrEqual", [x, zero], [ge]),
        helper.make_node("Neg", [scale], [neg]),
        # Where broadcasts the scale over x, as BipolarQuant's product does.
        helper.make_node("Where", [ge, scale, neg], [out]),
    ], [numpy_helper.from_array(np.float32(0.0), zero)]


def _quant(node: onnx.NodeProto, consts: dict[str, np.ndarray]) -> tuple[list[onnx.NodeProto], list[onnx.TensorProto]]:
    x, scale, zero_point, bits = node.input[:4]
    out = node.output[0]
    attrs = {a.name: helper.get_attribute_value(a) for a in node.attribute}
    mode = attrs.get("rounding_mode", b"ROUND")
    mode = mode.decode() if isinstance(mode, bytes) else mode
    if bits not in consts or consts[bits].size != 1:
        raise ValueError(f"{node.name or 'Quant'}: its bit width {bits} is not a constant scalar")
    if mode not in ROUNDING:
        raise ValueError(f"{node.name or 'Quant'}: rounding_mode {mode} is not one of {', '.join(ROUNDING)}")
    b, signed, narrow = int(consts[bits].reshape(-1)[0]), attrs.get("signed", 1), attrs.get("narrow", 0)
    lo, hi = (-(2 ** (b - 1)) + narrow, 2 ** (b - 1) - 1) if signed else (0, 2**b - 1 - narrow)
    t = {k: f"{out}__{k}" for k in ("div", "shift", "round", "clip", "unshift", "lo", "hi")}
    return [
        helper.make_node("Div", [x, scale], [t["div"]]),
        helper.make_node("Add", [t["div"], zero_point], [t["shift"]]),
        helper.make_node(ROUNDING[mode], [t["shift"]], [t["round"]]),
        helper.make_node("Clip", [t["round"], t["lo"], t["hi"]], [t["clip"]]),
        helper.make_node("Sub", [t["clip"], zero_point], [t["unshift"]]),
        helper.make_node("Mul", [t["unshift"], scale], [out]),
    ], [numpy_helper.from_array(np.float32(v), t[k]) for k, v in (("lo", lo), ("hi", hi))]


_REWRITES = {"BipolarQuant": _bipolar_quant, "Quant": _quant}


def _in_batches(frames: np.ndarray, shape, run: Callable[[np.ndarray], np.ndarray]) -> np.ndarray:
    """``run`` on ``frames`` in chunks of the model's batch size ``shape[0]``, concatenated."""
    batch = shape[0]
    outs = []
    for i in range(0, len(frames), batch):
        chunk = frames[i : i + batch].reshape([batch] + list(shape[1:]))
        outs.append(run(chunk.astype(np.float32)))
    return np.concatenate(outs)
