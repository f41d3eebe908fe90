"""ONNX import: QONNX (Brevitas, model zoo), FINN-ONNX and plain ONNX to the lowbit dialect."""

from lowbitc.importer.builder import import_onnx

__all__ = ["import_onnx"]
