"""Import of the 8-bit (or k-bit) input quantizer, convolutions and max-pool: the part of the
ONNX walk specific to convolutional networks. Mixed into `Importer`, whose helpers it uses."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from xdsl.dialects.builtin import BoolAttr, DenseArrayBase, IntegerAttr, Signedness, TensorType, f32, i64
from xdsl.ir import SSAValue

from lowbitc.dialects.lowbit import ops_graph as g
from lowbitc.dialects.lowbit.attributes import (
    ElementwiseKind,
    ElementwiseKindAttr,
    RoundingMode,
    RoundingModeAttr,
    dense_from_numpy,
)
from lowbitc.dialects.lowbit.checks import product_range
from lowbitc.dialects.lowbit.ops_conv import ConvOp, MaxPoolOp, input_range, output_size
from lowbitc.dialects.lowbit.ops_gap import GlobalSumOp
from lowbitc.dialects.lowbit.types import BipolarType, bits_for_range, element_range, int_type
from lowbitc.importer.onnx_graph import attrs


@dataclass
class Dyn:
    """A per-frame IR value; ``shape`` includes the batch axis; ``scale`` (integer values
    only) is what the model multiplies the integer codes by."""

    value: SSAValue
    shape: tuple[int, ...]
    scale: np.ndarray | None = None

    @property
    def is_float(self) -> bool:
        return isinstance(self.value.type, TensorType) and self.value.type.element_type == f32


class SpatialImporter:
    """Handlers for Quant, Conv and MaxPool (see the module docstring)."""

    def op_Quant(self, node, ins) -> None:
        d = self.as_float(ins[0])
        a = attrs(node)
        scale = np.asarray(self.const(node.input[1], "Quant scale"), np.float32)
        zp = np.asarray(self.const(node.input[2], "Quant zero point"), np.float32)
        bits = np.asarray(self.const(node.input[3], "Quant bit width")).reshape(-1)
        if bits.size != 1 or bits[0] != int(bits[0]) or not 2 <= int(bits[0]) <= 16:
            raise self.error(
                f"bit width {bits.tolist()} is not one integer in [2, 16]",
                "quantize activations to 2..16 bits (BipolarQuant for 1 bit)",
            )
        if np.any(zp != 0):
            raise self.error("non-zero zero point", "use a symmetric quantizer (zero point 0)")
        if scale.size != 1 or not scale.reshape(-1)[0] > 0:
            raise self.error("activation scale is not one positive number", "use a per-tensor scale")
        rounding = a.get("rounding_mode", b"ROUND")
        rounding = rounding.decode() if isinstance(rounding, bytes) else rounding
        if rounding.upper() not in ("ROUND", "FLOOR", "CEIL"):
            raise self.error(f"rounding mode {rounding}", "use ROUND, FLOOR or CEIL")
        signed = bool(a.get("signed", 1))
        props = {
            "scale": dense_from_numpy(scale.reshape(1)),
            "zero_point": dense_from_numpy(np.zeros(1, np.float32)),
            "rounding": RoundingModeAttr(RoundingMode(rounding.lower())),
        }
        if a.get("narrow", 0):
            props["narrow"] = BoolAttr.from_bool(True)
        out = self.emit(
            g.QuantizeOp.create(
                operands=[d.value],
                result_types=[self.frame_type(d.shape, int_type(int(bits[0]), signed))],
                properties=props,
            )
        )
        self.set(node.output[0], Dyn(out, d.shape, scale.reshape(1)))

    def _quantized(self, x, what: str) -> Dyn:
        if not isinstance(x, Dyn):
            raise self.error(f"the {what} input must depend on the network input", "check the graph")
        if x.is_float:
            raise self.error(
                f"float input to a {what}: the layer has no activation quantizer",
                "add a BipolarQuant or Quant before it",
            )
        return x

    def op_Conv(self, node, ins) -> None:
        x = self._quantized(ins[0], "convolution")
        a = attrs(node)
        if len(x.shape) != 4:
            raise self.error(f"input of shape {list(x.shape)} is not [batch, C, H, W]", "use 2-D convolutions")
        w = np.asarray(self.const(node.input[1], "Conv weight"), np.float32)
        group = int(a.get("group", 1))
        if any(v != 1 for v in a.get("dilations", [1, 1])):
            raise self.error("dilated convolution", "use dilation 1")
        auto_pad = a.get("auto_pad", b"NOTSET")
        if (auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad) != "NOTSET":
            raise self.error(f"auto_pad {auto_pad}", "export with explicit pads")
        cout, cin, kh, kw = w.shape
        if cin * group != x.shape[1] or cout % group:
            raise self.error(
                f"weights expect {cin} x {group} groups input channels, the input has {x.shape[1]}", "fix the model"
            )
        strides = list(a.get("strides", [1, 1]))
        p = list(a.get("pads", [0, 0, 0, 0]))
        pads = [p[0], p[1], p[2], p[3]]  # ONNX: [top, left, bottom, right]
        weights, sw = self.weights(node.input[1], lambda a: a.reshape(cout, -1))
        ho = output_size(x.shape[2], kh, strides[0], pads[0], pads[2])
        wo = output_size(x.shape[3], kw, strides[1], pads[1], pads[3])
        input_range(x.value.type)
        width, signed = bits_for_range(*product_range(x.value.type.element_type, weights))
        out = self.emit(
            ConvOp.create(
                operands=[x.value],
                result_types=[self.frame_type((x.shape[0], cout, ho, wo), int_type(width, signed))],
                properties={
                    "weights": weights,
                    "kernel": DenseArrayBase.from_list(i64, [kh, kw]),
                    "strides": DenseArrayBase.from_list(i64, strides),
                    "pads": DenseArrayBase.from_list(i64, pads),
                }
                | ({"group": IntegerAttr(group, i64)} if group > 1 else {}),
            )
        )
        scale = (np.float32(x.scale.reshape(-1)[0]) * sw).astype(np.float32)
        self.set(node.output[0], Dyn(out, (x.shape[0], cout, ho, wo), scale))
        if len(node.input) > 2 and node.input[2]:
            bias = np.asarray(self.const(node.input[2], "Conv bias"), np.float32)
            acc = self.as_float(self.env[node.output[0]])
            res = self.emit(
                g.ElementwiseOp.create(
                    operands=[acc.value],
                    result_types=[acc.value.type],
                    properties={
                        "kind": ElementwiseKindAttr(ElementwiseKind.ADD),
                        "constant": dense_from_numpy(bias.reshape(-1)),
                    },
                )
            )
            self.set(node.output[0], Dyn(res, acc.shape))

    def op_MaxPool(self, node, ins) -> None:
        x = self._quantized(ins[0], "max-pool")
        a = attrs(node)
        if len(x.shape) != 4:
            raise self.error(f"input of shape {list(x.shape)} is not [batch, C, H, W]", "use 2-D pooling")
        if a.get("ceil_mode", 0) or any(v != 1 for v in a.get("dilations", [1, 1])):
            raise self.error("dilated or ceil-mode max-pool", "use plain max-pool (ceil_mode 0, dilation 1)")
        auto_pad = a.get("auto_pad", b"NOTSET")
        if (auto_pad.decode() if isinstance(auto_pad, bytes) else auto_pad) != "NOTSET":
            raise self.error(f"auto_pad {auto_pad}", "export with explicit pads")
        if len(node.output) > 1 and node.output[1]:
            raise self.error("the Indices output is used", "use only the pooled values")
        if x.scale is not None and x.scale.size > 1:
            raise self.error("max-pool of a per-channel scaled tensor", "pool after the activation quantizer")
        kh, kw = a["kernel_shape"]
        strides = list(a.get("strides", [1, 1]))
        p = [int(v) for v in a.get("pads", [0, 0, 0, 0])]
        pads = [p[0], p[1], p[2], p[3]]  # ONNX: [top, left, bottom, right]
        props = {"kernel": DenseArrayBase.from_list(i64, [kh, kw]), "strides": DenseArrayBase.from_list(i64, strides)}
        if any(pads):
            # ONNX pads with -inf; the hardware pads with the lowest code, which is exact because
            # every window holds a pixel of the map (pads below the kernel): unsigned codes pad
            # with 0 and bipolar maps with -1 (bit 0). Signed codes would need their most
            # negative code, which the pad unit does not produce.
            elt = x.value.type.element_type
            if max(pads[0], pads[2]) >= kh or max(pads[1], pads[3]) >= kw or min(pads) < 0:
                raise self.error(
                    f"max-pool pads {pads} reach a whole {kh}x{kw} window", "use pads below the kernel size"
                )
            if not isinstance(elt, BipolarType) and elt.signedness.data == Signedness.SIGNED:
                raise self.error(
                    f"padded max-pool of signed codes ({elt}): the pad value 0 is not the lowest code",
                    "quantize the pooled map unsigned (ReLU + Quant with signed=0), or pool without padding",
                )
            props["pads"] = DenseArrayBase.from_list(i64, pads)
        ho, wo = (
            output_size(x.shape[2], kh, strides[0], pads[0], pads[2]),
            output_size(x.shape[3], kw, strides[1], pads[1], pads[3]),
        )
        out = self.emit(
            MaxPoolOp.create(
                operands=[x.value],
                result_types=[TensorType(x.value.type.element_type, (x.shape[1], ho, wo))],
                properties=props,
            )
        )
        self.set(node.output[0], Dyn(out, (x.shape[0], x.shape[1], ho, wo), x.scale))

    def op_GlobalAveragePool(self, node, ins) -> None:
        """The integer sum of each channel in hardware, then the float division by H*W (which
        `streamline` folds into the next quantizer's thresholds)."""
        x = self._quantized(ins[0], "global average pool")
        if len(x.shape) != 4:
            raise self.error(f"input of shape {list(x.shape)} is not [batch, C, H, W]", "use 2-D pooling")
        elt = x.value.type.element_type
        if isinstance(elt, BipolarType):
            raise self.error(
                "global average pool of bipolar values", "quantize the pooled map to 2..8-bit codes (Quant)"
            )
        if x.scale is None or x.scale.size > 1:
            raise self.error(
                "global average pool of a per-channel scaled tensor", "pool after a per-tensor activation quantizer"
            )
        n, c, hgt, wid = x.shape
        lo, hi = element_range(elt)
        width, signed = bits_for_range(lo * hgt * wid, hi * hgt * wid)
        total = self.emit(
            GlobalSumOp.create(
                operands=[x.value], result_types=[self.frame_type((n, c, 1, 1), int_type(width, signed))]
            )
        )
        summed = self.as_float(Dyn(total, (n, c, 1, 1), x.scale))
        out = self.emit(
            g.ElementwiseOp.create(
                operands=[summed.value],
                result_types=[summed.value.type],
                properties={
                    "kind": ElementwiseKindAttr(ElementwiseKind.DIV),
                    "constant": dense_from_numpy(np.array([hgt * wid], np.float32)),
                },
            )
        )
        self.set(node.output[0], Dyn(out, (n, c, 1, 1)))
