"""The one shared test harness: the CLI runner (`cli`: `lowbitc` in a subprocess, run against sim,
compile and lint), the hardware test harness for tests/hw (`hw`: configurations, cases, wrappers
built with the emitter's Verilog syntax tree; `mvu`, `mvu_checks`, `gates` for the matrix-vector
unit and the multi-stream units), the small QONNX models (`graphs`, on the package's
`lowbitc.zoo.builder`), the interpreter's checks against the references and across stages
(`stages`) and a PNG reader (`png`). The reference runners (qonnx, onnxruntime) are the package's
`lowbitc.zoo.reference`, since bench/ needs them too and bench/ never imports tests/.

pytest finds this package through `pythonpath = ["tests"]` in pyproject.toml: a top-level name
`support`, because an installed dependency ships a `tests` package that would shadow
`tests.support`."""
