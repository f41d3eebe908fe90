"""The plumbing every QONNX graph builder shares: unique names, initializers written straight into
the model, nodes (the quantizers in qonnx's domain), and the finished `onnx.ModelProto`.

`Graph` (graph.py) builds the zoo's networks on it with calibrated statistics; the random
networks of the fuzzer (random_nets.py) and the test suite's small models (tests/support/graphs.py)
build on it too, so that one piece of code decides how a QONNX model is put together.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass, field

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

QONNX = "qonnx.custom_op.general"
"""The domain of `Quant`, `BipolarQuant` and `Trunc` as Brevitas exports them."""
OPSET = 13
QONNX_OPS = ("Quant", "BipolarQuant", "Trunc")


@dataclass(kw_only=True)
class OnnxBuilder:
    proto: onnx.ModelProto = field(default_factory=onnx.ModelProto)
    """The model being built; initializers go straight into it (AlexNet's are 240 MB: each
    copy of them costs a second)."""
    nodes: list[onnx.NodeProto] = field(default_factory=list)
    names: dict[str, int] = field(default_factory=dict)
    shared: dict[tuple, str] = field(default_factory=dict)

    def fresh(self, stem: str) -> str:
        """``stem`` the first time, then ``stem_1``, ``stem_2``..."""
        self.names[stem] = self.names.get(stem, -1) + 1
        return stem if self.names[stem] == 0 else f"{stem}_{self.names[stem]}"

    def const(self, stem: str, value) -> str:
        """An initializer holding ``value`` (its numpy dtype and shape); returns its name."""
        name = self.fresh(stem)
        array = np.asarray(value)
        tensor = self.proto.graph.initializer.add()
        if sys.byteorder == "little":
            tensor.name, tensor.data_type = name, helper.np_dtype_to_tensor_dtype(array.dtype)
            tensor.dims.extend(array.shape)
            tensor.raw_data = array.tobytes()
        else:
            tensor.CopyFrom(numpy_helper.from_array(array, name))
        return name

    def scalar(self, value: float) -> str:
        """A float32 scalar initializer, shared by every node using the same value."""
        key = ("f32", float(value))
        if key not in self.shared:
            self.shared[key] = self.const(f"const_{len(self.shared)}", np.float32(value))
        return self.shared[key]

    def node(self, op: str, inputs: list[str], stem: str, **attrs) -> str:
        """Append a node with one output named after ``stem`` (the node's name too); returns the
        output's name. The quantizers go to qonnx's domain."""
        out = self.fresh(stem)
        domain = QONNX if op in QONNX_OPS else ""
        self.nodes.append(helper.make_node(op, inputs, [out], name=out, domain=domain, **attrs))
        return out

    def finish(
        self,
        name: str,
        inputs: dict[str, list[int]],
        outputs: dict[str, list[int]],
        *,
        producer: str = "",
        doc: str = "",
    ) -> onnx.ModelProto:
        """The model: the nodes so far, float32 graph inputs and outputs of the given shapes
        (the batch axis included), ONNX opset 13 and qonnx's domain, IR version 8."""
        model = self.proto
        model.graph.name = name
        model.graph.node.extend(self.nodes)
        for tensor, shape in inputs.items():
            model.graph.input.append(helper.make_tensor_value_info(tensor, TensorProto.FLOAT, shape))
        for tensor, shape in outputs.items():
            model.graph.output.append(helper.make_tensor_value_info(tensor, TensorProto.FLOAT, shape))
        model.opset_import.extend([helper.make_opsetid("", OPSET), helper.make_opsetid(QONNX, 1)])
        model.ir_version = 8
        if producer:
            model.producer_name = producer
        if doc:
            model.doc_string = doc
        return model
