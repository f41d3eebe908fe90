"""The text rendering of `lowbitc report` (backends/report/design.py's dict)."""

from __future__ import annotations


def _figure(v) -> str:
    return "-" if v is None else f"{v:,.1f}" if isinstance(v, float) and v != int(v) else f"{int(v):,}"


def format_report(rep: dict) -> str:
    head = f"{'#':>3} {'unit':<8} {'fan-in':>7} {'out':>5} {'PE':>4} {'SIMD':>5} {'lanes':>6} {'vectors':>8} {'cycles/frame':>13}"
    res = rep.get("shares") is not None  # the resource model ran (a device with fabric)
    synth = res and "luts_synth" in rep["totals"]
    if res:
        head += f" {'LUTs':>8} {'FFs':>8} {'BRAM':>6}" + (
            f" {'LUTs syn':>9} {'FFs syn':>8} {'BRAM syn':>8}" if synth else ""
        )
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
    lines.append(
        f"II {rep['ii_cycles']} cycles/frame, {rep['fps']:.1f} frames/s, latency {latency}, {rep['totals']['lanes']} lanes, "
        f"{rep['tops']:.4g} TOPS ({rep['macs_per_frame']:,} MACs per frame)"
    )
    if res:
        t, sh = rep["totals"], rep["shares"]
        lines.append(
            "resources (model): "
            + ", ".join(
                f"{_figure(t[k])} {name} ({sh[k]:.1%})"
                for k, name in (
                    ("luts", "LUTs" if "alms" not in t else f"LUT6-equivalents = {t['alms']:,} ALMs"),
                    ("ffs", "FFs"),
                    ("brams", rep["device"]["bram_kind"]),
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
        if w["fits_on_chip"]:
            lines.append(
                f"weights {w['weight_bits']:,} bits on chip (block RAM left for them: {w['on_chip_capacity_bits']:,} bits)"
            )
        else:
            stream = f"projected with units {', '.join(map(str, w['streamed_units']))} streaming {w['streamed_bytes']:,} bytes per batch from DRAM"
            if w["batch_needed"] is None:
                stream += " (the board has no DRAM)"
            else:
                stream += f" ({w['dram_gbps']:g} GB/s): batch {w['batch_needed']} keeps the rate, batch 1 gives {w['fps_batch1']:.1f} frames/s"
            lines.append(
                f"weights {w['weight_bits']:,} bits do not fit on chip ({w['on_chip_capacity_bits']:,} bits of block RAM left): {stream}"
            )
    if rep.get("fit_problem"):
        # The generated Verilog keeps every weight in on-chip ROMs; streaming is a projection.
        streamed = w is not None and not w["fits_on_chip"]
        lines.append(
            ("as generated (every weight in on-chip ROMs), " if streamed else "")
            + f"does not fit: {rep['fit_problem']}"
        )
    return "\n".join(lines) + "\n"
