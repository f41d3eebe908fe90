#!/usr/bin/env python3
"""Generate the 2-bit Brevitas test models in tests/models/generated/.

Each model NAME is built with Brevitas, its float weights are replaced by their exactly quantized
values (so the Quant on weights is the identity and the file compresses well), BatchNorm gets
random statistics calibrated on the test input so that every low-bit activation uses all its
levels, and it is exported with Brevitas' TorchScript QONNX exporter. Written per model:
NAME.onnx, NAME_in.npy (float32 input), NAME_out_torch.npy (PyTorch forward, float32), and for the
trained digits models NAME_test_labels.npy. Every export is checked against
qonnx.core.onnx_exec.execute_onnx (qonnx 1.0.0) on the saved input.

Needs torch and brevitas, which the test environment does not have; run it from the separate
virtualenv (see generated/README.md):
    python3.11 -m venv .venv-models && .venv-models/bin/pip install -e '.[models]'
    .venv-models/bin/python tests/models/generate.py [--only NAME]
"""

from __future__ import annotations

import argparse
import gzip
import sys
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import onnx
import torch
from brevitas.core.restrict_val import RestrictValueType
from brevitas.export import export_qonnx
from brevitas.nn import QuantConv2d, QuantIdentity, QuantLinear, QuantReLU
from brevitas_examples.bnn_pynq.models import model_with_cfg
from brevitas_examples.bnn_pynq.models.common import CommonActQuant, CommonWeightQuant
from brevitas_examples.bnn_pynq.models.tensor_norm import TensorNorm
from onnx import numpy_helper
from qonnx.core.modelwrapper import ModelWrapper
from qonnx.core.onnx_exec import execute_onnx
from qonnx.transformation.infer_shapes import InferShapes
from torch import nn

OUT_DIR = Path(__file__).resolve().parent / "generated"
BN_TYPES = (nn.BatchNorm1d, nn.BatchNorm2d, TensorNorm)
ACT_TYPES = (QuantIdentity, QuantReLU)
POT = RestrictValueType.POWER_OF_TWO


@dataclass
class Built:
    model: nn.Module
    x: torch.Tensor
    labels: np.ndarray | None = None
    residual_adds: int = 0  # Adds of two Quant outputs with the same quantizer, checked after export
    notes: list[str] = field(default_factory=list)


# ---------------------------------------------------------------- quantizers and model pieces


def q8_signed_input() -> QuantIdentity:
    """The BNN-PYNQ CNV input quantizer: Q1.7, 8-bit signed, scale 2^-7, range [-1, 1 - 2^-7]."""
    return QuantIdentity(
        act_quant=CommonActQuant,
        bit_width=8,
        min_val=-1.0,
        max_val=1.0 - 2.0**-7,
        narrow_range=False,
        restrict_scaling_type=POT,
    )


def q8_unsigned_input() -> QuantIdentity:
    """8-bit unsigned, scale 2^-7: pixels k/16 of the digits data are exact."""
    return QuantIdentity(
        act_quant=CommonActQuant,
        bit_width=8,
        signed=False,
        narrow_range=False,
        min_val=0.0,
        max_val=255 / 128,
        restrict_scaling_type=POT,
    )


def act_signed2(narrow: bool) -> QuantIdentity:
    """Signed 2-bit: narrow {-1,0,1} x 1.0 (the BNN-PYNQ CommonActQuant), else {-2,-1,0,1} x 0.5."""
    if narrow:
        return QuantIdentity(act_quant=CommonActQuant, bit_width=2)
    return QuantIdentity(act_quant=CommonActQuant, bit_width=2, narrow_range=False, min_val=-1.0, max_val=0.5)


def act_relu2(max_val: float, return_quant_tensor: bool = False) -> QuantReLU:
    """Unsigned 2-bit QuantReLU with a constant scale max_val / 3."""
    return QuantReLU(
        act_quant=CommonActQuant,
        bit_width=2,
        signed=False,
        narrow_range=False,
        min_val=0.0,
        max_val=max_val,
        return_quant_tensor=return_quant_tensor,
    )


def qlinear(cin: int, cout: int, wbits: int) -> QuantLinear:
    return QuantLinear(cin, cout, bias=False, weight_quant=CommonWeightQuant, weight_bit_width=wbits)


