"""Check parsed params against the model; every violation goes into one AWS-worded ValidationException."""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from functools import cache
from typing import Any

import regex
from botocore.model import ListShape, MapShape, Shape, StructureShape

from emulator.errors import ValidationException
from emulator.protocol.javafmt import java_length, lower_camel, quoted

LENGTH_TYPES = frozenset({"string", "blob", "list", "map"})
NUMBER_TYPES = frozenset({"integer", "long", "float", "double"})
NESTED_TYPES = frozenset({"structure", "list", "map"})


@cache
def compiled(pattern: str) -> regex.Pattern[str]:
    """A model pattern (Java regex syntax; \\p{L} etc. are understood by the `regex` module)."""
    return regex.compile(pattern, regex.V0)


def size(value: Any) -> int:
    """Length as AWS measures it: UTF-16 units for strings, bytes for blobs, entries for lists and maps."""
    return java_length(value) if isinstance(value, str) else len(value)


def constraints(shape: Shape) -> Iterator[tuple[str, Any]]:
    """The shape's constraints as (kind, limit), in the order AWS lists them: max, min, pattern, enum."""
    meta = shape.metadata
    kind = "length" if shape.type_name in LENGTH_TYPES else "value"
    if shape.type_name in LENGTH_TYPES or shape.type_name in NUMBER_TYPES:
        if "max" in meta:
            yield f"max-{kind}", meta["max"]
        if "min" in meta:
            yield f"min-{kind}", meta["min"]
    if shape.type_name == "string":
        if "pattern" in meta:
            yield "pattern", meta["pattern"]
        if shape.enum:
            yield "enum", shape.enum


def describe(kind: str, limit: Any) -> str:
    """AWS's wording of one constraint."""
    if kind == "pattern":
        return f"Member must satisfy regular expression pattern: {limit}"
    if kind == "enum":
        return f"Member must satisfy enum value set: [{', '.join(limit)}]"
    what = kind.split("-", 1)[1]
    relation = "less than or equal to" if kind.startswith("max") else "greater than or equal to"
    return f"Member must have {what} {relation} {limit}"


def satisfied(kind: str, limit: Any, value: Any) -> bool:
    """Whether a value meets one constraint (an empty string is not checked against a pattern)."""
    if kind == "pattern":
        return value == "" or compiled(limit).fullmatch(value) is not None
    if kind == "enum":
        return value in limit
    measured = size(value) if kind.endswith("length") else value
    return bool(measured <= limit) if kind.startswith("max") else bool(measured >= limit)


def failures(value: Any, shape: Shape) -> list[str]:
    """Descriptions of the constraints of the shape itself that the value breaks."""
    return [describe(kind, limit) for kind, limit in constraints(shape) if not satisfied(kind, limit, value)]


def all_constraints(shape: Shape) -> str:
    """Every constraint of a member shape, as listed inside 'Member must satisfy constraint: [...]'."""
    return "[" + ", ".join(describe(kind, limit) for kind, limit in constraints(shape)) + "]"


def message(path: str, value: Any, shape: Shape | None, constraint: str) -> str:
    """One violation, worded as AWS does."""
    return f"Value {quoted(value, shape)} at '{path}' failed to satisfy constraint: {constraint}"


def check(value: Any, shape: Shape, path: str) -> Iterator[str]:
    """Violations in one value and everything under it."""
    for constraint in failures(value, shape):
        yield message(path, value, shape, constraint)
    if isinstance(shape, StructureShape):
        yield from check_structure(value, shape, path)
    elif isinstance(shape, ListShape):
        yield from check_list(value, shape, path)
    elif isinstance(shape, MapShape):
        yield from check_map(value, shape, path)


def check_structure(value: Mapping[str, Any], shape: StructureShape, prefix: str) -> Iterator[str]:
    """Required members, then each present member, in model order."""
    required = set(shape.required_members)
    for name, member in shape.members.items():
        path = f"{prefix}.{lower_camel(name)}" if prefix else lower_camel(name)
        if name in value:
            yield from check(value[name], member, path)
        elif name in required:
            yield message(path, None, member, "Member must not be null")


def check_list(value: list[Any], shape: ListShape, path: str) -> Iterator[str]:
    """Structured elements at 'path.N.member'; scalar elements reported once for the whole list."""
    member = shape.member
    if member.type_name in NESTED_TYPES:
        for index, item in enumerate(value, start=1):
            yield from check(item, member, f"{path}.{index}.member")
    elif any(failures(item, member) for item in value):
        yield message(path, value, shape, f"Member must satisfy constraint: {all_constraints(member)}")


def check_map(value: Mapping[str, Any], shape: MapShape, path: str) -> Iterator[str]:
    """Keys and scalar values reported once for the whole map, as AWS does."""
    if any(failures(key, shape.key) for key in value):
        yield message(path, value, shape, f"Map keys must satisfy constraint: {all_constraints(shape.key)}")
    item_shape = shape.value
    if item_shape.type_name in NESTED_TYPES:
        for key, item in value.items():
            yield from check(item, item_shape, f"{path}.{key}")
    elif any(failures(item, item_shape) for item in value.values()):
        yield message(path, value, shape, f"Map value must satisfy constraint: {all_constraints(item_shape)}")


def violations(params: Mapping[str, Any], shape: StructureShape | None) -> list[str]:
    """Every constraint violation in an operation's params."""
    return [] if shape is None else list(check_structure(params, shape, ""))


def validate_params(params: Mapping[str, Any], shape: StructureShape | None) -> None:
    """Raise one ValidationException listing every violation, worded as AWS does."""
    found = violations(params, shape)
    if found:
        plural = "s" if len(found) > 1 else ""
        raise ValidationException(f"{len(found)} validation error{plural} detected: " + "; ".join(found))
