"""Reader for dlib's serialization of the face descriptor network (dlib_face_recognition_resnet_model_v1)."""

from __future__ import annotations

from dataclasses import dataclass

from emulator.engine.dlibnet.format import (
    AddPrev,
    Affine,
    Conv,
    DlibFormatError,
    Fc,
    FloatArray,
    Layer,
    Marker,
    Pool,
    Reader,
    Relu,
    read_layers,
    read_wrapper_versions,
)

__all__ = [
    "AddPrev",
    "Affine",
    "Conv",
    "DlibFormatError",
    "DlibNet",
    "Fc",
    "FloatArray",
    "InputLayer",
    "Layer",
    "Marker",
    "Pool",
    "Reader",
    "Relu",
    "parse",
]


@dataclass(frozen=True)
class InputLayer:
    """input_rgb_image_sized: per-channel means (R, G, B) and the chip size."""

    mean: tuple[float, float, float]
    rows: int
    cols: int


@dataclass(frozen=True)
class DlibNet:
    """A parsed network: its input layer and its layers in forward order."""

    input: InputLayer
    layers: list[Layer]
    loss: str


def _read_input(reader: Reader) -> InputLayer:
    """input_rgb_image_sized: name, three means, rows, cols."""
    name = reader.read_str()
    if name != "input_rgb_image_sized":
        raise DlibFormatError(f"unsupported input layer {name!r}")
    mean = (reader.read_float(), reader.read_float(), reader.read_float())
    return InputLayer(mean=mean, rows=reader.read_int(), cols=reader.read_int())


def _read_loss(reader: Reader) -> str:
    """The loss layer header: version, name, margin, distance threshold."""
    version = reader.read_int()
    name = reader.read_str()
    if version != 1 or not name.startswith("loss_metric_"):
        raise DlibFormatError(f"unsupported loss layer {name!r} (version {version})")
    reader.read_float()
    reader.read_float()
    return name


def parse(data: bytes) -> DlibNet:
    """Parse a serialized loss_metric network into its layers in forward order."""
    reader = Reader(data)
    loss = _read_loss(reader)
    versions = read_wrapper_versions(reader)
    net_input = _read_input(reader)
    return DlibNet(input=net_input, layers=read_layers(reader, versions), loss=loss)
