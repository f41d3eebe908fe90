"""Import of float arithmetic, BatchNorm, Relu, residual adds and the bipolar quantizers: the
part of the ONNX walk between the matrix products. Mixed into `Importer`, whose helpers it uses
(as `spatial.py` is)."""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import BoolAttr, FloatAttr, f32

from lowbitc.dialects.lowbit import ops_graph as g
from lowbitc.dialects.lowbit.attributes import ElementwiseKind, ElementwiseKindAttr, dense_from_numpy
from lowbitc.dialects.lowbit.ops_residual import AddOp
from lowbitc.dialects.lowbit.types import BipolarType, bits_for_range, element_range, int_type
from lowbitc.importer.onnx_graph import attrs
from lowbitc.importer.spatial import Dyn

ELEMENTWISE = {
    "Mul": ElementwiseKind.MUL,
    "Add": ElementwiseKind.ADD,
    "Sub": ElementwiseKind.SUB,
    "Div": ElementwiseKind.DIV,
}


class ActivationImporter:
    """Handlers for Mul/Add/Sub/Div, Relu, BatchNormalization, BipolarQuant and MultiThreshold."""

    # -- float arithmetic -----------------------------------------------------------------
    def _elementwise(self, node, ins) -> None:
        a, b = ins
        swapped = not isinstance(a, Dyn)
        d, c = (b, a) if swapped else (a, b)
        if isinstance(c, Dyn):
            if node.op_type == "Add":
                self.residual_add(node, d, c)
                return
            raise self.error(
                "both operands depend on the input",
                "lowbitc supports arithmetic with a constant only (and Add of two quantized tensors)",
            )
        d = self.as_float(d)
        vec = self.channel_vector(c, d.shape, "constant")
        props = {"kind": ElementwiseKindAttr(ELEMENTWISE[node.op_type]), "constant": dense_from_numpy(vec)}
        if swapped:
            props["swapped"] = BoolAttr.from_bool(True)
        if not np.all(np.isfinite(vec)):
            raise self.error("constant holds NaN or Inf", "fix the model's parameters")
        out = self.emit(g.ElementwiseOp.create(operands=[d.value], result_types=[d.value.type], properties=props))
        self.set(node.output[0], Dyn(out, d.shape))

    op_Mul = op_Add = op_Sub = op_Div = _elementwise

    def residual_add(self, node, a: Dyn, b: Dyn) -> None:
        """Add of two quantized tensors of one scale: an integer add of their codes."""
        if a.is_float or b.is_float:
            raise self.error(
                "Add of a float tensor and another tensor",
                "quantize both Add inputs (a residual add joins two quantized streams)",
            )
        if a.shape != b.shape:
            raise self.error(
                f"Add of shapes {list(a.shape)} and {list(b.shape)}", "add tensors of equal shapes (no broadcasting)"
            )
        sa, sb = (np.asarray(d.scale, np.float32).reshape(-1) for d in (a, b))
        if sa.size != 1 or sb.size != 1 or sa[0] != sb[0]:
            raise self.error(
                f"Add of tensors with scales {sa.tolist()} and {sb.tolist()}",
                "quantize both Add inputs with one quantizer (same scale)",
            )
        width, signed = bits_for_range(*_sum_range(a.value.type.element_type, b.value.type.element_type))
        out = self.emit(
            AddOp.create(operands=[a.value, b.value], result_types=[self.frame_type(a.shape, int_type(width, signed))])
        )
        self.set(node.output[0], Dyn(out, a.shape, sa))

    def op_Relu(self, node, ins) -> None:
        d = self.as_float(ins[0])
        out = self.emit(
            g.ElementwiseOp.create(
                operands=[d.value],
                result_types=[d.value.type],
                properties={
                    "kind": ElementwiseKindAttr(ElementwiseKind.MAX),
                    "constant": dense_from_numpy(np.zeros(1, np.float32)),
                },
            )
        )
        self.set(node.output[0], Dyn(out, d.shape))

    def op_BatchNormalization(self, node, ins) -> None:
        d = self.as_float(ins[0])
        params = [np.asarray(self.const(n, "batchnorm parameter"), np.float32).reshape(-1) for n in node.input[1:5]]
        eps = float(attrs(node).get("epsilon", 1e-5))
        for p in params:
            if not np.all(np.isfinite(p)):
                raise self.error("BatchNorm parameters hold NaN or Inf", "fix the model's statistics")
            if p.shape != (d.shape[1],):
                raise self.error(
                    f"BatchNorm parameter of shape {list(p.shape)} for {d.shape[1]} channels", "fix the model"
                )
        if np.any(params[3] + np.float32(eps) <= 0):
            raise self.error("BatchNorm variance + epsilon is not positive", "fix the model's statistics")
        props = {k: dense_from_numpy(p) for k, p in zip(("scale", "bias", "mean", "var"), params)}
        props["epsilon"] = FloatAttr(eps, f32)
        out = self.emit(g.BatchNormOp.create(operands=[d.value], result_types=[d.value.type], properties=props))
        self.set(node.output[0], Dyn(out, d.shape))

    # -- quantizers -----------------------------------------------------------------------
    def _bipolar(self, d: Dyn, scale: np.ndarray) -> Dyn:
        out = self.emit(g.QuantizeOp.create(operands=[d.value], result_types=[self.frame_type(d.shape, BipolarType())]))
        return Dyn(out, d.shape, np.asarray(scale, np.float32).reshape(-1))

    def op_BipolarQuant(self, node, ins) -> None:
        d = self.as_float(ins[0])
        scale = self.const(node.input[1], "BipolarQuant scale")
        if scale.size != 1 or not scale.reshape(-1)[0] > 0:
            raise self.error(
                f"activation scale {scale.reshape(-1)[:4]} is not one positive number", "use a per-tensor scale"
            )
        self.set(node.output[0], self._bipolar(d, scale))

    def op_MultiThreshold(self, node, ins) -> None:
        a = attrs(node)
        dtype = a.get("out_dtype", b"")
        dtype = dtype.decode() if isinstance(dtype, bytes) else dtype
        th = np.asarray(self.const(node.input[1], "thresholds"), np.float32)
        d = self.as_float(ins[0])
        if (
            dtype == "BIPOLAR"
            and th.shape[-1] == 1
            and a.get("out_scale", 1.0) == 2.0
            and a.get("out_bias", 0.0) == -1.0
        ):
            t = th.reshape(-1)
            if np.any(t != 0):
                # x - t >= 0 exactly when x >= t for finite floats, so this keeps the comparison exact.
                vec = self.channel_vector(t, d.shape, "thresholds")
                out = self.emit(
                    g.ElementwiseOp.create(
                        operands=[d.value],
                        result_types=[d.value.type],
                        properties={
                            "kind": ElementwiseKindAttr(ElementwiseKind.SUB),
                            "constant": dense_from_numpy(vec),
                        },
                    )
                )
                d = Dyn(out, d.shape)
            self.set(node.output[0], self._bipolar(d, np.ones(1, np.float32)))
            return
        raise self.error(
            f"MultiThreshold with out_dtype {dtype or '?'} and {th.shape[-1]} thresholds",
            "lowbitc supports BIPOLAR MultiThreshold so far (multi-bit comes with the multi-bit issue)",
        )


def _sum_range(a, b) -> tuple[int, int]:
    alo, ahi = element_range(a)
    blo, bhi = element_range(b)
    return alo + blo, ahi + bhi
