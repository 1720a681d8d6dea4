"""The ONNX graph of MMOD's conv stack (affine layers folded into convs), and its output-to-input point mapping."""

from __future__ import annotations

from dataclasses import dataclass

import onnx  # type: ignore[import-untyped,unused-ignore]
from onnx import TensorProto, helper

from emulator.engine.dlibnet.format import Affine, Conv
from emulator.engine.dlibnet.onnx_graph import Builder, GraphBuildError, conv_node, finish_model, out_size
from emulator.engine.mmod.network import MmodNet

INPUT_NAME = "pyramid"
OUTPUT_NAME = "scores"
RESIZE_INPUT, RESIZE_SIZES, RESIZE_OUTPUT = "planes", "sizes", "resized"
#: Bump when the graph changes, so cached models built by older code are not reused.
GRAPH_VERSION = 1


@dataclass(frozen=True)
class PointMap:
    """dlib's output_tensor_to_input_tensor for a conv stack: input = scale * output + offset, per axis."""

    scale_x: int
    offset_x: int
    scale_y: int
    offset_y: int


def point_map(net: MmodNet) -> PointMap:
    """Compose con_'s map_output_to_input (p * stride - padding + kernel // 2) from the output layer down."""
    sx, ox, sy, oy = 1, 0, 1, 0
    for layer in reversed(net.layers):
        if isinstance(layer, Conv):
            _, _, kh, kw = layer.filters.shape
            ox = ox * layer.stride[1] - layer.pad[1] + kw // 2
            oy = oy * layer.stride[0] - layer.pad[0] + kh // 2
            sx, sy = sx * layer.stride[1], sy * layer.stride[0]
    return PointMap(sx, ox, sy, oy)


def output_size(net: MmodNet, rows: int, cols: int) -> tuple[int, int]:
    """Rows and columns of the score planes for a (rows, cols) input; 0 or less when the input is too small."""
    for layer in net.layers:
        if isinstance(layer, Conv):
            _, _, kh, kw = layer.filters.shape
            rows = out_size(rows, kh, layer.stride[0], layer.pad[0])
            cols = out_size(cols, kw, layer.stride[1], layer.pad[1])
    return rows, cols


def build_model(net: MmodNet) -> onnx.ModelProto:
    """The ONNX model: float32 (1, 3, H, W) tiled pyramid in, float32 (1, windows, h, w) detector scores out."""
    b = Builder()
    x, channels = INPUT_NAME, 3
    layers = net.layers
    i = 0
    while i < len(layers):
        layer = layers[i]
        if isinstance(layer, Conv):
            nxt = layers[i + 1] if i + 1 < len(layers) else None
            affine = nxt if isinstance(nxt, Affine) else None
            x = conv_node(b, x, channels, layer, affine)
            channels = layer.filters.shape[0]
            i += 2 if affine is not None else 1
        elif layer.kind == "relu":
            x = b.op("Relu", [x])
            i += 1
        else:
            raise GraphBuildError(f"unsupported layer {layer.kind} at position {i} (an affine not after a conv?)")
    if channels != len(net.options.windows):
        raise GraphBuildError(f"the network gives {channels} score planes for {len(net.options.windows)} windows")
    b.nodes.append(helper.make_node("Identity", [x], [OUTPUT_NAME], name="output"))
    return finish_model(
        b,
        "dlib_mmod_face_detector",
        [helper.make_tensor_value_info(INPUT_NAME, TensorProto.FLOAT, [1, 3, "H", "W"])],
        [helper.make_tensor_value_info(OUTPUT_NAME, TensorProto.FLOAT, [1, channels, "h", "w"])],
    )


def build_resize_model() -> onnx.ModelProto:
    """One Resize node, (1, 3, h, w) planes to `sizes`: bilinear with corners aligned and edges clamped, as dlib's
    resize_image; it builds each pyramid level from the one before several times faster than numpy does."""
    b = Builder()
    b.nodes.append(helper.make_node("Resize", [RESIZE_INPUT, "", "", RESIZE_SIZES], [RESIZE_OUTPUT], name="resize",
                                    mode="linear", coordinate_transformation_mode="align_corners"))
    return finish_model(
        b,
        "dlib_resize_bilinear",
        [helper.make_tensor_value_info(RESIZE_INPUT, TensorProto.FLOAT, [1, 3, "h", "w"]),
         helper.make_tensor_value_info(RESIZE_SIZES, TensorProto.INT64, [4])],
        [helper.make_tensor_value_info(RESIZE_OUTPUT, TensorProto.FLOAT, [1, 3, "rows", "cols"])],
    )
