"""The report of `lowbitc report` as one dict: per layer and for the design, at the device's
clock, from the analyses (cycles, resources, weight placement, fit)."""

from __future__ import annotations

from xdsl.dialects.builtin import ModuleOp

from lowbitc.backends.analysis.fit import check_fits, overfull_message
from lowbitc.backends.analysis.perf import predict
from lowbitc.backends.analysis.projection import device_capacity, macs_per_frame, weight_placement
from lowbitc.backends.analysis.resource_model import design_cost


def design_report(module: ModuleOp, device) -> dict:
    """The report of `lowbitc report`: per layer and for the design, at the device's clock."""
    perf = predict(module)
    lanes = sum(layer.pe * layer.simd for layer in perf.layers)
    numbers = layer_numbers([layer.kind for layer in perf.layers])
    fps = device.clock_mhz * 1e6 / perf.ii_cycles
    macs = macs_per_frame(perf)
    placement = weight_placement(module, device, fps)
    streamed = frozenset(placement.streamed_units) if placement is not None else frozenset()
    cost = resource_figures(module, device, len(perf.layers), streamed)
    return {
        "target": device.name,
        "clock_mhz": device.clock_mhz,
        "ii_cycles": perf.ii_cycles,
        "fps": fps,
        "latency_cycles": perf.latency_cycles,
        "macs_per_frame": macs,
        "tops": 2 * macs * fps / 1e12,
        "layers": [
            layer.as_dict()
            | {
                "layer": numbers[layer.index],
                "lanes": layer.pe * layer.simd,
                "bottleneck": layer.cycles == perf.ii_cycles,
            }
            | cost["layers"][layer.index]
            for layer in perf.layers
        ],
        "totals": {"lanes": lanes, "units": len(perf.layers)} | cost["totals"],
        "shares": cost["shares"],
        "device": device_record(device),
        "weights": None if placement is None else placement.as_dict(),
        "fit_problem": check_fits(module, device),
        "fit_warning": overfull_message(module, device),
    }


def layer_numbers(kinds: list[str]) -> list[int | None]:
    """The fold file's layer number of each unit (program order of the matrix-vector units, as
    `--fold` and `inspect` count them); None for units that are not layers (windows, pools, ...)."""
    numbers: list[int | None] = []
    count = 0
    for kind in kinds:
        numbers.append(count if kind.startswith("mvu") else None)
        count += kind.startswith("mvu")
    return numbers


def device_record(device) -> dict | None:
    """The device's capacity (`projection.device_capacity`) and the names of its on-chip RAM
    kinds, so that the report can say which RAM each figure counts."""
    record = device_capacity(device)
    if record is not None:
        record["rams"] = [ram.name for ram in device.fabric.rams]
    return record


RESOURCE_KEYS = ("luts", "ffs", "brams", "dsps")


def resource_figures(module: ModuleOp, device, n_layers: int, streamed: frozenset[int] = frozenset()) -> dict:
    """The structural resource model (backends/analysis/resource_model.py) per layer, in total and as
    shares of the device, without the weight memories of the ``streamed`` units (their weights
    come from DRAM); None everywhere for a device without fabric (`generic`)."""
    none = dict.fromkeys(RESOURCE_KEYS)
    if device.fabric is None:
        return {"layers": [none] * n_layers, "totals": none, "shares": None}
    dc = design_cost(module, device, streamed)
    layers = [{k: getattr(c, k) for k in RESOURCE_KEYS} for c in dc.units]
    layers += [none] * (n_layers - len(layers))  # units the model does not know
    totals = {k: getattr(dc.total, k) for k in RESOURCE_KEYS}
    fab = device.fabric
    capacity = fab.capacity()
    shares = {k: round(totals[k] / capacity[k], 4) if capacity[k] else None for k in RESOURCE_KEYS}
    if fab.logic.lut_equivalent != 1.0:  # Intel: luts are LUT6-equivalents; the ALMs they take
        totals["alms"] = round(totals["luts"] / fab.logic.lut_equivalent)
    return {"layers": layers, "totals": totals, "shares": shares}
