"""Building blocks for ONNX graphs rebuilt from dlib layers: a node builder and convolutions with folded affines."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import numpy.typing as npt
import onnx  # type: ignore[import-untyped,unused-ignore]
from onnx import helper, numpy_helper

from emulator.engine.dlibnet.format import Affine, Conv, FloatArray

OPSET = 17
IR_VERSION = 8

Shape = tuple[int, int, int]


class GraphBuildError(ValueError):
    """The parsed network has a structure this builder does not handle."""


@dataclass
class Builder:
    """Accumulates nodes and initializers while walking the layers in forward order."""

    nodes: list[onnx.NodeProto] = field(default_factory=list)
    inits: list[onnx.TensorProto] = field(default_factory=list)
    count: int = 0

    def name(self, prefix: str) -> str:
        """A fresh tensor or node name."""
        self.count += 1
        return f"{prefix}_{self.count}"

    def const(self, prefix: str, value: npt.NDArray[Any]) -> str:
        """Add an initializer and return its name."""
        name = self.name(prefix)
        self.inits.append(numpy_helper.from_array(value, name))
        return name

    def op(self, op_type: str, inputs: list[str], **attrs: Any) -> str:
        """Add a node with one output and return the output's name."""
        out = self.name(op_type.lower())
        self.nodes.append(helper.make_node(op_type, inputs, [out], name=out + "_node", **attrs))
        return out


def out_size(size: int, window: int, stride: int, pad: int) -> int:
    """dlib's (and ONNX's) output size of a convolution or pooling window."""
    return (size + 2 * pad - window) // stride + 1


def fold_affine(conv: Conv, affine: Affine | None) -> tuple[FloatArray, FloatArray]:
    """Fold y = gamma * conv(x) + beta into the conv's filters and bias."""
    if affine is None:
        return conv.filters, conv.bias
    gamma = affine.gamma.astype(np.float32)
    if gamma.size != conv.filters.shape[0]:
        raise GraphBuildError(f"affine of {gamma.size} channels after a conv of {conv.filters.shape[0]}")
    filters = (conv.filters * gamma[:, None, None, None]).astype(np.float32)
    bias = (conv.bias * gamma + affine.beta).astype(np.float32)
    return filters, bias


def conv_node(b: Builder, x: str, channels: int, conv: Conv, affine: Affine | None) -> str:
    """A Conv node over x (which has `channels` planes), with a following affine folded in."""
    filters, bias = fold_affine(conv, affine)
    _, c, kh, kw = filters.shape
    if c != channels:
        raise GraphBuildError(f"conv expects {c} channels, gets {channels}")
    (sy, sx), (py, px) = conv.stride, conv.pad
    return b.op(
        "Conv",
        [x, b.const("w", filters), b.const("b", bias)],
        kernel_shape=[kh, kw],
        strides=[sy, sx],
        pads=[py, px, py, px],
    )


def finish_model(b: Builder, name: str, inputs: list[onnx.ValueInfoProto],
                 outputs: list[onnx.ValueInfoProto]) -> onnx.ModelProto:
    """The checked model of the builder's nodes and initializers."""
    graph = helper.make_graph(b.nodes, name, inputs, outputs, initializer=b.inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", OPSET)])
    model.ir_version = IR_VERSION
    model.producer_name = "rekognition-emulator"
    onnx.checker.check_model(model)
    return model
