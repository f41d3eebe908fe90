"""`lowbitc zoo`: the networks of the papers lowbitc is compared with, as QONNX with random
weights (numpy and onnx only, no torch): `build(name, seed)` returns the onnx.ModelProto."""

from __future__ import annotations

import onnx

from lowbitc.errors import LowbitcError
from lowbitc.zoo.networks import NETWORKS, Network

__all__ = ["NETWORKS", "Network", "build", "network"]


def network(name: str) -> Network:
    if name not in NETWORKS:
        raise LowbitcError(
            f"unknown zoo network '{name}'; choose one of: {', '.join(NETWORKS)} (lowbitc zoo --list describes them)"
        )
    return NETWORKS[name]


def build(name: str, seed: int = 0) -> onnx.ModelProto:
    return network(name).build(seed)
