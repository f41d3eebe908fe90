"""Quantized weights: from the folded float constants back to integer codes and a scale.

A weight quantizer (`Quant`, `BipolarQuant`) on an initializer is folded to floats like any
constant, but the importer also remembers its codes' scale and integer type, and carries that
record through the layout ops between the quantizer and the product (`Transpose`, `Reshape`...).
The product then divides by the scale to get exact integer codes. Weights without a quantizer
(FINN-ONNX stores them as plain floats) are accepted when they are binary (each row is +-s) or
small integers.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import onnx
from xdsl.dialects.builtin import IntegerType

from lowbitc.dialects.lowbit.attributes import BitMatrixAttr, IntMatrixAttr
from lowbitc.dialects.lowbit.types import bits_for_range, int_type
from lowbitc.importer.onnx_graph import attrs, fold_constant

LAYOUT_OPS = {"Transpose", "Reshape", "Flatten", "Identity", "Squeeze", "Unsqueeze"}
"""Constant ops that move weights around without changing them: the record follows."""

MAX_WEIGHT_BITS = 8


@dataclass(frozen=True)
class QuantRecord:
    """What a weight quantizer said about its output: the scale (broadcast to the output's
    full shape, so layout ops move it along) and the codes' type (None: bipolar)."""

    scale: np.ndarray
    element_type: IntegerType | None


def record_for(
    node: onnx.NodeProto, ins: list, outs: list[np.ndarray], records: dict[str, QuantRecord], opset: int
) -> QuantRecord | None:
    """The record of a folded node's output, if it is quantized weights."""
    if node.op_type == "BipolarQuant":
        return QuantRecord(np.broadcast_to(np.asarray(ins[1], np.float32), outs[0].shape).copy(), None)
    if node.op_type == "Quant":
        a = attrs(node)
        bits = np.asarray(ins[3]).reshape(-1)
        if (
            bits.size != 1
            or np.any(np.asarray(ins[2]) != 0)
            or not 1 <= bits[0] <= MAX_WEIGHT_BITS
            or bits[0] != int(bits[0])
        ):
            return None
        elt = int_type(int(bits[0]), bool(a.get("signed", 1)))
        return QuantRecord(np.broadcast_to(np.asarray(ins[1], np.float32), outs[0].shape).copy(), elt)
    source = records.get(node.input[0]) if node.input else None
    if source is None or node.op_type not in LAYOUT_OPS:
        return None
    moved = fold_constant(node, [source.scale] + [v for v in ins[1:] if v is not None], opset)[0]
    return QuantRecord(np.asarray(moved, np.float32), source.element_type)


class WeightError(ValueError):
    """Weights the hardware cannot take; the message says why (the importer adds the fix)."""


def weight_matrix(w: np.ndarray, record: QuantRecord | None) -> tuple[BitMatrixAttr | IntMatrixAttr, np.ndarray]:
    """[C, K] float weights (and their record, oriented the same way) -> (weights attribute,
    per-channel float scale [C] or [1])."""
    w = np.asarray(w, np.float32)
    if not np.all(np.isfinite(w)):
        raise WeightError("weights hold NaN or Inf")
    if record is not None:
        scale = record.scale.reshape(w.shape)
        if np.any(scale <= 0) or not np.all(scale == scale[:, :1]):
            raise WeightError("the weight scale is not one positive number per output channel")
        s = scale[:, 0]
        codes = np.round(w / scale)
        if record.element_type is None or np.all(np.abs(codes) == 1):
            # Codes that are all +-1 are binary whatever the quantizer's width: XNOR lanes.
            return BitMatrixAttr.from_numpy((codes > 0).astype(np.uint8)), _compact(s)
        return _int_matrix(codes, record.element_type), _compact(s)
    s = np.abs(w).max(axis=1)
    if np.all(s > 0) and np.all(np.abs(w) == s[:, None]):
        return BitMatrixAttr.from_numpy((w > 0).astype(np.uint8)), _compact(s)
    if np.all(w == np.round(w)) and np.abs(w).max() <= 127:
        width, signed = bits_for_range(int(w.min()), int(w.max()))
        if width <= MAX_WEIGHT_BITS:
            return _int_matrix(w, int_type(width, signed)), np.ones(1, np.float32)
    raise WeightError("weights are neither binary (every row +-s), quantized by a Quant node, nor small integers")


def _int_matrix(codes: np.ndarray, elt: IntegerType) -> IntMatrixAttr:
    if elt.width.data > MAX_WEIGHT_BITS:
        raise WeightError(f"{elt.width.data}-bit weights (lowbitc takes at most {MAX_WEIGHT_BITS})")
    return IntMatrixAttr.from_numpy(codes.astype(np.int64), elt)


def _compact(s: np.ndarray) -> np.ndarray:
    s = s.astype(np.float32)
    return s[:1] if np.all(s == s[0]) else s
