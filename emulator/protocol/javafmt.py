"""Render values and constraints the way AWS's Java service framework prints them in validation messages."""

from __future__ import annotations

import math
from decimal import Decimal
from typing import Any

from botocore.model import Shape, StructureShape


def lower_camel(name: str) -> str:
    """Member name as AWS prints it in a path: first letter lowercased ('CollectionId' -> 'collectionId')."""
    return name[:1].lower() + name[1:]


def java_length(value: str) -> int:
    """String length in UTF-16 code units, as Java's String.length() counts it."""
    return len(value.encode("utf-16-le")) // 2


def java_float(value: float) -> str:
    """Java's Double.toString: '150.0', '0.5', '1.0E-5', '1.2345678E7'."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == 0:
        return "-0.0" if math.copysign(1.0, value) < 0 else "0.0"
    if 1e-3 <= abs(value) < 1e7:
        text = repr(value)
        return text if "." in text else text + ".0"
    sign, digits, exponent = Decimal(repr(value)).normalize().as_tuple()
    assert isinstance(exponent, int)
    figures = "".join(map(str, digits))
    mantissa = figures[0] + "." + (figures[1:] or "0")
    power = len(figures) - 1 + exponent
    return f"{'-' if sign else ''}{mantissa}E{power}"


def java_repr(value: Any, shape: Shape | None = None) -> str:
    """Java toString of a parsed parameter value (lists '[a, b]', maps '{k=v}', blobs as a HeapByteBuffer)."""
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return java_float(value)
    if isinstance(value, bytes):
        return f"java.nio.HeapByteBuffer[pos=0 lim={len(value)} cap={len(value)}]"
    if isinstance(value, list):
        member = getattr(shape, "member", None)
        return "[" + ", ".join(java_repr(item, member) for item in value) + "]"
    if isinstance(value, dict):
        return dict_repr(value, shape)
    return str(value)


def dict_repr(value: dict[str, Any], shape: Shape | None) -> str:
    """A structure as 'Name(member=value, ...)', a map as '{key=value, ...}'."""
    if isinstance(shape, StructureShape):
        members = shape.members
        inner = ", ".join(f"{lower_camel(k)}={java_repr(v, members.get(k))}" for k, v in value.items())
        return f"{shape.name}({inner})"
    item_shape = getattr(shape, "value", None)
    return "{" + ", ".join(f"{k}={java_repr(v, item_shape)}" for k, v in value.items()) + "}"


def quoted(value: Any, shape: Shape | None) -> str:
    """The value as it appears after 'Value ' in a message: null bare, anything else in single quotes."""
    return "null" if value is None else f"'{java_repr(value, shape)}'"