def qconv(cin: int, cout: int, wbits: int) -> QuantConv2d:
    return QuantConv2d(
        cin, cout, kernel_size=3, padding=1, bias=False, weight_quant=CommonWeightQuant, weight_bit_width=wbits
    )


def uniform_init(model: nn.Module) -> None:
    """BNN-PYNQ init: weights uniform in [-1, 1], so ternary rounding gives about 25/50/25 %."""
    for m in model.modules():
        if isinstance(m, (QuantLinear, QuantConv2d)):
            nn.init.uniform_(m.weight.data, -1.0, 1.0)


class DigitsMLP(nn.Module):
    """64-64-64-10 MLP with an 8-bit input quantizer, 2-bit activations and a BatchNorm head."""

    def __init__(self, wbits: int, unsigned_act: bool) -> None:
        super().__init__()
        self.unsigned_act = unsigned_act
        self.inp = q8_unsigned_input() if unsigned_act else q8_signed_input()
        layers: list[nn.Module] = []
        for cin, cout in ((64, 64), (64, 64)):
            act = act_relu2(3.0) if unsigned_act else act_signed2(narrow=False)
            layers += [qlinear(cin, cout, wbits), nn.BatchNorm1d(cout), act]
        layers += [qlinear(64, 10, wbits), nn.BatchNorm1d(10)]
        self.net = nn.Sequential(*layers)
        uniform_init(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        if not self.unsigned_act:
            x = 2.0 * x - 1.0
        return self.net(self.inp(x))


class ResBlock(nn.Module):
    """conv-BN-act-conv-BN-shared_act, plus the block input (quantized by the same shared_act
    instance), requantized by out_act: the Brevitas QuantBasicBlock pattern, at 2 bits."""

    def __init__(self, ch: int, shared_act: QuantReLU, out_act: QuantReLU) -> None:
        super().__init__()
        self.conv1, self.bn1, self.act1 = qconv(ch, ch, 2), nn.BatchNorm2d(ch), act_relu2(1.5)
        self.conv2, self.bn2, self.act2 = qconv(ch, ch, 2), nn.BatchNorm2d(ch), shared_act
        self.act_out = out_act

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        y = self.act1(self.bn1(self.conv1(x)))
        y = self.act2(self.bn2(self.conv2(y)))
        return self.act_out(y + x)


class SmallResNet(nn.Module):
    def __init__(self, ch: int = 16) -> None:
        super().__init__()
        self.inp = q8_signed_input()
        self.stem, self.bn = qconv(3, ch, 2), nn.BatchNorm2d(ch)
        self.act = act_relu2(1.5, return_quant_tensor=True)  # scale 0.5, shared with block1.act2
        sum1 = act_relu2(3.0, return_quant_tensor=True)  # scale 1.0: 0.5-sums hit round-half-even ties
        self.block1 = ResBlock(ch, shared_act=self.act, out_act=sum1)
        self.block2 = ResBlock(ch, shared_act=sum1, out_act=act_relu2(3.0))
        self.pool = nn.MaxPool2d(2)
        self.fc = qlinear(ch * 8 * 8, 10, 2)
        uniform_init(self)

    def forward(self, x: torch.Tensor) -> torch.Tensor:
        x = self.act(self.bn(self.stem(self.inp(x))))
        x = self.pool(self.block2(self.block1(x)))
        return self.fc(torch.flatten(x, 1))


# ---------------------------------------------------------------- weights and BatchNorm


@torch.no_grad()
def quantize_weights_in_place(model: nn.Module) -> None:
    """Replace every float weight by its quantized value (normalising -0.0 to 0.0)."""
    for m in model.modules():
        if isinstance(m, (QuantLinear, QuantConv2d)):
            qw = m.quant_weight()
            assert float(qw.scale.max()) == float(qw.scale.min()), "per-tensor weight scale expected"
            m.weight.copy_(qw.value + 0.0)


def act_range(q: nn.Module) -> tuple[float, float]:
    """(lowest, highest) output value of a Brevitas activation quantizer."""
    aq = q.act_quant
    s, b = float(aq.scale()), int(aq.bit_width())
    if not aq.is_signed:
        return 0.0, s * (2**b - 1)
    hi = 2 ** (b - 1) - 1
    return s * (-hi if aq.is_narrow_range else -hi - 1), s * hi


@torch.no_grad()
def calibrate_bn(model: nn.Module, x: torch.Tensor, gen: torch.Generator, zero_gamma: bool) -> None:
    """Random but sensible BatchNorm statistics: mean and variance near those of the BN's input on
    x, gamma of random sign and magnitude, beta near the middle of the next quantizer's range, so
    the normalised values spread over all its levels. TensorNorm heads get a random affine."""
    order: list[nn.Module] = []
    hooks = [
        m.register_forward_hook(lambda m, i, o: order.append(m))
        for m in model.modules()
        if isinstance(m, BN_TYPES + ACT_TYPES)
    ]
    model(x)
    for h in hooks:
        h.remove()
    bns = list(dict.fromkeys(m for m in order if isinstance(m, BN_TYPES)))

    def rand(*shape: int) -> torch.Tensor:
        return torch.rand(*shape, generator=gen)

    for k, bn in enumerate(bns):
        after = order[order.index(bn) + 1 :]
        nxt = next((m for m in after if isinstance(m, ACT_TYPES)), None)
        got: list[torch.Tensor] = []
        h = bn.register_forward_hook(lambda m, i, o, got=got: got.append(i[0]))
        model(x)
        h.remove()
        t = got[0]
        if isinstance(bn, TensorNorm):
            bn.running_mean.fill_(float(t.mean()))
            bn.running_var.fill_(float(t.var()))
            bn.weight.fill_(0.5 + float(rand(1)))
            bn.bias.fill_(float(rand(1)) - 0.5)
            continue
        dims = [d for d in range(t.dim()) if d != 1]
        mean, std = t.mean(dims), t.std(dims) + 0.5
        c = mean.numel()
        bn.running_mean.copy_(mean + 0.2 * std * (rand(c) - 0.5))
        bn.running_var.copy_((std * (0.8 + 0.4 * rand(c))) ** 2)
        lo, hi = act_range(nxt) if nxt is not None else (-1.0, 1.0)
        mid, half = (lo + hi) / 2, (hi - lo) / 2
        sign = torch.where(rand(c) < 0.2, -1.0, 1.0)  # about 20 % negative gamma
        bn.weight.copy_(sign * half * (0.7 + 0.6 * rand(c)))
        bn.bias.copy_(mid + half * 0.5 * (rand(c) - 0.5))
        if zero_gamma and k == 0:
            bn.weight[0] = 0.0  # one constant channel in the first layer


# ---------------------------------------------------------------- the models


def pixels(shape: tuple[int, ...], gen: torch.Generator) -> torch.Tensor:
    return torch.randint(0, 256, shape, generator=gen).float() / 255.0


def build_bnn_pynq(cfg: str, shape: tuple[int, ...], zero_gamma: bool) -> Callable[[], Built]:
    def build() -> Built:
        torch.manual_seed(0)
        gen = torch.Generator().manual_seed(1)
        model, _ = model_with_cfg(cfg, pretrained=False)
        model.eval()
        quantize_weights_in_place(model)
        x = pixels(shape, gen)
        calibrate_bn(model, x, gen, zero_gamma)
        return Built(model, x, notes=[f"brevitas_examples.bnn_pynq cfg {cfg}, random weights"])

    return build


def build_resnet() -> Built:
    torch.manual_seed(0)
    gen = torch.Generator().manual_seed(1)
    model = SmallResNet().eval()
    quantize_weights_in_place(model)
    x = torch.rand(4, 3, 16, 16, generator=gen) * 2.0 - 1.0
    calibrate_bn(model, x, gen, zero_gamma=False)
    return Built(model, x, residual_adds=2, notes=["random weights"])


def build_digits(wbits: int, unsigned_act: bool) -> Callable[[], Built]:
    def build() -> Built:
        from sklearn.datasets import load_digits
        from sklearn.model_selection import train_test_split

        torch.manual_seed(0)
        data = load_digits()
        xs = (data.data / 16.0).astype(np.float32)
        xtr, xte, ytr, yte = train_test_split(xs, data.target, test_size=360, random_state=0, stratify=data.target)
        model = DigitsMLP(wbits, unsigned_act)
        opt = torch.optim.Adam(model.parameters(), lr=0.01)
        sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=40)
        xt, yt = torch.from_numpy(xtr), torch.from_numpy(ytr).long()
        gen = torch.Generator().manual_seed(2)
        for _ in range(40):
            model.train()
            for idx in torch.randperm(len(xt), generator=gen).split(64):
                opt.zero_grad()
                nn.functional.cross_entropy(model(xt[idx]), yt[idx]).backward()
                opt.step()
                for m in model.modules():
                    if isinstance(m, QuantLinear):
                        m.weight.data.clamp_(-1.0, 1.0)
            sched.step()
        model.eval()
        x = torch.from_numpy(xte)
        with torch.no_grad():
            before = model(x)
            quantize_weights_in_place(model)
            assert torch.equal(before, model(x)), "weight replacement changed the forward"
        acc = float((before.argmax(1).numpy() == yte).mean())
        return Built(
            model, x, labels=yte.astype(np.int64), notes=[f"trained 40 epochs on sklearn digits, test top-1 {acc:.1%}"]
        )

    return build


