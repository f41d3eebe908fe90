"""`lowbitc zoo`: every network of the zoo is valid ONNX that lowbitc imports and compiles, the
small ones give exactly qonnx's outputs through `lowbitc run`, the files are deterministic, the
activations are not saturated, and user errors are one line with exit code 2.

Compile depth per network (measured on 2 shared cores): the MNIST MLPs, CNV and BinaryNet to
`rtl` (at most ~10 s each); AlexNet, whose file alone takes ~10 s to write, only to `lowbit`
(import, ~7 s): `streamline` takes ~90 s and ~11 GB for its 9216-input dense layer, which
folds thresholds over every one of its 55297 accumulator values. ResNet-34 to `rtl` (~30 s,
~1 GB: its accumulators are narrow). The layer patterns of AlexNet (11x11/4 convolution, overlapping 3x3/2 max-pools
on 2-bit codes, biased head) and of ResNet-34 (7x7/2 stem, padded 3x3/2 max-pool, residual
blocks with strided 1x1 downsampling skips, global average pool and its quantizer) are checked
for exactness on scaled-down copies.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import onnx
import pytest
from onnx import numpy_helper
from support.cli import lowbitc

from lowbitc.zoo import NETWORKS, build
from lowbitc.zoo.reference import qonnx_reference

CONV_RTL = {  # (fan-in, channels) of every matrix product: the papers' topologies
    "cnv": [(27, 64), (576, 64), (576, 128), (1152, 128), (1152, 256), (2304, 256), (256, 512), (512, 512), (512, 10)],
    "binarynet-cifar10": [
        (27, 128),
        (1152, 128),
        (1152, 256),
        (2304, 256),
        (2304, 512),
        (4608, 512),
        (8192, 1024),
        (1024, 1024),
        (1024, 10),
    ],
}
MLP_WIDTH = {"tfc": 64, "sfc": 256, "lfc": 1024}
ALEXNET = [(64, 363), (192, 1600), (384, 1728), (256, 3456), (256, 2304), (4096, 9216), (4096, 4096), (1000, 4096)]


def expected_layers(name: str) -> list[tuple[int, int]]:
    net, _, _ = name.partition("-")
    if net in MLP_WIDTH:
        w = MLP_WIDTH[net]
        return [(784, w), (w, w), (w, w), (w, 10)]
    return CONV_RTL[net if net == "cnv" else name]


@pytest.fixture(scope="module")
def zoo_file(tmp_path_factory):
    """`lowbitc zoo NAME -o NAME.onnx`, once per network."""
    folder = tmp_path_factory.mktemp("zoo")
    cache: dict[str, Path] = {}

    def make(name: str) -> Path:
        if name not in cache:
            path = folder / f"{name}.onnx"
            r = lowbitc("zoo", name, "-o", path)
            assert r.returncode == 0 and not r.stderr, r.stderr
            cache[name] = path
        return cache[name]

    return make


def test_list() -> None:
    r = lowbitc("zoo", "--list")
    assert r.returncode == 0 and not r.stderr
    lines = r.stdout.splitlines()
    assert [line.split()[0] for line in lines] == list(NETWORKS)
    assert len(NETWORKS) == 11 and all(len(line.split(None, 1)[1]) > 40 for line in lines)
    assert {
        "binarynet-cifar10",
        "alexnet-t2a2",
        "resnet34-t2a2",
        "cnv-w1a1",
        "cnv-w2a2",
        "lfc-w1a1",
        "lfc-w2a2",
        "sfc-w1a1",
        "sfc-w2a2",
        "tfc-w1a1",
        "tfc-w2a2",
    } == set(NETWORKS)


# -- every network compiles -------------------------------------------------------------------
@pytest.mark.parametrize("name", [n for n in NETWORKS if n not in ("alexnet-t2a2", "resnet34-t2a2")])
def test_compiles_to_rtl(name: str, zoo_file) -> None:
    from lowbitc.backends.analysis.perf import predict
    from lowbitc.pipeline import compile_to

    path = zoo_file(name)
    onnx.checker.check_model(str(path))
    layers = [
        (layer.fan_in, layer.channels)
        for layer in predict(compile_to(path, "rtl")).layers
        if layer.kind.startswith("mvu")
    ]
    assert layers == expected_layers(name)


def test_resnet34_compiles_to_rtl(zoo_file) -> None:
    """The whole ResNet-34 to the rtl stage (~30 s, ~1 GB): 37 matrix-vector units, the padded
    stem pool (pad unit + pool unit on the 112x112 map), 16 residual adds and the global pool
    over the 7x7 map."""
    from lowbitc.backends.analysis.perf import predict
    from lowbitc.pipeline import compile_to

    layers = predict(compile_to(zoo_file("resnet34-t2a2"), "rtl")).layers
    mvus = [(layer.fan_in, layer.channels) for layer in layers if layer.kind.startswith("mvu")]
    assert len(mvus) == 37 and mvus[0] == (147, 64) and mvus[-1] == (512, 1000)
    kinds = [layer.kind for layer in layers]
    assert kinds.count("add") == 16 and kinds.count("pool") == 1 and kinds.count("gap") == 1
    pool = kinds.index("pool")
    assert kinds[pool - 1] == "pad" and layers[pool - 1].cycles == 114 * 114
    assert next(layer for layer in layers if layer.kind == "gap").cycles == 49


def imported_layers(path: Path) -> list[tuple[int, int]]:
    from lowbitc.dialects.lowbit.ops_conv import ConvOp
    from lowbitc.dialects.lowbit.ops_graph import MatMulOp
    from lowbitc.importer import import_onnx

    return [tuple(op.weights.shape) for op in import_onnx(path).walk() if isinstance(op, (ConvOp, MatMulOp))]


@pytest.mark.parametrize("name", ["alexnet-t2a2", "resnet34-t2a2"])
def test_imagenet_networks_import(name: str, zoo_file) -> None:
    path = zoo_file(name)
    onnx.checker.check_model(str(path))
    layers = imported_layers(path)
    if name == "alexnet-t2a2":
        assert layers == ALEXNET
    else:  # stem, 16 blocks of two, 3 downsampling skips, classifier
        assert len(layers) == 37 and layers[0] == (64, 147) and layers[-1] == (1000, 512)


# -- exactly qonnx's outputs -----------------------------------------------------------------------
def frames(shape: tuple[int, ...], n: int) -> np.ndarray:
    return (np.random.default_rng(7).integers(0, 256, (n, *shape)) / 255).astype(np.float32)


def run_matches_qonnx(path: Path, x: np.ndarray, tmp_path: Path) -> np.ndarray:
    np.save(tmp_path / "in.npy", x)
    r = lowbitc("run", path, "-i", tmp_path / "in.npy", "-o", tmp_path / "out.npy")
    assert r.returncode == 0, r.stderr
    out, ref = np.load(tmp_path / "out.npy"), qonnx_reference(path, x)
    np.testing.assert_array_equal(out, ref)
    return ref


@pytest.mark.parametrize(
    "name,n", [("tfc-w1a1", 8), ("tfc-w2a2", 8), ("sfc-w1a1", 4), ("sfc-w2a2", 4), ("cnv-w1a1", 2)]
)
def test_run_equals_qonnx(name: str, n: int, zoo_file, tmp_path: Path) -> None:
    shape = (3, 32, 32) if name.startswith("cnv") else (1, 28, 28)
    ref = run_matches_qonnx(zoo_file(name), frames(shape, n), tmp_path)
    assert len(np.unique(ref.argmax(axis=1))) > 1 or n < 4  # the logits depend on the input


SMALL = {
    "alexnet-t2a2": {"size": 99, "widths": (8, 16, 16, 16, 16), "fc": 32, "classes": 10},
    "resnet34-t2a2": {"size": 32, "widths": (8, 8, 16, 16), "blocks": (1, 1, 1, 1), "classes": 10},
    "resnet34-t2a2-64": {"size": 64, "widths": (8, 8, 16, 16), "blocks": (1, 2, 1, 1), "classes": 10},
}
"""The 64x64 ResNet ends on a 2x2 map, so its global average pool really averages (at 32x32 the
map is 1x1), and its second stage has an identity block after the downsampling one."""


@pytest.mark.parametrize("name", ["alexnet-t2a2", "resnet34-t2a2", "resnet34-t2a2-64"])
def test_scaled_down_imagenet_topology_equals_qonnx(name: str, tmp_path: Path) -> None:
    """The ImageNet networks' layer patterns at toy width: exact through `lowbitc run`."""
    path = tmp_path / f"{name}.onnx"
    path.write_bytes(NETWORKS[name.removesuffix("-64")].build(0, **SMALL[name]).SerializeToString())
    run_matches_qonnx(path, frames((3, SMALL[name]["size"], SMALL[name]["size"]), 2), tmp_path)


