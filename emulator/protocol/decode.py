"""JSON values -> plain Python params by walking an input shape; type errors -> SerializationException."""

from __future__ import annotations

import base64
import binascii
import datetime as dt
import math
from collections.abc import Callable
from typing import Any

from botocore.model import ListShape, MapShape, Shape, StructureShape

from emulator.errors import SerializationException

INT_RANGES = {"integer": (-(2**31), 2**31 - 1), "long": (-(2**63), 2**63 - 1)}
JAVA_TYPES = {
    "string": "String",
    "integer": "Integer",
    "long": "Long",
    "float": "Float",
    "double": "Double",
    "boolean": "Boolean",
    "blob": "ByteBuffer",
    "timestamp": "Date",
    "list": "List",
    "map": "Map",
}


def token_name(value: Any) -> str:
    """The Coral/Jackson name of a JSON value's token, as AWS prints it."""
    if isinstance(value, bool):
        return "BOOLEAN_VALUE"
    if isinstance(value, int | float):
        return "NUMBER_VALUE"
    return "STRING_VALUE"


def mismatch(value: Any, shape: Shape) -> SerializationException:
    """The SerializationException AWS answers for a JSON value of the wrong type."""
    if isinstance(value, list):
        return SerializationException("Start of list found where not expected")
    if isinstance(value, dict):
        return SerializationException("Start of structure or map found where not expected.")
    target = JAVA_TYPES.get(shape.type_name, shape.name)
    return SerializationException(f"{token_name(value)} cannot be converted to {target}")


def decode_value(value: Any, shape: Shape) -> Any:
    """Decode one non-null JSON value according to its shape."""
    decoder = DECODERS.get(shape.type_name)
    if decoder is None:
        raise SerializationException(f"Unsupported shape type {shape.type_name}")
    return decoder(value, shape)


def decode_structure(value: Any, shape: Shape) -> dict[str, Any]:
    """Decode an object: unknown members are ignored, nulls dropped."""
    if not isinstance(value, dict) or not isinstance(shape, StructureShape):
        raise mismatch(value, shape)
    members = shape.members
    return {
        name: decode_value(item, members[name])
        for name, item in value.items()
        if name in members and item is not None
    }


def decode_list(value: Any, shape: Shape) -> list[Any]:
    """Decode an array; null elements are dropped."""
    if not isinstance(value, list) or not isinstance(shape, ListShape):
        raise mismatch(value, shape)
    return [decode_value(item, shape.member) for item in value if item is not None]


def decode_map(value: Any, shape: Shape) -> dict[str, Any]:
    """Decode an object used as a map; null values are dropped."""
    if not isinstance(value, dict) or not isinstance(shape, MapShape):
        raise mismatch(value, shape)
    return {
        decode_value(key, shape.key): decode_value(item, shape.value)
        for key, item in value.items()
        if item is not None
    }


def decode_string(value: Any, shape: Shape) -> str:
    """A JSON string."""
    if not isinstance(value, str):
        raise mismatch(value, shape)
    return value


def decode_integer(value: Any, shape: Shape) -> int:
    """A JSON number for an integer or long (fractions truncated, as Coral does)."""
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        raise mismatch(value, shape)
    number = int(value)
    low, high = INT_RANGES[shape.type_name]
    if not low <= number <= high:
        raise mismatch(value, shape)
    return number


def decode_float(value: Any, shape: Shape) -> float:
    """A JSON number for a float or double."""
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise mismatch(value, shape)
    try:
        return float(value)
    except OverflowError as exc:
        raise mismatch(value, shape) from exc


def decode_boolean(value: Any, shape: Shape) -> bool:
    """A JSON true/false."""
    if not isinstance(value, bool):
        raise mismatch(value, shape)
    return value


def decode_blob(value: Any, shape: Shape) -> bytes:
    """Base64 text -> bytes (strict alphabet and padding)."""
    if not isinstance(value, str):
        raise mismatch(value, shape)
    try:
        return base64.b64decode(value.encode("ascii"), validate=True)
    except (binascii.Error, UnicodeEncodeError) as exc:
        raise SerializationException("Base64 encoded value is not valid") from exc


def decode_timestamp(value: Any, shape: Shape) -> dt.datetime:
    """Epoch seconds (JSON number) or an ISO-8601 string -> aware UTC datetime."""
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return dt.datetime.fromtimestamp(value, tz=dt.UTC)
        if isinstance(value, str):
            parsed = dt.datetime.fromisoformat(value.replace("Z", "+00:00"))
            return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.UTC)
    except (ValueError, OverflowError, OSError) as exc:
        raise SerializationException(f"{token_name(value)} cannot be converted to Date") from exc
    raise mismatch(value, shape)


DECODERS: dict[str, Callable[[Any, Shape], Any]] = {
    "structure": decode_structure,
    "list": decode_list,
    "map": decode_map,
    "string": decode_string,
    "integer": decode_integer,
    "long": decode_integer,
    "float": decode_float,
    "double": decode_float,
    "boolean": decode_boolean,
    "blob": decode_blob,
    "timestamp": decode_timestamp,
}
