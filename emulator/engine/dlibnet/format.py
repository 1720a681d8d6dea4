"""Reader for dlib's serialization of DNN layers (the parts every dlib network file shares)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import numpy as np
import numpy.typing as npt

FloatArray = npt.NDArray[np.float32]


class DlibFormatError(ValueError):
    """The file is not a dlib network of the expected shape."""


@dataclass(frozen=True)
class Conv:
    """con_: filters (N, C, kh, kw), bias (N,), strides and paddings as (y, x)."""

    filters: FloatArray
    bias: FloatArray
    stride: tuple[int, int]
    pad: tuple[int, int]
    kind: str = field(default="con", init=False)


@dataclass(frozen=True)
class Affine:
    """affine_: frozen batch norm, y = gamma * x + beta per channel."""

    gamma: FloatArray
    beta: FloatArray
    kind: str = field(default="affine", init=False)


@dataclass(frozen=True)
class Relu:
    """relu_: max(x, 0)."""

    kind: str = field(default="relu", init=False)


@dataclass(frozen=True)
class Pool:
    """max_pool_ or avg_pool_; a window of 0 x 0 means the whole plane."""

    kind: str
    window: tuple[int, int]
    stride: tuple[int, int]
    pad: tuple[int, int]


@dataclass(frozen=True)
class AddPrev:
    """add_prev_: adds the output of a tagged layer, zero-padding the smaller operand."""

    kind: str = field(default="add_prev", init=False)


@dataclass(frozen=True)
class Marker:
    """A tag or skip wrapper (version 1, no details): which one is given by the network type, not the file."""

    kind: str = field(default="marker", init=False)


@dataclass(frozen=True)
class Fc:
    """fc_: weights (num_inputs, num_outputs), optional bias (num_outputs,)."""

    weights: FloatArray
    bias: FloatArray | None
    kind: str = field(default="fc", init=False)


Layer = Conv | Affine | Relu | Pool | AddPrev | Marker | Fc


class Reader:
    """Cursor over dlib-serialized bytes."""

    def __init__(self, data: bytes) -> None:
        """Wrap the bytes of a file."""
        self.data = data
        self.pos = 0

    def _take(self, n: int) -> bytes:
        """Return the next n bytes or fail at end of file."""
        if n < 0 or self.pos + n > len(self.data):
            raise DlibFormatError(f"unexpected end of file at offset {self.pos}")
        chunk = self.data[self.pos : self.pos + n]
        self.pos += n
        return chunk

    def read_int(self) -> int:
        """An integer: control byte (low 4 bits: byte count, high bit: sign), then little-endian bytes."""
        control = self._take(1)[0]
        size = control & 0x0F
        if size > 8:
            raise DlibFormatError(f"bad integer control byte {control:#x} at offset {self.pos - 1}")
        value = int.from_bytes(self._take(size), "little")
        return -value if control & 0x80 else value

    def read_float(self) -> float:
        """A float: mantissa and exponent integers, value m * 2**e."""
        mantissa = self.read_int()
        exponent = self.read_int()
        return float(mantissa) * 2.0**exponent

    def read_str(self) -> str:
        """A string: integer length, then its bytes."""
        length = self.read_int()
        if length > 1024:
            raise DlibFormatError(f"implausible string length {length} at offset {self.pos}")
        return self._take(length).decode("latin-1")

    def read_bool(self) -> bool:
        """A boolean: the character '0' or '1'."""
        char = self._take(1)
        if char not in (b"0", b"1"):
            raise DlibFormatError(f"bad boolean {char!r} at offset {self.pos - 1}")
        return char == b"1"

    def read_tensor(self) -> FloatArray:
        """A tensor: version 2, (num_samples, k, rows, cols), then little-endian float32 values."""
        version = self.read_int()
        if version != 2:
            raise DlibFormatError(f"unsupported tensor version {version} at offset {self.pos}")
        shape = tuple(self.read_int() for _ in range(4))
        count = int(np.prod(shape))
        raw = self._take(4 * count)
        return np.frombuffer(raw, dtype="<f4").astype(np.float32).reshape(shape)

    def read_alias(self) -> tuple[int, int, int, int]:
        """An alias tensor shape: version 1 and four integers."""
        version = self.read_int()
        if version != 1:
            raise DlibFormatError(f"unsupported alias tensor version {version} at offset {self.pos}")
        n, k, r, c = (self.read_int() for _ in range(4))
        return n, k, r, c

    def peek_is_input_layer(self) -> bool:
        """Whether the next item is the string naming the input layer."""
        saved = self.pos
        try:
            return self.read_str().startswith("input_")
        except DlibFormatError:
            return False
        finally:
            self.pos = saved


def _name_version(name: str, prefix: str) -> int:
    """The version number a layer name carries after its prefix ('con_4' -> 4; 'affine_' -> 1)."""
    match = re.fullmatch(re.escape(prefix) + r"(\d*)", name)
    if match is None:
        raise DlibFormatError(f"unexpected layer name {name!r}")
    return int(match.group(1) or 1)


def _skip_floats(reader: Reader, count: int) -> None:
    """Skip learning rate and weight decay multipliers."""
    for _ in range(count):
        reader.read_float()


def _read_conv(reader: Reader, version: int) -> Conv:
    """Details of con_N."""
    params = reader.read_tensor().ravel()
    num_filters = reader.read_int()
    rows, cols = reader.read_int(), reader.read_int()
    stride = (reader.read_int(), reader.read_int())
    pad = (reader.read_int(), reader.read_int())
    fshape = reader.read_alias()
    bshape = reader.read_alias()
    _skip_floats(reader, 4)
    if version >= 5:
        reader.read_bool()
    if version >= 6:
        reader.read_bool()
    n_weights = int(np.prod(fshape))
    n_bias = int(np.prod(bshape))
    if fshape[0] != num_filters or fshape[2:] != (rows, cols) or params.size < n_weights:
        raise DlibFormatError(f"inconsistent conv shapes {fshape} for {num_filters} filters {rows}x{cols}")
    filters = params[:n_weights].reshape(fshape)
    bias = params[n_weights : n_weights + n_bias]
    if bias.size != num_filters:
        bias = np.zeros(num_filters, dtype=np.float32)
    return Conv(filters=filters, bias=bias, stride=stride, pad=pad)


def _read_affine(reader: Reader, version: int) -> Affine:
    """Details of affine_."""
    params = reader.read_tensor().ravel()
    gshape = reader.read_alias()
    reader.read_alias()
    reader.read_int()  # mode: conv or fc; per-channel for this network
    if version >= 2:
        reader.read_bool()
    n = int(np.prod(gshape))
    if params.size != 2 * n:
        raise DlibFormatError(f"affine parameter size {params.size} does not match gamma shape {gshape}")
    return Affine(gamma=params[:n], beta=params[n:])


def _read_bn(reader: Reader) -> Affine:
    """Details of bn_con2 / bn_fc2, frozen as dlib's affine_ does: gamma / sqrt(var + eps), beta - mean * that."""
    params = reader.read_tensor().ravel()
    gshape = reader.read_alias()
    reader.read_alias()
    for _ in range(2):  # the last mini-batch's means and inverse deviations: training state
        reader.read_tensor()
    running_means = reader.read_tensor().ravel().astype(np.float64)
    running_variances = reader.read_tensor().ravel().astype(np.float64)
    reader.read_int()  # num_updates
    reader.read_int()  # running_stats_window_size
    _skip_floats(reader, 4)
    eps = reader.read_float()
    n = int(np.prod(gshape))
    if params.size != 2 * n or running_means.size != n or running_variances.size != n:
        raise DlibFormatError(f"batch norm sizes {params.size}/{running_means.size} do not match gamma shape {gshape}")
    gamma = params[:n].astype(np.float64) / np.sqrt(running_variances + eps)
    beta = params[n:].astype(np.float64) - gamma * running_means
    return Affine(gamma=gamma.astype(np.float32), beta=beta.astype(np.float32))


