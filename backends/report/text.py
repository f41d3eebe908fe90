"""The text rendering of `lowbitc report` (backends/report/design.py's dict)."""

from __future__ import annotations


def _figure(v) -> str:
    return "-" if v is None else f"{v:,.1f}" if isinstance(v, float) and v != int(v) else f"{int(v):,}"


def format_report(rep: dict) -> str:
    head = (
        f"{'#':>3} {'layer':>5} {'unit':<8} {'fan-in':>7} {'out':>5} {'PE':>4} {'SIMD':>5} {'lanes':>6} {'vectors':>8} "
        f"{'cycles/frame':>13}"
    )
    res = rep.get("shares") is not None  # the resource model ran (a device with fabric)
    synth = res and "luts_synth" in rep["totals"]
    if res:
        head += f" {'LUTs':>8} {'FFs':>8} {'BRAM':>6}" + (
            f" {'LUTs syn':>9} {'FFs syn':>8} {'BRAM syn':>8}" if synth else ""
        )
    lines = [f"{rep['model']} on {rep['target']} at {rep['clock_mhz']:g} MHz", head, "-" * len(head)]
    for unit in rep["layers"]:
        mark = "  <- bottleneck" if unit["bottleneck"] else ""
        number = "" if unit["layer"] is None else unit["layer"]
        row = f"{unit['index']:>3} {number:>5} {unit['kind']:<8} "
        if unit["kind"].startswith("mvu"):
            row += (
                f"{unit['fan_in']:>7} {unit['channels']:>5} {unit['pe']:>4} {unit['simd']:>5} {unit['lanes']:>6} "
                f"{unit['vectors']:>8} {unit['cycles']:>13}"
            )
        else:
            row += f"{'':>7} {'':>5} {'':>4} {'':>5} {'':>6} {unit['vectors']:>8} {unit['cycles']:>13}"
        if res:
            row += f" {_figure(unit['luts']):>8} {_figure(unit['ffs']):>8} {_figure(unit['brams']):>6}"
            if synth:
                row += (
                    f" {_figure(unit.get('luts_synth')):>9} {_figure(unit.get('ffs_synth')):>8} "
                    f"{_figure(unit.get('brams_synth')):>8}"
                )
        lines.append(row + mark)
    latency = "n/a (line buffers)" if rep["latency_cycles"] is None else f"{rep['latency_cycles']} cycles"
    lines.append(
        f"II {rep['ii_cycles']} cycles/frame, {rep['fps']:.1f} frames/s, latency {latency}, "
        f"{rep['totals']['lanes']} lanes, {rep['tops']:.4g} TOPS ({rep['macs_per_frame']:,} MACs per frame)"
    )
    lines.append("layer: the number a --fold file gives the unit (matrix-vector units in program order)")
    if res:
        t, sh, dev = rep["totals"], rep["shares"], rep["device"]
        lines.append(
            "resources (model): "
            + ", ".join(
                f"{_figure(t[k])} of {_figure(dev[k])} {name} ({sh[k]:.1%})"
                for k, name in (
                    ("luts", "LUTs" if "alms" not in t else f"LUT6-equivalents (= {t['alms']:,} ALMs)"),
                    ("ffs", "FFs"),
                    ("brams", f"{dev['bram_kind']} blocks"),
                    ("dsps", "DSPs"),
                )
            )
        )
        if synth:
            lines.append(
                f"resources (Yosys, {rep['synth']['totals_from']}): "
                + ", ".join(
                    f"{_figure(t[k + '_synth'])} {name}"
                    for k, name in (
                        ("luts", "LUTs"),
                        ("ffs", "FFs"),
                        ("brams", rep["device"]["bram_kind"]),
                        ("dsps", "DSPs"),
                    )
                )
            )
        pnr = rep.get("pnr")
        if pnr is not None:
            fmax = "n/a" if pnr["fmax_mhz_pnr"] is None else f"{pnr['fmax_mhz_pnr']:.2f} MHz"
            util = ", ".join(f"{k} {u}/{a}" for k, (u, a) in pnr["utilisation"].items() if u)
            lines.append(
                f"place and route (nextpnr-ice40): {'fits' if pnr['fits'] else 'does not fit'}, fmax {fmax}; {util}"
            )
    w = rep.get("weights")
    if w is not None:
        # The placement counts raw bits of every on-chip RAM kind; the resource model above
        # counts whole blocks of the first kind, as the generated ROMs use them.
        rams = " and ".join(rep["device"]["rams"])
        room = f"{w['on_chip_capacity_bits']:,} bits of {rams} left after line buffers and FIFOs"
        if w["fits_on_chip"]:
            lines.append(
                f"weights {w['weight_bits']:,} bits: their bits fit the {room}; "
                f"as generated they take whole {rep['device']['bram_kind']} blocks (counted above)"
            )
        else:
            stream = (
                f"projected with units {', '.join(map(str, w['streamed_units']))} streaming "
                f"{w['streamed_bytes']:,} bytes per batch from DRAM"
            )
            if w["batch_needed"] is None:
                stream += " (the board has no DRAM)"
            else:
                stream += (
                    f" ({w['dram_gbps']:g} GB/s): batch {w['batch_needed']} keeps the rate, "
                    f"batch 1 gives {w['fps_batch1']:.1f} frames/s"
                )
            lines.append(f"weights {w['weight_bits']:,} bits do not fit the {room}: {stream}")
    if rep.get("fit_problem"):
        # The generated Verilog keeps every weight in on-chip ROMs; streaming is a projection.
        streamed = w is not None and not w["fits_on_chip"]
        lines.append(
            ("as generated (every weight in on-chip ROMs), " if streamed else "")
            + f"does not fit: {rep['fit_problem']}"
        )
    if rep.get("fit_warning"):
        lines.append(f"WARNING: {rep['fit_warning']}")
    return "\n".join(lines) + "\n"
