"""`lowbitc-opt`: xdsl-opt with lowbitc's dialects, passes and the Verilog target."""

from __future__ import annotations

import dataclasses
import difflib
import sys
from io import StringIO
from typing import get_type_hints

from xdsl.dialects.builtin import ModuleOp
from xdsl.passes import ModulePass
from xdsl.utils.arg_spec import ArgSpec, parse_pipeline
from xdsl.utils.exceptions import ArgSpecParseError, DiagnosticException, ParseError
from xdsl.xdsl_opt_main import xDSLOptMain

from lowbitc.ir_print import ELIDE_HELP, ir_printer
from lowbitc.registry import all_dialects, all_passes, all_targets


class OptUsageError(Exception):
    """A mistake on lowbitc-opt's command line: one line on stderr, exit code 2."""


def closest(name: str, choices: list[str]) -> str:
    """' (did you mean X?)' for the nearest of ``choices``, or '' when none is near."""
    near = difflib.get_close_matches(name, choices, n=1)
    return f" (did you mean '{near[0]}'?)" if near else ""


def pass_options(pass_class: type[ModulePass]) -> list[str]:
    """The options a pass takes in `-p 'name{option=value}'`, as the spec spells them."""
    return [f.name for f in dataclasses.fields(pass_class) if f.init and f.name != "name"]


def check_pipeline(spec: str, available: dict[str, object], lowbitc_passes: list[str]) -> None:
    """Refuse an unknown pass or pass option with the closest name, before xDSL raises a bare
    ValueError deep in its driver (a traceback, which the docs reserve for lowbitc bugs)."""
    try:
        specs = list(parse_pipeline(spec))
    except ArgSpecParseError as exc:
        reason = [line for line in str(exc).splitlines() if line.strip()][-1].strip(" ^")
        raise OptUsageError(
            f"-p '{spec}': not a pass pipeline ({reason}); write -p 'tile{{lanes=64}},unroll', quoting values "
            'with punctuation: tile{fold_file="fold.json"}'
        ) from None
    for one in specs:
        if one.name not in available:
            raise OptUsageError(
                f"-p: unknown pass '{one.name}'{closest(one.name, list(available))}; "
                f"lowbitc's passes: {', '.join(lowbitc_passes)}"
            )
        pass_class = available[one.name]()  # type: ignore[operator]
        options = pass_options(pass_class)
        for given, value in one.normalize_parameter_names().parameters.items():
            if given not in options:
                known = ", ".join(options) or "none"
                raise OptUsageError(
                    f"-p: pass '{one.name}' has no option '{given}'{closest(given, options)}; its options: {known}"
                )
            try:  # each option on its own, so that the message can name the one of the wrong type
                pass_class.from_pass_spec(ArgSpec(one.name, {given: value}))
            except ValueError as exc:
                if "requires argument" in str(exc):  # another option is required: checked below, together
                    continue
                wanted = get_type_hints(pass_class).get(given, "?")
                shown = ",".join(map(str, value)) if isinstance(value, list | tuple) else str(value)
                raise OptUsageError(
                    f"-p: pass '{one.name}' option {given}={shown}: expected {getattr(wanted, '__name__', wanted)}"
                ) from None


class LowbitcOptMain(xDSLOptMain):
    def register_all_dialects(self) -> None:
        super().register_all_dialects()
        for name, factory in all_dialects().items():
            if name not in self.ctx.registered_dialect_names:
                self.ctx.register_dialect(name, factory)

    def register_all_passes(self) -> None:
        super().register_all_passes()
        for name, factory in all_passes().items():
            self.register_pass(name, factory)

    def register_all_arguments(self, arg_parser) -> None:
        super().register_all_arguments(arg_parser)
        arg_parser.add_argument(
            "--print-ir-after-all",
            action="store_true",
            help="print the IR after every pass to stderr, as mlir-opt does",
        )
        arg_parser.add_argument("--elide-constants-larger-than", type=int, metavar="N", help=ELIDE_HELP)

    def setup_pipeline(self) -> None:
        check_pipeline(self.args.passes, self.available_passes, list(all_passes()))
        try:
            super().setup_pipeline()
        except ValueError as exc:  # an option of the wrong type: `tile{lanes=x}`
            raise OptUsageError(f"-p '{self.args.passes}': {exc}") from None
        if not self.args.print_ir_after_all:
            return
        inner = self.pipeline.callback

        def callback(previous_pass, module, next_pass) -> None:
            if inner is not None:
                inner(previous_pass, module, next_pass)
            if previous_pass is not None:
                print(f"// -----// IR Dump After {previous_pass.name} //----- //", file=sys.stderr)
                ir_printer(sys.stderr, self.args.elide_constants_larger_than).print_op(module)
                print(file=sys.stderr)

        self.pipeline = dataclasses.replace(self.pipeline, callback=callback)

    def output_resulting_program(self, prog: ModuleOp) -> str:
        limit = self.args.elide_constants_larger_than
        if limit is None or self.args.target != "mlir" or self.args.print_op_generic:
            return super().output_resulting_program(prog)
        output = StringIO()
        printer = ir_printer(output, limit)
        printer.print_op(prog)
        printer.print_metadata(self.ctx.loaded_dialects)
        print("\n", file=output)
        return output.getvalue()

    def register_all_targets(self) -> None:
        super().register_all_targets()
        for name, factory in all_targets().items():
            self.available_targets[name] = factory


def main() -> None:
    # A failing pass or verifier is the user's IR, not a crash: print the diagnostic (it
    # names the op and shows the IR) without a Python traceback, exit 2.
    try:
        LowbitcOptMain().run()
    except OptUsageError as exc:
        print(f"lowbitc-opt: error: {exc}", file=sys.stderr)
        sys.exit(2)
    except (DiagnosticException, ParseError) as exc:  # the message shows the place in the IR
        print(exc, file=sys.stderr)
        sys.exit(2)
    except OSError as exc:  # a missing or unreadable input file
        print(f"lowbitc-opt: error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