@pytest.mark.parametrize("name", ["tfc-w1a1", "tfc-w2a2", "cnv-w2a2"])
def test_activations_use_every_level(name: str, zoo_file) -> None:
    """BatchNorm statistics put every activation level in use (at least 10 % of the values),
    as in a trained network: nothing saturates."""
    from qonnx.core.modelwrapper import ModelWrapper
    from qonnx.core.onnx_exec import execute_onnx
    from qonnx.transformation.infer_shapes import InferShapes

    model = ModelWrapper(str(zoo_file(name))).transform(InferShapes())
    shape = tuple(model.get_tensor_shape("input")[1:])
    context = execute_onnx(model, {"input": frames(shape, 1)}, return_full_exec_context=True)
    inits = {i.name for i in model.graph.initializer}
    checked = 0
    for node in model.graph.node:
        if (
            node.op_type in ("BipolarQuant", "Quant")
            and node.input[0] not in inits
            and not node.name.startswith("input")
        ):
            values, counts = np.unique(context[node.output[0]], return_counts=True)  # -0.0 counts as 0.0
            levels = 2 if node.op_type == "BipolarQuant" else 3
            assert len(values) == levels and counts.min() >= 0.1 * counts.sum(), (node.name, values, counts)
            checked += 1
    assert checked >= 3


