"""The IR stages, in pipeline order (no imports: the command line reads them without loading the compiler)."""

STAGES = ("onnx", "lowbit", "streamline", "bitserial", "tile", "unroll", "pipeline", "rtl", "verilog")
"""`onnx` prints the model as read; `lowbit` is the imported IR; each later stage is the IR
after the pass of that name; `verilog` is the emitted design."""
