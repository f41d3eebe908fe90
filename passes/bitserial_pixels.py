"""The convolutional half of `bitserial`: feature maps become channels-last pixel streams.

Every convolution becomes a sliding window (`lowbit.window`, elements in (ky, kx, c) order, so
the weight columns are reordered from ONNX's (c, ky, kx)) and a `lowbit.matmul` over the last
axis, which `bitserial` then lowers like a dense layer's product. Max-pool becomes window +
`window_max` (an OR on bits, a maximum on integers), after a `lowbit.pad` when the pool is
padded (with the lowest value, which never wins: 0 for unsigned codes, -1 for bipolar maps, which
stay bipolar; signed codes are refused); a global sum
becomes a `sum_unit` over the pixel stream. A zero-padded convolution first pads the map with
`lowbit.pad` (bipolar widened to si2, so the 0 is exact), except a binary one on a bipolar map
followed by thresholds: its map is padded with +1 and stays bipolar (XNOR lanes), and each
threshold t becomes t + corr[case, c], corr being the sum of channel c's weights over the
padded positions of the output pixel's border case (`#lowbit.border`), so the comparison stays
exact. A grouped or depthwise
convolution becomes a dense one with zero weights outside each group. The flatten before the dense
layers becomes a reshape of the [H, W, C] map, with the next matmul's weight columns permuted
from ONNX's (c, h, w) order to (h, w, c). The original channels-first ops must end up unused.
"""

from __future__ import annotations

import numpy as np
from xdsl.dialects.builtin import DenseArrayBase, IntegerAttr, IntegerType, ModuleOp, Signedness, TensorType, i64
from xdsl.ir import Operation, SSAValue
from xdsl.rewriter import InsertPoint, Rewriter
from xdsl.utils.exceptions import DiagnosticException

from lowbitc.dialects.lowbit import ops_graph as g
from lowbitc.dialects.lowbit.attributes import (
    BitMatrixAttr,
    IntMatrixAttr,
    dense_from_numpy,
    numpy_from_dense,
    weight_values,
)
from lowbitc.dialects.lowbit.border import BorderAttr
from lowbitc.dialects.lowbit.checks import product_range
from lowbitc.dialects.lowbit.ops_conv import ConvOp, MaxPoolOp
from lowbitc.dialects.lowbit.ops_gap import GlobalSumOp, SumUnitOp
from lowbitc.dialects.lowbit.ops_pixels import PadOp, ToPixelsOp, WindowMaxOp, WindowOp
from lowbitc.dialects.lowbit.ops_residual import AddOp
from lowbitc.dialects.lowbit.types import BipolarType, bits_for_range, int_type


def dense_weights(
    weights: BitMatrixAttr | IntMatrixAttr, groups: int, cin: int, taps: int
) -> BitMatrixAttr | IntMatrixAttr:
    """A grouped convolution as a dense one: output channel c of group i sees only group i's
    inputs, so every other input gets weight 0 (binary weights become ternary si2). The unit
    computes the zeros too: simple and exact, though a depthwise layer pays `groups` times the
    lanes of a dedicated unit."""
    if groups == 1:
        return weights
    values = weight_values(weights).astype(np.int64)
    cout, k = values.shape
    cin_g, cout_g = cin // groups, cout // groups
    dense = np.zeros((cout, cin, taps), np.int64)
    for i in range(groups):
        rows = slice(i * cout_g, (i + 1) * cout_g)
        dense[rows, i * cin_g : (i + 1) * cin_g] = values[rows].reshape(cout_g, cin_g, taps)
    elt = weights.element_type if isinstance(weights, IntMatrixAttr) else int_type(2, True)
    return IntMatrixAttr.from_numpy(dense.reshape(cout, cin * taps), elt)


def window_order(cin: int, kh: int, kw: int) -> np.ndarray:
    """perm[j] = ONNX column (c, ky, kx) of column j in the (ky, kx, c) order of `lowbit.window`."""
    return np.arange(cin * kh * kw).reshape(cin, kh, kw).transpose(1, 2, 0).reshape(-1)