MODELS: dict[str, Callable[[], Built]] = {
    "tfc_w1a2": build_bnn_pynq("tfc_1w2a", (4, 1, 28, 28), zero_gamma=False),
    "tfc_w2a2": build_bnn_pynq("tfc_2w2a", (4, 1, 28, 28), zero_gamma=True),
    "cnv_w1a2": build_bnn_pynq("cnv_1w2a", (4, 3, 32, 32), zero_gamma=False),
    "cnv_w2a2": build_bnn_pynq("cnv_2w2a", (4, 3, 32, 32), zero_gamma=True),
    "digits_w1a2": build_digits(1, unsigned_act=False),
    "digits_w2a2": build_digits(2, unsigned_act=True),
    "resnet_w2a2": build_resnet,
}


# ---------------------------------------------------------------- export and checks


def quant_attrs(node: onnx.NodeProto, inits: dict[str, np.ndarray]) -> tuple[str, float, int]:
    """(short description, scale, bit width) of a Quant or BipolarQuant node."""
    if node.op_type == "BipolarQuant":
        return "bipolar", float(inits[node.input[1]].max()), 1
    a = {x.name: onnx.helper.get_attribute_value(x) for x in node.attribute}
    scale, zp, bits = (inits[i] for i in node.input[1:4])
    assert float(np.abs(zp).max()) == 0.0, f"{node.name}: nonzero zero point"
    assert scale.size == 1, f"{node.name}: per-channel scale"
    desc = f"{int(bits)}b {'s' if a['signed'] else 'u'}{' narrow' if a['narrow'] else ''}"
    return desc, float(scale.max()), int(bits)


