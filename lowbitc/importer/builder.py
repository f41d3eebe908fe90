"""Walk an ONNX graph in order and build graph-level lowbit IR.

Every tensor is either a numpy constant (initializers and anything computed only from them:
shape arithmetic, quantized weights, transposes, all folded here) or a per-frame IR value. An
integer IR value remembers the float scale the model multiplies its codes by, so that
`lowbit.dequantize` can be inserted exactly where the model goes back to float arithmetic.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
from xdsl.dialects import func
from xdsl.dialects.builtin import (
    IntegerAttr,
    ModuleOp,
    TensorType,
    f32,
    i64,
)
from xdsl.ir import Block, Operation, Region, SSAValue

from lowbitc.dialects.lowbit import ops_graph as g
from lowbitc.dialects.lowbit.attributes import (
    BitMatrixAttr,
    ElementwiseKind,
    ElementwiseKindAttr,
    IntMatrixAttr,
    dense_from_numpy,
)
from lowbitc.dialects.lowbit.checks import product_range
from lowbitc.dialects.lowbit.types import bits_for_range, int_type
from lowbitc.errors import LowbitcError, ModelError
from lowbitc.importer.activations import ELEMENTWISE, ActivationImporter
from lowbitc.importer.onnx_graph import MAX_FRAME_ELEMENTS, LoadedModel, attrs, fold_constant, load
from lowbitc.importer.spatial import Dyn, SpatialImporter
from lowbitc.importer.weights import QuantRecord, WeightError, record_for, weight_matrix

ONE = np.float32(1)
"""The default Gemm alpha (a float32, as ONNX computes it)."""
PASS_THROUGH = {"Identity", "Dropout"}
SUPPORTED = sorted(
    set(ELEMENTWISE)
    | PASS_THROUGH
    | {
        "MatMul",
        "Gemm",
        "BatchNormalization",
        "BipolarQuant",
        "MultiThreshold",
        "Reshape",
        "Flatten",
        "Squeeze",
        "Unsqueeze",
        "TopK",
        "Shape",
        "Gather",
        "Concat",
        "Constant",
        "Transpose",
        "Pow",
        "Cast",
        "Conv",
        "MaxPool",
        "GlobalAveragePool",
        "Quant",
        "Relu",
    }
)


class Importer(SpatialImporter, ActivationImporter):
    def __init__(self, loaded: LoadedModel):
        self.m = loaded
        self.opset = next((o.version for o in loaded.model.opset_import if o.domain in ("", "ai.onnx")), 13)
        self.batch = loaded.input_shape[0]
        self.env: dict[str, np.ndarray | Dyn] = dict(loaded.constants)
        self.block = Block(arg_types=[TensorType(f32, loaded.input_shape[1:])])
        self.env[loaded.input_name] = Dyn(self.block.args[0], loaded.input_shape)
        self.node: onnx.NodeProto | None = None
        self.weight_records: dict[str, QuantRecord] = {}

    # -- helpers ------------------------------------------------------------------------
    def error(self, problem: str, fix: str) -> LowbitcError:
        n = self.node
        if n is None:  # after the walk (the graph output): no node to name
            return LowbitcError(f"{self.m.path}: {problem}; {fix}")
        return ModelError(self.m.path, n.name or n.output[0], n.op_type, problem, fix)

    def emit(self, op: Operation) -> SSAValue:
        self.block.add_op(op)
        return op.results[0]

    def get(self, name: str) -> np.ndarray | Dyn:
        if name not in self.env:
            later = next((n for n in self.m.model.graph.node if name in n.output), None)
            if later is not None:
                raise self.error(
                    f"input tensor '{name}' comes from node '{later.name or later.output[0]}' later in the graph: "
                    "a cycle, or nodes out of order",
                    "export a graph in topological order without cycles",
                )
            raise self.error(
                f"input tensor '{name}' is produced by no node and is no initializer",
                "repair the graph (is it truncated?)",
            )
        return self.env[name]

    def const(self, name: str, what: str) -> np.ndarray:
        v = self.get(name)
        if isinstance(v, Dyn):
            raise self.error(f"{what} '{name}' must be a constant", "fold it into an initializer")
        return v

    def frame_type(self, shape: tuple[int, ...], elt) -> TensorType:
        n = int(np.prod(shape[1:], dtype=np.int64))
        if n > MAX_FRAME_ELEMENTS:
            # Refuse before any pass or interpreter allocates per-frame arrays of this size.
            raise self.error(
                f"a tensor of shape {list(shape)} holds {n} elements per frame, "
                f"beyond lowbitc's limit of {MAX_FRAME_ELEMENTS}",
                "use smaller feature maps (a streaming accelerator for maps this large would not fit on chip)",
            )
        return TensorType(elt, shape[1:])

    def as_float(self, d: Dyn) -> Dyn:
        if d.is_float:
            return d
        scale = np.asarray(d.scale if d.scale is not None else 1.0, np.float32).reshape(-1)
        out = self.emit(
            g.DequantizeOp.create(
                operands=[d.value],
                result_types=[self.frame_type(d.shape, f32)],
                properties={"scale": dense_from_numpy(scale)},
            )
        )
        return Dyn(out, d.shape)

    def channel_vector(self, c: np.ndarray, shape: tuple[int, ...], what: str) -> np.ndarray:
        """A broadcast constant as [1] (scalar) or [C] along axis 1 of the full shape."""
        c = np.asarray(c, np.float32)
        if c.size == 1:
            return c.reshape(1)
        full = np.broadcast_to(c, shape) if c.ndim <= len(shape) else None
        if full is None:
            raise self.error(
                f"{what} of shape {list(c.shape)} does not broadcast to {list(shape)}",
                "use a scalar or per-channel constant",
            )
        per_frame = full[0]
        if len(shape) >= 2:
            flat = per_frame.reshape(shape[1], -1)
            if np.all(flat == flat[:, :1]):
                return np.ascontiguousarray(flat[:, 0])
        raise self.error(
            f"{what} of shape {list(c.shape)} varies along more than the channel axis",
            "use a scalar or per-channel constant",
        )

    # -- the walk -----------------------------------------------------------------------
    def run(self) -> ModuleOp:
        for node in self.m.model.graph.node:
            self.node = node
            self.visit(node)
        self.node = None
        out = self.env.get(self.m.output_name)
        if not isinstance(out, Dyn):
            raise LowbitcError(f"{self.m.path}: the graph output '{self.m.output_name}' does not depend on the input")
        if not out.is_float and not (isinstance(out.value.type, TensorType) and out.value.type.element_type == i64):
            out = self.as_float(out)
        ret_type = out.value.type
        self.block.add_op(func.ReturnOp(out.value))
        fn = func.FuncOp("main", ([self.block.args[0].type], [ret_type]), Region(self.block))
        return ModuleOp([fn])

    def visit(self, node: onnx.NodeProto) -> None:
        op = node.op_type
        if op == "Constant":
            return
        ins = [self.get(i) if i else None for i in node.input]
        if all(not isinstance(v, Dyn) for v in ins):
            self.fold(node, ins)
            return
        if op == "Shape":
            d = ins[0]
            assert isinstance(d, Dyn)
            self.env[node.output[0]] = np.array(d.shape, np.int64)
            return
        handler = getattr(self, f"op_{op}", None)
        if handler is None or (
            node.domain not in ("", "ai.onnx") and op not in ("BipolarQuant", "MultiThreshold", "Quant")
        ):
            raise self.error(
                f"unsupported op '{op}' (domain '{node.domain or 'ai.onnx'}')",
                f"lowbitc supports: {', '.join(SUPPORTED)}",
            )
        handler(node, ins)

    def fold(self, node: onnx.NodeProto, ins: list) -> None:
        # A quantizer would silently turn NaN into -1 (NaN >= 0 is false): refuse it here.
        if node.op_type in ("BipolarQuant", "Quant") and any(
            v is not None and v.dtype.kind == "f" and not np.all(np.isfinite(v)) for v in ins
        ):
            raise self.error("weights or quantizer parameters hold NaN or Inf", "fix the model's parameters")
        try:
            outs = fold_constant(node, [v for v in ins if v is not None], self.opset)
        except NotImplementedError:
            raise self.error(
                f"cannot evaluate constant op '{node.op_type}'", f"lowbitc supports: {', '.join(SUPPORTED)}"
            ) from None
        except Exception as exc:
            raise self.error(f"constant evaluation failed ({exc})", "check the node's inputs and attributes") from None
        for name, v in zip(node.output, outs):
            self.env[name] = v
        rec = record_for(node, ins, outs, self.weight_records, self.opset)
        if rec is not None:
            self.weight_records[node.output[0]] = rec

    def set(self, name: str, d: Dyn) -> None:
        self.env[name] = d

    # -- shape ops ------------------------------------------------------------------------
    def reshape_to(self, d: Dyn, shape: tuple[int, ...]) -> Dyn:
        if shape[0] != self.batch:
            raise self.error(
                f"reshape to {list(shape)} mixes frames (batch is {self.batch})", "keep the batch as the first axis"
            )
        if int(np.prod(shape)) != int(np.prod(d.shape)):
            raise self.error(f"cannot reshape {list(d.shape)} to {list(shape)}", "fix the target shape")
        if shape == d.shape:
            return d
        elt = d.value.type.element_type
        out = self.emit(g.ReshapeOp.create(operands=[d.value], result_types=[self.frame_type(shape, elt)]))
        scale = d.scale
        if scale is not None and scale.size > 1:
            raise self.error("reshape of a per-channel scaled tensor", "quantize with a per-tensor scale")
        return Dyn(out, shape, scale)

    def op_Reshape(self, node, ins) -> None:
        d = ins[0]
        target = [int(v) for v in self.const(node.input[1], "reshape shape")]
        allowzero = attrs(node).get("allowzero", 0)
        target = [d.shape[i] if (v == 0 and not allowzero) else v for i, v in enumerate(target)]
        if -1 in target:
            known = int(np.prod([v for v in target if v != -1]))
            target[target.index(-1)] = int(np.prod(d.shape)) // max(known, 1)
        self.set(node.output[0], self.reshape_to(d, tuple(target)))

    def op_Flatten(self, node, ins) -> None:
        d = ins[0]
        axis = attrs(node).get("axis", 1)
        if axis < 0:
            axis += len(d.shape)
        shape = (int(np.prod(d.shape[:axis])), int(np.prod(d.shape[axis:])))
        self.set(node.output[0], self.reshape_to(d, shape))

    def _axes(self, node, ins) -> list[int]:
        if len(ins) > 1 and ins[1] is not None:
            return [int(a) for a in self.const(node.input[1], "axes")]
        return list(attrs(node).get("axes", []))

    def op_Unsqueeze(self, node, ins) -> None:
        d = ins[0]
        shape = list(d.shape)
        for a in sorted(a if a >= 0 else a + len(shape) + 1 for a in self._axes(node, ins)):
            shape.insert(a, 1)
        self.set(node.output[0], self.reshape_to(d, tuple(shape)))

    def op_Squeeze(self, node, ins) -> None:
        d = ins[0]
        axes = self._axes(node, ins) or [i for i, s in enumerate(d.shape) if s == 1 and i > 0]
        axes = {a if a >= 0 else a + len(d.shape) for a in axes}
        shape = tuple(s for i, s in enumerate(d.shape) if i not in axes)
        self.set(node.output[0], self.reshape_to(d, shape))

    def op_Identity(self, node, ins) -> None:
        self.set(node.output[0], ins[0])

    op_Dropout = op_Identity

    # -- matrix products ------------------------------------------------------------------
    def weights(self, name: str, orient) -> tuple[BitMatrixAttr | IntMatrixAttr, np.ndarray]:
        """The [C, K] weights of the constant ``name`` (``orient`` maps the ONNX layout to
        [C, K]) as an attribute, and the per-channel scale."""
        w = orient(np.asarray(self.const(name, "weight"), np.float32))
        rec = self.weight_records.get(name)
        if rec is not None:
            rec = QuantRecord(orient(rec.scale), rec.element_type)
        try:
            return weight_matrix(w, rec)
        except WeightError as exc:
            raise self.error(
                str(exc), "quantize the weights with BipolarQuant or a Quant of 1..8 bits with zero point 0"
            ) from None

    def _matmul(self, node, x, orient, alpha: np.float32 = ONE) -> None:
        if not isinstance(x, Dyn):
            raise self.error("the activation operand must depend on the input", "check the graph")
        if x.is_float:
            raise self.error(
                "float input to a matrix product: the layer has no activation quantizer",
                "add a BipolarQuant (or MultiThreshold) before it",
            )
        if len(x.shape) != 2:
            raise self.error(
                f"activation of shape {list(x.shape)} is not [batch, features]", "flatten before the matrix product"
            )
        weights, sw = self.weights(node.input[1], orient)
        c, k = weights.shape
        if k != x.shape[1]:
            raise self.error(f"weights expect {k} inputs, the activation has {x.shape[1]}", "fix the model")
        width, signed = bits_for_range(*product_range(x.value.type.element_type, weights))
        out = self.emit(
            g.MatMulOp.create(
                operands=[x.value],
                result_types=[TensorType(int_type(width, signed), (c,))],
                properties={"weights": weights},
            )
        )
        scale = (np.float32(x.scale.reshape(-1)[0]) * (sw * alpha)).astype(np.float32)
        self.set(node.output[0], Dyn(out, (x.shape[0], c), scale))

    def op_MatMul(self, node, ins) -> None:
        w = self.const(node.input[1], "MatMul weight")
        if w.ndim != 2:
            raise self.error(f"weight of rank {w.ndim}", "use a 2-D weight matrix")
        self._matmul(node, ins[0], lambda a: a.T)

    def op_Gemm(self, node, ins) -> None:
        a = attrs(node)
        if a.get("transA", 0):
            raise self.error("transA=1", "export without transposing the activation")
        self._matmul(
            node, ins[0], (lambda w: w) if a.get("transB", 0) else (lambda w: w.T), np.float32(a.get("alpha", 1.0))
        )
        if len(node.input) > 2 and node.input[2]:
            bias = self.const(node.input[2], "Gemm bias") * np.float32(a.get("beta", 1.0))
            acc = self.as_float(self.env[node.output[0]])
            vec = self.channel_vector(bias, acc.shape, "Gemm bias")
            out = self.emit(
                g.ElementwiseOp.create(
                    operands=[acc.value],
                    result_types=[acc.value.type],
                    properties={"kind": ElementwiseKindAttr(ElementwiseKind.ADD), "constant": dense_from_numpy(vec)},
                )
            )
            self.set(node.output[0], Dyn(out, acc.shape))

    # -- output head ----------------------------------------------------------------------
    def op_TopK(self, node, ins) -> None:
        d = self.as_float(ins[0])
        a = attrs(node)
        k = int(np.asarray(self.const(node.input[1], "TopK k")).reshape(-1)[0])
        axis = a.get("axis", -1)
        if axis not in (-1, len(d.shape) - 1) or not a.get("largest", 1) or not a.get("sorted", 1):
            raise self.error(
                "TopK other than largest, sorted, on the last axis", "export argmax/TopK over the class axis"
            )
        if len(node.output) > 0 and node.output[0] and node.output[0] in self._used_names():
            raise self.error("the TopK values output is used", "use only the indices output")
        out = self.emit(
            g.TopKOp.create(
                operands=[d.value],
                result_types=[TensorType(i64, d.shape[1:-1] + (k,))],
                properties={"k": IntegerAttr(k, i64)},
            )
        )
        self.set(node.output[1], Dyn(out, d.shape[:-1] + (k,)))

    def _used_names(self) -> set[str]:
        g_ = self.m.model.graph
        return {i for n in g_.node for i in n.input} | {o.name for o in g_.output}


def import_onnx(path: str | Path) -> ModuleOp:
    module = Importer(load(path)).run()
    module.verify()
    return module