# -- determinism ---------------------------------------------------------------------------
def test_same_seed_same_bytes_other_seed_other_weights(tmp_path: Path) -> None:
    paths = {}
    for key, args in {"default": [], "zero": ["--seed", "0"], "one": ["--seed", "1"]}.items():
        paths[key] = tmp_path / f"{key}.onnx"
        r = lowbitc("zoo", "tfc-w2a2", "-o", paths[key], *args)
        assert r.returncode == 0, r.stderr
    assert paths["default"].read_bytes() == paths["zero"].read_bytes() == build("tfc-w2a2", 0).SerializeToString()
    weights = [
        {i.name: numpy_helper.to_array(i) for i in onnx.load(str(paths[k])).graph.initializer} for k in ("zero", "one")
    ]
    assert weights[0].keys() == weights[1].keys()
    assert not np.array_equal(weights[0]["fc0.weight"], weights[1]["fc0.weight"])


# -- errors ----------------------------------------------------------------------------------
def one_error(r, *fragments: str) -> None:
    lines = r.stderr.strip().splitlines()
    assert r.returncode == 2 and len(lines) == 1 and lines[0].startswith("lowbitc: error: "), r.stderr
    for f in fragments:
        assert f in lines[0], lines[0]


def test_unknown_name_names_the_choices(tmp_path: Path) -> None:
    r = lowbitc("zoo", "lenet5", "-o", tmp_path / "x.onnx")
    one_error(r, "unknown zoo network 'lenet5'", *NETWORKS)
    assert not (tmp_path / "x.onnx").exists()


@pytest.mark.parametrize(
    "args,fragment",
    [
        (["tfc-w1a1"], "no output file"),
        ([], "give a network name"),
        (["tfc-w1a1", "-o", "missing/x.onnx"], "does not exist"),
        (["tfc-w1a1", "-o", "."], "is a directory"),
        (["tfc-w1a1", "-o", "x.onnx", "--seed", "-3"], "must be non-negative"),
        (["tfc-w1a1", "-o", "x.onnx", "--seed", "one"], "invalid int value"),
    ],
)
def test_user_errors(args: list[str], fragment: str, tmp_path: Path) -> None:
    r = lowbitc("zoo", *args, cwd=tmp_path)
    one_error(r, fragment)
    assert list(tmp_path.iterdir()) == []
