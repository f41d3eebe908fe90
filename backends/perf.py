"""The performance model as a pure analysis of the rtl-stage IR: cycles per frame of each
unit (vectors x NF x SF (x input planes when serial) for matrix-vector units, H x W for window
generators and pools, pixels for residual adds and global pools, N for collectors), the initiation interval (the slowest unit) and, for chains of matrix-vector
units, the latency, from the same formulas the library blocks document. `lowbitc sim --stats` puts it beside the measurement."""

from __future__ import annotations

from dataclasses import asdict, dataclass

from xdsl.dialects.builtin import ModuleOp

from lowbitc.backends.verilog.emit import find_top
from lowbitc.dialects import rtl

MVU_FIXED_LATENCY = 3
"""lowbit_mvu: load into the working register, weight-memory read, accumulate/output register."""
FIFO_LATENCY = 1


@dataclass(frozen=True)
class LayerPerf:
    index: int
    kind: str
    fan_in: int
    channels: int
    pe: int
    simd: int
    vectors: int
    cycles: int

    def as_dict(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class DesignPerf:
    layers: list[LayerPerf]
    ii_cycles: int
    latency_cycles: int | None
    """Exact for chains of matrix-vector units and FIFOs; None once line buffers are involved."""


def predict(module: ModuleOp) -> DesignPerf:
    layers: list[LayerPerf] = []
    latency: int | None = 0
    for op in find_top(module).body.block.ops:
        if isinstance(op, rtl.MVUInstanceOp):
            k, c = op.fan_in, op.channels.value.data
            pe, simd = op.fold.pe.data, op.fold.simd.data
            per_vector = op.cycles_per_vector  # x input planes when they run serially
            kind = "mvu" if op.input_element_width is None else "mvu_int"
            layers.append(LayerPerf(len(layers), kind, k, c, pe, simd, op.vectors_per_frame, op.vectors_per_frame * per_vector))
            if latency is not None:
                latency += per_vector + MVU_FIXED_LATENCY + op.pipe.value.data
        elif isinstance(op, (rtl.SWGInstanceOp, rtl.PoolInstanceOp)):
            # One input pixel per cycle: a frame takes H * W cycles (lowbit_swg's contract).
            pixels = op.height.value.data * op.width.value.data
            kind = "swg" if isinstance(op, rtl.SWGInstanceOp) else "pool"
            layers.append(LayerPerf(len(layers), kind, 0, 0, 0, 0, pixels, pixels))
            latency = None
        elif isinstance(op, rtl.PadInstanceOp):
            # One output pixel per cycle over the padded frame.
            top, left, bottom, right = op.pads.get_values()
            pixels = (top + op.height.value.data + bottom) * (left + op.width.value.data + right)
            layers.append(LayerPerf(len(layers), "pad", 0, 0, 0, 0, pixels, pixels))
            latency = None
        elif isinstance(op, rtl.CollectInstanceOp):
            n = op.count.value.data
            layers.append(LayerPerf(len(layers), "collect", 0, 0, 0, 0, n, n))
            latency = None
        elif isinstance(op, rtl.AddInstanceOp):
            n = op.pixels.value.data
            layers.append(LayerPerf(len(layers), "add", 0, 0, 0, 0, n, n))
            latency = None
        elif isinstance(op, rtl.GapInstanceOp):
            # One input pixel per cycle, the frame's sums leave with its last pixel.
            n = op.pixels.value.data
            layers.append(LayerPerf(len(layers), "gap", 0, 0, 0, 0, n, n))
            latency = None
        elif isinstance(op, rtl.FifoInstanceOp) and latency is not None:
            latency += FIFO_LATENCY
    return DesignPerf(layers, max(l.cycles for l in layers), latency)


def design_report(module: ModuleOp, device) -> dict:
    """The report of `lowbitc report`: per layer and for the design, at the device's clock."""
    from lowbitc.backends.fit import check_fits
    from lowbitc.backends.projection import device_capacity, macs_per_frame, weight_placement

    perf = predict(module)
    lanes = sum(l.pe * l.simd for l in perf.layers)
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
        "layers": [l.as_dict() | {"lanes": l.pe * l.simd, "bottleneck": l.cycles == perf.ii_cycles} | cost["layers"][l.index]
                   for l in perf.layers],
        "totals": {"lanes": lanes, "units": len(perf.layers)} | cost["totals"],
        "shares": cost["shares"],
        "device": device_capacity(device),
        "weights": None if placement is None else placement.as_dict(),
        "fit_problem": check_fits(module, device),
    }


RESOURCE_KEYS = ("luts", "ffs", "brams", "dsps")


def resource_figures(module: ModuleOp, device, n_layers: int, streamed: frozenset[int] = frozenset()) -> dict:
    """The structural resource model (backends/resource_model.py) per layer, in total and as
    shares of the device, without the weight memories of the ``streamed`` units (their weights
    come from DRAM); None everywhere for a device without fabric (`generic`)."""
    from lowbitc.backends.resource_model import design_cost

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