def _read_pool(reader: Reader, kind: str) -> Pool:
    """Details of max_pool_ / avg_pool_."""
    window = (reader.read_int(), reader.read_int())
    stride = (reader.read_int(), reader.read_int())
    pad = (reader.read_int(), reader.read_int())
    return Pool(kind=kind, window=window, stride=stride, pad=pad)


def _read_fc(reader: Reader, version: int) -> Fc:
    """Details of fc_N."""
    num_outputs = reader.read_int()
    num_inputs = reader.read_int()
    params = reader.read_tensor().ravel()
    reader.read_alias()
    reader.read_alias()
    reader.read_int()  # bias mode
    _skip_floats(reader, 4)
    if version >= 3:
        reader.read_bool()
    n_weights = num_inputs * num_outputs
    if params.size not in (n_weights, n_weights + num_outputs):
        raise DlibFormatError(f"fc parameter size {params.size} does not fit {num_inputs}x{num_outputs}")
    weights = params[:n_weights].reshape(num_inputs, num_outputs)
    bias = params[n_weights:] if params.size > n_weights else None
    return Fc(weights=weights, bias=bias)


def read_details(reader: Reader) -> Layer:
    """One computational layer's details, dispatched on the name the file gives."""
    name = reader.read_str()
    if name.startswith("con_"):
        return _read_conv(reader, _name_version(name, "con_"))
    if name.startswith("affine_"):
        return _read_affine(reader, _name_version(name, "affine_"))
    if name in ("bn_con2", "bn_fc2"):
        return _read_bn(reader)
    if name.startswith("relu_"):
        if _name_version(name, "relu_") >= 2:
            reader.read_bool()
        return Relu()
    if name.startswith("max_pool_"):
        return _read_pool(reader, "max_pool")
    if name.startswith("avg_pool_"):
        return _read_pool(reader, "avg_pool")
    if name.startswith("add_prev_"):
        return AddPrev()
    if name.startswith("fc_"):
        return _read_fc(reader, _name_version(name, "fc_"))
    raise DlibFormatError(f"unsupported layer {name!r} at offset {reader.pos}")




def read_trailer(reader: Reader, wrapper_version: int) -> None:
    """The add_layer trailer: three booleans, three (empty) tensors, and for version 3 an integer."""
    for _ in range(3):
        reader.read_bool()
    for _ in range(3):
        reader.read_tensor()
    if wrapper_version == 3:
        reader.read_int()


def read_wrapper_versions(reader: Reader) -> list[int]:
    """The version integers of every wrapping layer, outermost first, up to the input layer's name."""
    versions: list[int] = []
    while not reader.peek_is_input_layer():
        version = reader.read_int()
        if version not in (1, 2, 3) or len(versions) > 10_000:
            raise DlibFormatError(f"unexpected wrapper version {version} at offset {reader.pos}")
        versions.append(version)
    return versions


def read_layers(reader: Reader, versions: list[int]) -> list[Layer]:
    """Every layer's details in forward order (after the input layer), with its wrapper's trailer; tags as markers."""
    layers: list[Layer] = []
    for version in reversed(versions):
        if version == 1:
            layers.append(Marker())
            continue
        layers.append(read_details(reader))
        read_trailer(reader, version)
    if reader.pos != len(reader.data):
        raise DlibFormatError(f"{len(reader.data) - reader.pos} trailing bytes after the network")
    return layers
