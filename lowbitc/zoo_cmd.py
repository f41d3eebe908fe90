"""`lowbitc zoo NAME -o FILE.onnx [--seed S]`: write one of the papers' networks as QONNX with
random weights (`lowbitc.zoo`), and beside it FILE_in.npy, a few sample input frames to try
`lowbitc run` and `sim` on at once; `lowbitc zoo --list` names them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np

from lowbitc.errors import LowbitcError

SAMPLE_FRAMES = 4
"""Frames in the sample input: enough for `sim` to show a steady initiation interval."""


def sample_path(model: str) -> Path:
    """FILE_in.npy beside FILE.onnx, the corpus's naming (tests/models/generated)."""
    path = Path(model)
    return path.with_name(f"{path.stem}_in.npy")


def sample_frames(model, seed: int) -> np.ndarray:
    """Pixel values k/255 in [0, 1] of the model's input shape (without the batch axis), as the
    zoo's graphs calibrate on."""
    dims = model.graph.input[0].type.tensor_type.shape.dim[1:]
    shape = tuple(d.dim_value for d in dims)
    rng = np.random.default_rng(seed)
    return (rng.integers(0, 256, (SAMPLE_FRAMES, *shape)) / 255.0).astype(np.float32)


def build_parser(parser_class: type[argparse.ArgumentParser]) -> argparse.ArgumentParser:
    p = parser_class(
        prog="lowbitc zoo",
        description="Write a network of the papers (BinaryNet, FINN's CNV/LFC/SFC/TFC, "
        "ternary AlexNet and ResNet-34) as QONNX with random weights and BatchNorm statistics "
        "calibrated so that activations are not saturated. 'lowbitc zoo --list' names them.",
    )
    p.add_argument("name", nargs="?", help="the network (see --list)")
    p.add_argument("-o", "--output", help="the .onnx file to write")
    p.add_argument(
        "--seed", type=int, default=0, help="seed of the random weights (default 0); the same seed gives the same file"
    )
    p.add_argument("--list", action="store_true", help="list the networks with a one-line description, and exit")
    return p


def run(args: argparse.Namespace) -> None:
    from lowbitc.cli_io import save_npy, tell, write_atomic
    from lowbitc.progress import progress
    from lowbitc.zoo import NETWORKS, network

    if args.list:
        width = max(map(len, NETWORKS))
        sys.stdout.write("".join(f"{n.name:<{width}}  {n.description}\n" for n in NETWORKS.values()))
        return
    if args.name is None:
        raise LowbitcError(f"lowbitc zoo: give a network name ({', '.join(NETWORKS)}) or --list")
    net = network(args.name)
    if not args.output:
        raise LowbitcError(f"lowbitc zoo: no output file: give -o {args.name}.onnx")
    if args.seed < 0:
        raise LowbitcError(f"lowbitc zoo: --seed {args.seed} must be non-negative")
    target = Path(args.output)
    if target.is_dir() or not (target.parent if str(target.parent) else Path(".")).is_dir():
        write_atomic(args.output, b"")  # its one-line error, before seconds of building
    with progress(f"building {net.name}"):  # on a terminal, once it takes seconds (AlexNet: ~10 s)
        model = net.build(args.seed)
    frames = sample_frames(model, args.seed)
    write_atomic(args.output, model.SerializeToString())
    sample = sample_path(args.output)
    save_npy(str(sample), frames)
    shape = ", ".join(map(str, frames.shape))
    tell(f"wrote {args.output} ({net.name}, seed {args.seed}) and {sample} ({SAMPLE_FRAMES} sample frames, [{shape}])")
