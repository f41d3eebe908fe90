"""`lowbitc zoo NAME -o FILE.onnx [--seed S]`: write one of the papers' networks as QONNX with
random weights (`lowbitc.zoo`); `lowbitc zoo --list` names them."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from lowbitc.errors import LowbitcError


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
    from lowbitc.cli import write_atomic
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
        data = net.build(args.seed).SerializeToString()
    write_atomic(args.output, data)