def _figure(v) -> str:
    return "-" if v is None else f"{v:,.1f}" if isinstance(v, float) and v != int(v) else f"{int(v):,}"


def format_report(rep: dict) -> str:
    head = f"{'#':>3} {'unit':<8} {'fan-in':>7} {'out':>5} {'PE':>4} {'SIMD':>5} {'lanes':>6} {'vectors':>8} {'cycles/frame':>13}"
    res = rep.get("shares") is not None  # the resource model ran (a device with fabric)
    synth = res and "luts_synth" in rep["totals"]
    if res:
        head += f" {'LUTs':>8} {'FFs':>8} {'BRAM':>6}" + (f" {'LUTs syn':>9} {'FFs syn':>8} {'BRAM syn':>8}" if synth else "")
    lines = [f"{rep['model']} on {rep['target']} at {rep['clock_mhz']:g} MHz", head, "-" * len(head)]
    for l in rep["layers"]:
        mark = "  <- bottleneck" if l["bottleneck"] else ""
        if l["kind"].startswith("mvu"):
            row = f"{l['index']:>3} {l['kind']:<8} {l['fan_in']:>7} {l['channels']:>5} {l['pe']:>4} {l['simd']:>5} {l['lanes']:>6} {l['vectors']:>8} {l['cycles']:>13}"
        else:
            row = f"{l['index']:>3} {l['kind']:<8} {'':>7} {'':>5} {'':>4} {'':>5} {'':>6} {l['vectors']:>8} {l['cycles']:>13}"
        if res:
            row += f" {_figure(l['luts']):>8} {_figure(l['ffs']):>8} {_figure(l['brams']):>6}"
            if synth:
                row += f" {_figure(l.get('luts_synth')):>9} {_figure(l.get('ffs_synth')):>8} {_figure(l.get('brams_synth')):>8}"
        lines.append(row + mark)
    latency = "n/a (line buffers)" if rep["latency_cycles"] is None else f"{rep['latency_cycles']} cycles"
    lines.append(f"II {rep['ii_cycles']} cycles/frame, {rep['fps']:.1f} frames/s, latency {latency}, {rep['totals']['lanes']} lanes, "
                 f"{rep['tops']:.4g} TOPS ({rep['macs_per_frame']:,} MACs per frame)")
    if res:
        t, sh = rep["totals"], rep["shares"]
        lines.append("resources (model): " + ", ".join(
            f"{_figure(t[k])} {name} ({sh[k]:.1%})" for k, name in (("luts", "LUTs" if "alms" not in t else f"LUT6-equivalents = {t['alms']:,} ALMs"),
                                                                   ("ffs", "FFs"), ("brams", rep["device"]["bram_kind"]), ("dsps", "DSPs"))))
        if synth:
            lines.append(f"resources (Yosys, {rep['synth']['totals_from']}): " + ", ".join(
                f"{_figure(t[k + '_synth'])} {name}" for k, name in (("luts", "LUTs"), ("ffs", "FFs"), ("brams", rep["device"]["bram_kind"]), ("dsps", "DSPs"))))
        pnr = rep.get("pnr")
        if pnr is not None:
            fmax = "n/a" if pnr["fmax_mhz_pnr"] is None else f"{pnr['fmax_mhz_pnr']:.2f} MHz"
            util = ", ".join(f"{k} {u}/{a}" for k, (u, a) in pnr["utilisation"].items() if u)
            lines.append(f"place and route (nextpnr-ice40): {'fits' if pnr['fits'] else 'does not fit'}, fmax {fmax}; {util}")
    w = rep.get("weights")
    if w is not None:
        if w["fits_on_chip"]:
            lines.append(f"weights {w['weight_bits']:,} bits on chip (block RAM left for them: {w['on_chip_capacity_bits']:,} bits)")
        else:
            stream = f"projected with units {', '.join(map(str, w['streamed_units']))} streaming {w['streamed_bytes']:,} bytes per batch from DRAM"
            if w["batch_needed"] is None:
                stream += " (the board has no DRAM)"
            else:
                stream += f" ({w['dram_gbps']:g} GB/s): batch {w['batch_needed']} keeps the rate, batch 1 gives {w['fps_batch1']:.1f} frames/s"
            lines.append(f"weights {w['weight_bits']:,} bits do not fit on chip ({w['on_chip_capacity_bits']:,} bits of block RAM left): {stream}")
    if rep.get("fit_problem"):
        # The generated Verilog keeps every weight in on-chip ROMs; streaming is a projection.
        streamed = w is not None and not w["fits_on_chip"]
        lines.append(("as generated (every weight in on-chip ROMs), " if streamed else "") + f"does not fit: {rep['fit_problem']}")
    return "\n".join(lines) + "\n"