def permute_columns(weights: BitMatrixAttr | IntMatrixAttr, perm: np.ndarray) -> BitMatrixAttr | IntMatrixAttr:
    """The same weights with column j taken from column perm[j]."""
    if isinstance(weights, BitMatrixAttr):
        return BitMatrixAttr.from_numpy(weights.to_numpy()[:, perm])
    return IntMatrixAttr.from_numpy(weights.to_numpy()[:, perm], weights.element_type)


def border_corrections(border: BorderAttr, weights: BitMatrixAttr) -> np.ndarray:
    """corr[case, c]: the sum of channel c's +-1 weights (columns in window order) over the
    positions that case pads. With +1 padding, XNOR dot = true dot + corr."""
    kh, kw = border.kernel
    w = weights.to_numpy().astype(np.int64) * 2 - 1
    per_tap = w.reshape(w.shape[0], kh * kw, -1).sum(axis=2)  # [C, taps]
    return border.case_positions().reshape(border.cases, kh * kw).astype(np.int64) @ per_tap.T


def flatten_permutation(c: int, hgt: int, wid: int) -> np.ndarray:
    """perm[j] = ONNX flatten index (c, h, w) of element j of the (h, w, c) flatten."""
    return np.arange(c * hgt * wid).reshape(c, hgt, wid).transpose(1, 2, 0).reshape(-1)


