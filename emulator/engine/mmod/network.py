"""Reader for dlib's serialized MMOD face detector: loss_mmod options, the image pyramid input, the conv stack."""

from __future__ import annotations

from dataclasses import dataclass

from emulator.engine.dlibnet.format import (
    Affine,
    Conv,
    DlibFormatError,
    Layer,
    Reader,
    Relu,
    read_layers,
    read_wrapper_versions,
)


@dataclass(frozen=True)
class DetectorWindow:
    """One sliding window of loss_mmod: its size in tensor pixels and its label."""

    width: int
    height: int
    label: str


@dataclass(frozen=True)
class BoxOverlap:
    """dlib's test_box_overlap: two boxes overlap if IoU or either covered fraction exceeds its threshold."""

    iou: float
    covered: float


@dataclass(frozen=True)
class MmodOptions:
    """The parts of mmod_options that detection uses (the rest is training state)."""

    windows: tuple[DetectorWindow, ...]
    overlaps_nms: BoxOverlap
    bounding_box_regression: bool


@dataclass(frozen=True)
class PyramidInput:
    """input_rgb_image_pyramid: per-channel means (R, G, B) and the tiled pyramid's paddings."""

    mean: tuple[float, float, float]
    padding: int
    outer_padding: int


@dataclass(frozen=True)
class MmodNet:
    """A parsed MMOD detector: options, input layer and layers in forward order."""

    options: MmodOptions
    input: PyramidInput
    layers: list[Layer]


def _read_window(reader: Reader) -> DetectorWindow:
    """detector_window_details: version, width, height, and (version 2) a label."""
    version = reader.read_int()
    if version not in (1, 2):
        raise DlibFormatError(f"unsupported detector window version {version}")
    width, height = reader.read_int(), reader.read_int()
    return DetectorWindow(width, height, reader.read_str() if version == 2 else "")


def _read_overlap(reader: Reader) -> BoxOverlap:
    """test_box_overlap: IoU threshold, then percent-covered threshold."""
    return BoxOverlap(iou=reader.read_float(), covered=reader.read_float())


def _read_options(reader: Reader) -> MmodOptions:
    """mmod_options, versions 1 to 4."""
    version = reader.read_int()
    if not 1 <= version <= 4:
        raise DlibFormatError(f"unsupported mmod_options version {version}")
    if version == 1:
        windows: tuple[DetectorWindow, ...] = (DetectorWindow(reader.read_int(), reader.read_int(), ""),)
    else:
        count = reader.read_int()
        if not 0 < count <= 1000:
            raise DlibFormatError(f"implausible number of detector windows {count}")
        windows = tuple(_read_window(reader) for _ in range(count))
    for _ in range(3):  # loss per false alarm, loss per missed target, truth match IoU threshold
        reader.read_float()
    nms = _read_overlap(reader)
    _read_overlap(reader)  # overlaps_ignore: training only
    if version >= 3:
        reader.read_int()  # assume_image_pyramid
    bbr = False
    if version >= 4:
        bbr = reader.read_bool()
        reader.read_float()  # bbr_lambda
    return MmodOptions(windows=windows, overlaps_nms=nms, bounding_box_regression=bbr)


def _read_loss(reader: Reader) -> MmodOptions:
    """The loss layer: version 1, the name loss_mmod_, its options."""
    version = reader.read_int()
    name = reader.read_str()
    if version != 1 or name != "loss_mmod_":
        raise DlibFormatError(f"not an MMOD detector: loss layer {name!r} (version {version})")
    return _read_options(reader)


def _read_input(reader: Reader) -> PyramidInput:
    """input_rgb_image_pyramid (paddings 10 and 11) or input_rgb_image_pyramid2 (paddings stored)."""
    name = reader.read_str()
    if name not in ("input_rgb_image_pyramid", "input_rgb_image_pyramid2"):
        raise DlibFormatError(f"unsupported input layer {name!r}")
    mean = (reader.read_float(), reader.read_float(), reader.read_float())
    if name == "input_rgb_image_pyramid2":
        return PyramidInput(mean, reader.read_int(), reader.read_int())
    return PyramidInput(mean, 10, 11)


def parse(data: bytes) -> MmodNet:
    """Parse a serialized loss_mmod network (dlib's mmod_human_face_detector.dat)."""
    reader = Reader(data)
    options = _read_loss(reader)
    if options.bounding_box_regression:
        raise DlibFormatError("MMOD detectors with bounding box regression are not supported")
    versions = read_wrapper_versions(reader)
    net_input = _read_input(reader)
    layers = read_layers(reader, versions)
    if any(not isinstance(layer, Conv | Affine | Relu) for layer in layers):
        kinds = sorted({layer.kind for layer in layers})
        raise DlibFormatError(f"an MMOD conv stack has only con, affine and relu layers, not {kinds}")
    return MmodNet(options=options, input=net_input, layers=layers)
