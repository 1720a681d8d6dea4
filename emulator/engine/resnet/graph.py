"""Builds the ONNX graph equivalent to a parsed dlib descriptor network (affine layers folded into convs)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import onnx  # type: ignore[import-untyped,unused-ignore]
from onnx import TensorProto, helper

from emulator.engine.dlibnet.onnx_graph import (
    Builder,
    GraphBuildError,
    Shape,
    conv_node,
    finish_model,
    fold_affine,
    out_size,
)
from emulator.engine.resnet.dlib_format import (
    Affine,
    Conv,
    DlibNet,
    Fc,
    Layer,
    Pool,
)

INPUT_NAME = "chips"
OUTPUT_NAME = "descriptors"
#: Bump when the graph changes, so cached models built by older code are not reused.
GRAPH_VERSION = 1

__all__ = ["GRAPH_VERSION", "INPUT_NAME", "OUTPUT_NAME", "GraphBuildError", "build_model", "fold_affine"]


def _conv(b: Builder, x: str, shape: Shape, conv: Conv, affine: Affine | None) -> tuple[str, Shape]:
    """A conv node (with a following affine folded in) and its output shape."""
    out = conv_node(b, x, shape[0], conv, affine)
    _, _, kh, kw = conv.filters.shape
    (sy, sx), (py, px) = conv.stride, conv.pad
    return out, (conv.filters.shape[0], out_size(shape[1], kh, sy, py), out_size(shape[2], kw, sx, px))


def _pool(b: Builder, x: str, shape: Shape, pool: Pool) -> tuple[str, Shape]:
    """A max or average pool; a 0 x 0 window pools the whole plane."""
    (wy, wx), (sy, sx), (py, px) = pool.window, pool.stride, pool.pad
    if wy == 0 and wx == 0:
        kind = "GlobalAveragePool" if pool.kind == "avg_pool" else "GlobalMaxPool"
        return b.op(kind, [x]), (shape[0], 1, 1)
    attrs: dict[str, Any] = {"kernel_shape": [wy, wx], "strides": [sy, sx], "pads": [py, px, py, px]}
    if pool.kind == "avg_pool":
        attrs["count_include_pad"] = 0
    out = b.op("MaxPool" if pool.kind == "max_pool" else "AveragePool", [x], **attrs)
    return out, (shape[0], out_size(shape[1], wy, sy, py), out_size(shape[2], wx, sx, px))


def _pad_to(b: Builder, x: str, shape: Shape, target: Shape) -> str:
    """Zero-pad channels, rows and columns at their ends up to target (dlib's add_prev semantics)."""
    if shape == target:
        return x
    ends = [0, target[0] - shape[0], target[1] - shape[1], target[2] - shape[2]]
    pads = np.array([0, 0, 0, 0, *ends], dtype=np.int64)
    return b.op("Pad", [x, b.const("pads", pads)], mode="constant")


def _add_prev(b: Builder, x: str, xs: Shape, y: str, ys: Shape) -> tuple[str, Shape]:
    """Add two tensors after zero-padding the smaller to the larger shape."""
    target = (max(xs[0], ys[0]), max(xs[1], ys[1]), max(xs[2], ys[2]))
    return b.op("Add", [_pad_to(b, x, xs, target), _pad_to(b, y, ys, target)]), target


def _fc(b: Builder, x: str, shape: Shape, fc: Fc) -> tuple[str, Shape]:
    """Flatten and multiply by the (num_inputs, num_outputs) weight matrix."""
    n_in, n_out = fc.weights.shape
    if n_in != shape[0] * shape[1] * shape[2]:
        raise GraphBuildError(f"fc expects {n_in} inputs, gets {shape}")
    flat = b.op("Flatten", [x], axis=1)
    out = b.op("MatMul", [flat, b.const("fc_w", fc.weights.astype(np.float32))])
    if fc.bias is not None:
        out = b.op("Add", [out, b.const("fc_b", fc.bias.astype(np.float32))])
    return out, (n_out, 1, 1)


def _input(b: Builder, net: DlibNet) -> str:
    """uint8 NHWC chips -> float NCHW planes, (pixel - mean) / 256."""
    x = b.op("Cast", [INPUT_NAME], to=TensorProto.FLOAT)
    x = b.op("Transpose", [x], perm=[0, 3, 1, 2])
    mean = np.array(net.input.mean, dtype=np.float32).reshape(1, 3, 1, 1)
    x = b.op("Sub", [x, b.const("mean", mean)])
    return b.op("Mul", [x, b.const("scale", np.array(1.0 / 256.0, dtype=np.float32))])


@dataclass
class _Walk:
    """The state of the forward walk: current tensor and shape, and the tagged outputs."""

    x: str
    shape: Shape
    tags: list[tuple[str, Shape]] = field(default_factory=list)


def _markers(walk: _Walk, layers: list[Layer], i: int) -> int:
    """Interpret tag/skip wrappers; returns how many layers were consumed.

    One marker alone is a tag1 (block input). Two in a row are tag2 then skip1: the block output is
    tagged in place of tag1 and the walk returns to the tag1 input (dlib's residual_down).
    """
    if i + 1 < len(layers) and layers[i + 1].kind == "marker":
        if not walk.tags:
            raise GraphBuildError("skip without a tag before it")
        tag1 = walk.tags.pop()
        walk.tags.append((walk.x, walk.shape))
        walk.x, walk.shape = tag1
        return 2
    walk.tags.append((walk.x, walk.shape))
    return 1


def _step(b: Builder, walk: _Walk, layers: list[Layer], i: int) -> int:
    """Emit the layer at index i (with a following affine folded in); returns layers consumed."""
    layer = layers[i]
    if isinstance(layer, Conv):
        nxt = layers[i + 1] if i + 1 < len(layers) else None
        affine = nxt if isinstance(nxt, Affine) else None
        walk.x, walk.shape = _conv(b, walk.x, walk.shape, layer, affine)
        return 2 if affine is not None else 1
    if layer.kind == "marker":
        return _markers(walk, layers, i)
    if layer.kind == "add_prev":
        if not walk.tags:
            raise GraphBuildError("add_prev without a tag")
        prev = walk.tags.pop()
        walk.x, walk.shape = _add_prev(b, walk.x, walk.shape, *prev)
        return 1
    if layer.kind == "relu":
        walk.x = b.op("Relu", [walk.x])
        return 1
    if isinstance(layer, Pool):
        walk.x, walk.shape = _pool(b, walk.x, walk.shape, layer)
        return 1
    if isinstance(layer, Fc):
        walk.x, walk.shape = _fc(b, walk.x, walk.shape, layer)
        return 1
    raise GraphBuildError(f"unsupported layer {layer.kind} at position {i} (an affine not after a conv?)")


def build_model(net: DlibNet) -> onnx.ModelProto:
    """The ONNX model: input uint8 (N, rows, cols, 3) RGB chips, output float32 (N, 128) descriptors."""
    b = Builder()
    walk = _Walk(x=_input(b, net), shape=(3, net.input.rows, net.input.cols))
    i = 0
    while i < len(net.layers):
        i += _step(b, walk, net.layers, i)
    if walk.shape[1:] != (1, 1):
        raise GraphBuildError(f"network output is {walk.shape}, not a vector")
    b.nodes.append(helper.make_node("Identity", [walk.x], [OUTPUT_NAME], name="output"))
    rows, cols = net.input.rows, net.input.cols
    return finish_model(
        b,
        "dlib_resnet_descriptor",
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.UINT8, ["N", rows, cols, 3])],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, ["N", walk.shape[0]])],
    )
