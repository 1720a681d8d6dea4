"""dlib's ResNet face descriptor rebuilt from its weights file for onnxruntime."""

from __future__ import annotations

from emulator.engine.resnet.onnx_loader import OnnxDescriptor, ResnetBuildError, load

__all__ = ["OnnxDescriptor", "ResnetBuildError", "load"]