def levels(bits: int, signed: bool, narrow: bool) -> list[int]:
    if bits == 1 and signed:
        return [-1, 1]
    lo = -(2 ** (bits - 1)) + narrow if signed else 0
    return list(range(lo, lo + 2**bits - narrow))


def check_export(name: str, path: Path, x: np.ndarray, y: np.ndarray) -> dict[str, object]:
    raw = onnx.load(str(path))
    inits = {t.name: numpy_helper.to_array(t) for t in raw.graph.initializer}
    wrapper = ModelWrapper(raw).transform(InferShapes())
    ctx = execute_onnx(wrapper, {wrapper.graph.input[0].name: x}, return_full_exec_context=True)
    got = ctx[wrapper.graph.output[0].name]
    assert got.shape == y.shape, (got.shape, y.shape)
    integer = bool(np.all(y == np.round(y)))
    # Float heads (BatchNorm, TensorNorm) may differ by a few ULP of the output's magnitude; an
    # element near zero can then be many of its own ULP off, so measure against max |y|.
    ulp = int(np.max(np.abs(got - y)) / np.spacing(np.float32(np.max(np.abs(y)))))
    assert ulp <= (0 if integer else 4), f"{name}: qonnx differs from torch by {ulp} ULP of max |y|"
    assert np.array_equal(got.argmax(-1), y.argmax(-1)), f"{name}: argmax differs"
    print(f"  quantizers ({name}):")
    qattrs: list[str] = []
    for node in raw.graph.node:
        if node.op_type not in ("Quant", "BipolarQuant"):
            continue
        desc, scale, bits = quant_attrs(node, inits)
        weight = node.input[0] in inits
        kind = "weight" if weight else "act"
        qattrs.append(f"{kind} {desc} x{scale:g}")
        out = ctx[node.output[0]]
        assert not weight or np.array_equal(inits[node.input[0]], out), f"{node.name}: not the identity"
        ints = np.round(out / scale).astype(np.int64)
        a = {x.name: onnx.helper.get_attribute_value(x) for x in node.attribute}
        want = levels(bits, bool(a.get("signed", 1)), bool(a.get("narrow", 0)))
        used, counts = np.unique(ints, return_counts=True)
        assert set(used.tolist()) <= set(want), f"{node.name}: levels {used} outside {want}"
        where = node.output[0].rsplit("/export_handler", 1)[0]
        hist = " ".join(f"{v:+d}:{100 * c / ints.size:4.1f}%" for v, c in zip(used, counts))
        if bits > 2:
            hist = f"{len(used)} of {len(want)} levels used"
        elif not weight:
            assert len(used) == len(want), f"{name} {where}: only levels {used.tolist()} of {want} used"
        print(f"    {kind:6s} {desc:12s} x{scale:<6g} {where:44s} {hist}")
    ops = sorted({n.op_type for n in raw.graph.node})
    return {
        "ops": ops,
        "quant": sorted(set(qattrs)),
        "integer": integer,
        "ulp": ulp,
        "maxabs": float(np.max(np.abs(got - y))),
        "residual_adds": residual_adds(raw, inits),
    }


