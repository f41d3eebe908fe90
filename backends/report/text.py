"""The text rendering of `lowbitc report` (a `report.design.DesignReport`)."""

from __future__ import annotations

from lowbitc.backends.report.design import DesignReport, ResourceFigures, UnitRow


def _figure(v) -> str:
    return "-" if v is None else f"{v:,.1f}" if isinstance(v, float) and v != int(v) else f"{int(v):,}"


def _row(unit: UnitRow, rep: DesignReport) -> str:
    number = "" if unit.layer is None else unit.layer
    row = f"{unit.index:>3} {number:>5} {unit.kind:<8} "
    if unit.kind.startswith("mvu"):
        row += (
            f"{unit.fan_in:>7} {unit.channels:>5} {unit.pe:>4} {unit.simd:>5} {unit.lanes:>6} "
            f"{unit.vectors:>8} {unit.cycles:>13}"
        )
    else:
        row += f"{'':>7} {'':>5} {'':>4} {'':>5} {'':>6} {unit.vectors:>8} {unit.cycles:>13}"
    if rep.has_model:
        row += f" {_figure(unit.model.luts):>8} {_figure(unit.model.ffs):>8} {_figure(unit.model.brams):>6}"
        if rep.synth is not None:
            synth = unit.synth or ResourceFigures()
            row += f" {_figure(synth.luts):>9} {_figure(synth.ffs):>8} {_figure(synth.brams):>8}"
    return row + ("  <- bottleneck" if unit.bottleneck else "")


def _resource_lines(rep: DesignReport) -> list[str]:
    """The totals against the device (the model's, then Yosys's and nextpnr's when they ran)."""
    t, sh, dev = rep.totals, rep.shares, rep.device
    assert sh is not None and dev is not None  # the resource model ran
    luts = "LUTs" if t.alms is None else f"LUT6-equivalents (= {t.alms:,} ALMs)"
    names = {"luts": luts, "ffs": "FFs", "brams": f"{dev.bram_kind} blocks", "dsps": "DSPs"}
    lines = [
        "resources (model): "
        + ", ".join(
            f"{_figure(getattr(t.model, k))} of {_figure(getattr(dev.capacity, k))} {name} ({getattr(sh, k):.1%})"
            for k, name in names.items()
        )
    ]
    if rep.synth is not None and t.synth is not None:
        names = {"luts": "LUTs", "ffs": "FFs", "brams": dev.bram_kind, "dsps": "DSPs"}
        lines.append(
            f"resources (Yosys, {rep.synth.totals_from}): "
            + ", ".join(f"{_figure(getattr(t.synth, k))} {name}" for k, name in names.items())
        )
    pnr = rep.pnr
    if pnr is not None:
        fmax = "n/a" if pnr.fmax_mhz_pnr is None else f"{pnr.fmax_mhz_pnr:.2f} MHz"
        util = ", ".join(f"{k} {u}/{a}" for k, (u, a) in pnr.utilisation.items() if u)
        lines.append(f"place and route (nextpnr-ice40): {'fits' if pnr.fits else 'does not fit'}, fmax {fmax}; {util}")
    return lines


def _weights_line(rep: DesignReport) -> str:
    # The placement counts raw bits of every on-chip RAM kind; the resource model above
    # counts whole blocks of the first kind, as the generated ROMs use them.
    w, dev = rep.weights, rep.device
    assert w is not None and dev is not None
    room = f"{w.on_chip_capacity_bits:,} bits of {' and '.join(dev.rams)} left after line buffers and FIFOs"
    if w.fits_on_chip:
        return (
            f"weights {w.weight_bits:,} bits: their bits fit the {room}; "
            f"as generated they take whole {dev.bram_kind} blocks (counted above)"
        )
    stream = (
        f"projected with units {', '.join(map(str, w.streamed_units))} streaming "
        f"{w.streamed_bytes:,} bytes per batch from DRAM"
    )
    if w.batch_needed is None:
        stream += " (the board has no DRAM)"
    else:
        assert w.fps_batch1 is not None
        stream += (
            f" ({w.dram_gbps:g} GB/s): batch {w.batch_needed} keeps the rate, batch 1 gives {w.fps_batch1:.1f} frames/s"
        )
    return f"weights {w.weight_bits:,} bits do not fit the {room}: {stream}"


def format_report(rep: DesignReport) -> str:
    head = (
        f"{'#':>3} {'layer':>5} {'unit':<8} {'fan-in':>7} {'out':>5} {'PE':>4} {'SIMD':>5} {'lanes':>6} {'vectors':>8} "
        f"{'cycles/frame':>13}"
    )
    if rep.has_model:
        head += f" {'LUTs':>8} {'FFs':>8} {'BRAM':>6}"
        if rep.synth is not None:
            head += f" {'LUTs syn':>9} {'FFs syn':>8} {'BRAM syn':>8}"
    lines = [f"{rep.model} on {rep.target} at {rep.clock_mhz:g} MHz", head, "-" * len(head)]
    lines += [_row(unit, rep) for unit in rep.units]
    latency = "n/a (line buffers)" if rep.latency_cycles is None else f"{rep.latency_cycles} cycles"
    lines.append(
        f"II {rep.ii_cycles} cycles/frame, {rep.fps:.1f} frames/s, latency {latency}, "
        f"{rep.totals.lanes} lanes, {rep.tops:.4g} TOPS ({rep.macs_per_frame:,} MACs per frame)"
    )
    lines.append("layer: the number a --fold file gives the unit (matrix-vector units in program order)")
    if rep.has_model:
        lines += _resource_lines(rep)
    if rep.weights is not None:
        lines.append(_weights_line(rep))
    if rep.fit.problem:
        # The generated Verilog keeps every weight in on-chip ROMs; streaming is a projection.
        streamed = rep.weights is not None and not rep.weights.fits_on_chip
        lines.append(
            ("as generated (every weight in on-chip ROMs), " if streamed else "") + f"does not fit: {rep.fit.problem}"
        )
    if rep.fit.warning:
        lines.append(f"WARNING: {rep.fit.warning}")
    return "\n".join(lines) + "\n"