class PixelLowering:
    def __init__(self) -> None:
        self.rw = Rewriter()
        self.pixels: dict[SSAValue, SSAValue] = {}  # channels-first value -> channels-last twin
        self.flattened: dict[SSAValue, tuple[SSAValue, np.ndarray]] = {}
        self.replaced: list[Operation] = []

    def insert(self, before: Operation, *ops: Operation) -> None:
        self.rw.insert_op(list(ops), InsertPoint.before(before))

    def to_pixels(self, value: SSAValue, before: Operation) -> SSAValue:
        if value not in self.pixels:
            c, hgt, wid = value.type.get_shape()
            op = ToPixelsOp.create(operands=[value], result_types=[TensorType(value.type.element_type, (hgt, wid, c))])
            self.insert(before, op)
            self.pixels[value] = op.output
        return self.pixels[value]

    def pad(self, x: SSAValue, pads, before: Operation, fill: int = 0) -> SSAValue:
        hgt, wid, c = x.type.get_shape()
        top, left, bottom, right = pads
        elt = x.type.element_type
        out_elt = IntegerType(2, Signedness.SIGNED) if isinstance(elt, BipolarType) and fill == 0 else elt
        props = {"pads": DenseArrayBase.from_list(i64, list(pads))} | ({"fill": IntegerAttr(fill, i64)} if fill else {})
        op = PadOp.create(
            operands=[x],
            result_types=[TensorType(out_elt, (top + hgt + bottom, left + wid + right, c))],
            properties=props,
        )
        self.insert(before, op)
        return op.output

    def window(self, x: SSAValue, kernel, strides, before: Operation) -> WindowOp:
        hgt, wid, c = x.type.get_shape()
        (kh, kw), (sh, sw) = kernel, strides
        ho, wo = (hgt - kh) // sh + 1, (wid - kw) // sw + 1
        op = WindowOp.create(
            operands=[x],
            result_types=[TensorType(x.type.element_type, (ho, wo, kh * kw * c))],
            properties={
                "kernel": DenseArrayBase.from_list(i64, [kh, kw]),
                "strides": DenseArrayBase.from_list(i64, [sh, sw]),
            },
        )
        self.insert(before, op)
        return op

    def conv(self, conv: ConvOp) -> None:
        kernel, strides = conv.kernel.get_values(), conv.strides.get_values()
        pads = conv.pads.get_values()
        cin = conv.input.type.get_shape()[0]
        x = self.to_pixels(conv.input, conv)
        border = None
        if any(pads) and self.xnor_border(conv):
            # +1 padding: the map stays bipolar; the border cases' corrections go into the
            # thresholds (see the module docstring).
            hgt, wid = x.type.get_shape()[:2]
            border = BorderAttr.build((hgt, wid), kernel, strides, pads)
            x = self.pad(x, pads, conv, fill=1)
        elif any(pads):
            # Zero padding: the map becomes integers (bipolar widened to si2) with 0 borders, and
            # the layer runs on an integer product, where a 0 simply contributes nothing.
            x = self.pad(x, pads, conv)
        win = self.window(x, kernel, strides, conv)
        ho, wo, k = win.output.type.get_shape()
        weights = permute_columns(
            dense_weights(conv.weights, conv.groups, cin, kernel[0] * kernel[1]), window_order(cin, *kernel)
        )
        cout = weights.shape[0]
        width, signed = bits_for_range(*product_range(x.type.element_type, weights))
        # A plain product over the window axis; `bitserial` lowers it like every other product.
        product = g.MatMulOp.create(
            operands=[win.output],
            result_types=[TensorType(int_type(width, signed), (ho, wo, cout))],
            properties={"weights": weights},
        )
        self.insert(conv, product)
        self.thresholds(
            conv,
            product.output,
            "a convolution",
            border,
            None if border is None else border_corrections(border, weights),
        )
        self.replaced.append(conv)

    @staticmethod
    def xnor_border(conv: ConvOp) -> bool:
        """The one place that chooses +1 padding on XNOR lanes over the si2 path: binary
        weights, a bipolar map, and only thresholds after the convolution."""
        return (
            isinstance(conv.input.type.element_type, BipolarType)
            and isinstance(conv.weights, BitMatrixAttr)
            and conv.groups == 1
            and bool(conv.output.uses)
            and all(isinstance(u.operation, g.ThresholdOp) for u in conv.output.uses)
        )

    def thresholds(
        self,
        op: Operation,
        pixels: SSAValue,
        what: str,
        border: BorderAttr | None = None,
        corr: np.ndarray | None = None,
    ) -> None:
        """The activation thresholds after ``op`` move to its channels-last twin ``pixels``;
        with a ``border``, as the table t[c, i] + corr[case, c]."""
        for use in list(op.results[0].uses):
            th = use.operation
            if not isinstance(th, g.ThresholdOp):
                raise DiagnosticException(
                    f"bitserial: {what} feeds {th.name}; it must feed an activation threshold (run streamline first)"
                )
            props = dict(th.properties) | {"axis": IntegerAttr(2, i64)}
            if border is not None:
                table = numpy_from_dense(th.thresholds)[None, :, :] + corr[:, :, None]
                props |= {"thresholds": dense_from_numpy(table.astype(np.int64)), "border": border}
            new = g.ThresholdOp.create(
                operands=[pixels],
                result_types=[TensorType(th.output.type.element_type, pixels.type.get_shape())],
                properties=props,
            )
            self.insert(th, new)
            self.pixels[th.output] = new.output
            self.replaced.append(th)

    def add(self, add: AddOp) -> None:
        """A residual add of two maps: the same add on their pixel streams."""
        a, b = (self.to_pixels(v, add) for v in (add.lhs, add.rhs))
        c, hgt, wid = add.output.type.get_shape()
        new = AddOp.create(operands=[a, b], result_types=[TensorType(add.output.type.element_type, (hgt, wid, c))])
        self.insert(add, new)
        self.thresholds(add, new.output, "a residual add")
        self.replaced.append(add)

    def maxpool(self, pool: MaxPoolOp) -> None:
        x = self.to_pixels(pool.input, pool)
        kernel = pool.kernel.get_values()
        if any(pool.padding):
            # Padding with the lowest value (0 for unsigned codes, -1 = bit 0 for bipolar maps) is
            # exact: every window holds a pixel of the map, so the border never wins, as with
            # ONNX's -inf padding.
            elt = x.type.element_type
            if isinstance(elt, BipolarType):
                x = self.pad(x, pool.padding, pool, fill=-1)
            elif isinstance(elt, IntegerType) and elt.signedness.data == Signedness.UNSIGNED:
                x = self.pad(x, pool.padding, pool)
            else:
                raise DiagnosticException(
                    f"bitserial: a padded max-pool of {elt} values cannot pad with its lowest value; "
                    "only unsigned codes (pad 0) and bipolar maps (pad -1) are lowered"
                )
        win = self.window(x, kernel, pool.strides.get_values(), pool)
        ho, wo, kc = win.output.type.get_shape()
        size = kernel[0] * kernel[1]
        m = WindowMaxOp.create(
            operands=[win.output],
            result_types=[TensorType(x.type.element_type, (ho, wo, kc // size))],
            properties={"size": IntegerAttr(size, i64)},
        )
        self.insert(pool, m)
        self.pixels[pool.output] = m.output
        self.replaced.append(pool)

    def global_sum(self, op: GlobalSumOp) -> None:
        """A global pool sums the pixel stream per channel: one [1, 1, C] beat per frame."""
        x = self.to_pixels(op.input, op)
        c = x.type.get_shape()[-1]
        elt = op.output.type.element_type
        unit = SumUnitOp.create(operands=[x], result_types=[TensorType(elt, (1, 1, c))])
        self.insert(op, unit)
        if all(isinstance(u.operation, g.ThresholdOp) for u in op.output.uses):
            self.thresholds(op, unit.output, "a global pool")
        else:
            # The raw sums go to the host (the model's output, or float arithmetic after it): the
            # [1, 1, C] pixel is the [C, 1, 1] map, flattened in hardware and reshaped on the host.
            flat = g.ReshapeOp.create(operands=[unit.output], result_types=[TensorType(elt, (c,))])
            back = g.ReshapeOp.create(operands=[flat.output], result_types=[op.output.type])
            self.insert(op, flat, back)
            op.output.replace_all_uses_with(back.output)
        self.replaced.append(op)

    def flatten(self, reshape: g.ReshapeOp) -> None:
        x = self.pixels[reshape.input]
        c, hgt, wid = reshape.input.type.get_shape()
        if reshape.output.type.get_shape() != (c * hgt * wid,):
            raise DiagnosticException(
                f"bitserial: a feature map is reshaped to {list(reshape.output.type.get_shape())}; only a flatten to "
                "the dense layers is lowered"
            )
        flat = g.ReshapeOp.create(operands=[x], result_types=[reshape.output.type])
        self.insert(reshape, flat)
        perm = flatten_permutation(c, hgt, wid)
        for use in list(reshape.output.uses):
            mm = use.operation
            if not isinstance(mm, g.MatMulOp):
                raise DiagnosticException(
                    f"bitserial: a flattened feature map feeds {mm.name}; only dense layers are lowered"
                )
            new = g.MatMulOp.create(
                operands=[flat.output],
                result_types=[mm.output.type],
                properties={"weights": permute_columns(mm.weights, perm)},
            )
            self.insert(mm, new)
            mm.output.replace_all_uses_with(new.output)
            self.replaced.append(mm)
        self.replaced.append(reshape)

    def run(self, module: ModuleOp) -> None:
        for op in list(module.walk()):
            if isinstance(op, ConvOp):
                self.conv(op)
            elif isinstance(op, MaxPoolOp):
                self.maxpool(op)
            elif isinstance(op, GlobalSumOp):
                self.global_sum(op)
            elif isinstance(op, AddOp) and len(op.output.type.get_shape()) == 3:
                self.add(op)
            elif isinstance(op, g.ReshapeOp) and op.input in self.pixels:
                self.flatten(op)
        replaced = set(self.replaced)
        for op in reversed([o for o in module.walk() if o in replaced]):  # users before producers
            if op.results and op.results[0].uses:
                user = next(iter(op.results[0].uses)).operation
                raise DiagnosticException(
                    f"bitserial: {user.name} uses a channels-first feature map, which is not lowered to hardware"
                )
            self.rw.erase_op(op)


def lower_pixels(module: ModuleOp) -> None:
    PixelLowering().run(module)
