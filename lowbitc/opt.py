"""`lowbitc-opt`: xdsl-opt with lowbitc's dialects, passes and the Verilog target."""

from __future__ import annotations

import dataclasses
import sys

from xdsl.printer import Printer
from xdsl.utils.exceptions import DiagnosticException
from xdsl.xdsl_opt_main import xDSLOptMain

from lowbitc.registry import all_dialects, all_passes, all_targets


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

    def setup_pipeline(self) -> None:
        super().setup_pipeline()
        if not self.args.print_ir_after_all:
            return
        inner = self.pipeline.callback

        def callback(previous_pass, module, next_pass) -> None:
            if inner is not None:
                inner(previous_pass, module, next_pass)
            if previous_pass is not None:
                print(f"// -----// IR Dump After {previous_pass.name} //----- //", file=sys.stderr)
                Printer(stream=sys.stderr).print_op(module)
                print(file=sys.stderr)

        self.pipeline = dataclasses.replace(self.pipeline, callback=callback)

    def register_all_targets(self) -> None:
        super().register_all_targets()
        for name, factory in all_targets().items():
            self.available_targets[name] = factory


def main() -> None:
    # A failing pass or verifier is the user's IR, not a crash: print the diagnostic (it
    # names the op and shows the IR) without a Python traceback, exit 2.
    try:
        LowbitcOptMain().run()
    except DiagnosticException as exc:
        print(exc, file=sys.stderr)
        sys.exit(2)
    except OSError as exc:  # a missing or unreadable input file
        print(f"lowbitc-opt: error: {exc.filename}: {exc.strerror}", file=sys.stderr)
        sys.exit(2)


if __name__ == "__main__":
    main()
