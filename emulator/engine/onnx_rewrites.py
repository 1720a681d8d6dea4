"""Load-time rewrites of vendored ONNX graphs that change their speed on onnxruntime's CPU kernels, not their output."""

from __future__ import annotations

import numpy as np
import onnx


def flush_denormal_weights(model: onnx.ModelProto) -> int:
    """Set the model's denormal float32 weights to zero, in place; how many there were."""
    tiny = np.finfo(np.float32).tiny
    flushed = 0
    for init in model.graph.initializer:
        if init.data_type != onnx.TensorProto.FLOAT:
            continue
        values = onnx.numpy_helper.to_array(init)
        denormal = (values != 0) & (np.abs(values) < tiny)
        if denormal.any():
            flushed += int(denormal.sum())
            init.CopyFrom(onnx.numpy_helper.from_array(np.where(denormal, np.float32(0), values), init.name))
    return flushed


def prelu_as_relu(model: onnx.ModelProto) -> int:
    """Replace each PRelu(x, s) by Relu(x) + s * (x - Relu(x)), in place; how many were replaced.

    onnxruntime's CPU PRelu broadcasts its (1, C, 1, 1) slope slowly and has no blocked-layout kernel, so every
    one also converts the tensor out of and back into the blocked layout the convolutions use: on MediaPipe's
    iris model PRelu and those conversions were 3.7 of 5.7 ms a run.  Relu, Sub, Mul and Add stay in the
    blocked layout; the iris model runs in 2.3 instead of 4.3 ms an eye and the face mesh in 2.2 instead of
    4.4 ms a pass, with outputs bit-identical (scripts/bench_attributes times both).
    """
    nodes: list[onnx.NodeProto] = []
    replaced = 0
    for node in model.graph.node:
        if node.op_type != "PRelu":
            nodes.append(node)
            continue
        x, slope = node.input
        y = node.output[0]
        relu, below, scaled = f"{y}/relu", f"{y}/below", f"{y}/scaled"
        nodes += [onnx.helper.make_node("Relu", [x], [relu]),
                  onnx.helper.make_node("Sub", [x, relu], [below]),
                  onnx.helper.make_node("Mul", [below, slope], [scaled]),
                  onnx.helper.make_node("Add", [relu, scaled], [y])]
        replaced += 1
    del model.graph.node[:]
    model.graph.node.extend(nodes)
    return replaced