def residual_adds(model: onnx.ModelProto, inits: dict[str, np.ndarray]) -> int:
    """Count the Adds of two Quant outputs, checking both sides have the same quantizer."""
    producer = {o: n for n in model.graph.node for o in n.output}
    count = 0
    for node in model.graph.node:
        srcs = [producer.get(i) for i in node.input]
        if node.op_type != "Add" or not all(s is not None and s.op_type == "Quant" for s in srcs):
            continue
        a, b = (
            [inits[i].tolist() for i in s.input[1:4]]
            + sorted((x.name, onnx.helper.get_attribute_value(x)) for x in s.attribute)
            for s in srcs
        )
        assert a == b, f"{node.name}: Add of differently quantized tensors {a} vs {b}"
        count += 1
    return count


def generate(name: str) -> dict[str, object]:
    print(f"== {name}")
    built = MODELS[name]()
    model = built.model.eval()
    with torch.no_grad():
        y = model(built.x)
    y = (y.value if hasattr(y, "value") else y).detach().numpy().astype(np.float32)
    x = built.x.numpy().astype(np.float32)
    path = OUT_DIR / f"{name}.onnx"
    export_qonnx(model, torch.from_numpy(x), str(path), dynamo=False)
    np.save(OUT_DIR / f"{name}_in.npy", x)
    np.save(OUT_DIR / f"{name}_out_torch.npy", y)
    if built.labels is not None:
        np.save(OUT_DIR / f"{name}_test_labels.npy", built.labels)
    res = check_export(name, path, x, y)
    assert res["residual_adds"] == built.residual_adds, f"{name}: {res['residual_adds']} residual Adds"
    data = path.read_bytes()
    res.update(
        name=name,
        notes=built.notes,
        raw=len(data),
        gz=len(gzip.compress(data, 9, mtime=0)),
        shape_in=list(x.shape),
        shape_out=list(y.shape),
    )
    for n in built.notes:
        print(f"  {n}")
    return res


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("--only", choices=sorted(MODELS), action="append", help="generate only this model")
    args = p.parse_args(argv)
    torch.set_num_threads(1)
    torch.use_deterministic_algorithms(True)
    OUT_DIR.mkdir(exist_ok=True)
    results = [generate(n) for n in (args.only or list(MODELS))]
    print("\nmodel        input            output    qonnx check          onnx KiB  gzip KiB  ops")
    for r in results:
        check = "exact (integer)" if r["integer"] else f"{r['ulp']} ULP ({r['maxabs']:.1e})"
        print(
            f"{r['name']:12s} {r['shape_in']!s:16s} {r['shape_out']!s:9s} {check:20s} "
            f"{r['raw'] / 1024:8.0f}  {r['gz'] / 1024:8.0f}  {' '.join(r['ops'])}"
        )
        adds = f"; {r['residual_adds']} residual Add(Quant, Quant)" if r["residual_adds"] else ""
        print(f"{'':12s} quantizers: {'; '.join(r['quant'])}{adds}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
