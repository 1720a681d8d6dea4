"""Helpers for protocol tests: botocore-built requests, botocore-parsed responses, minimal params."""

from __future__ import annotations

import datetime as dt
from typing import Any

from botocore.awsrequest import HeadersDict
from botocore.model import ListShape, MapShape, OperationModel, Shape, StructureShape
from botocore.parsers import create_parser
from botocore.serialize import create_serializer

from emulator.protocol.parse import parse_request
from emulator.protocol.spec import service_model
from emulator.protocol.validate import failures

STRING_CANDIDATES = (
    "abc",
    "my_collection",
    "0123abcd-0123-4567-89ab-0123456789ab",
    "arn:aws:rekognition:us-east-1:123456789012:collection/my_collection",
    "arn:aws:rekognition:us-east-1:123456789012:project/proj/1",
    "arn:aws:rekognition:us-east-1:123456789012:project/proj/version/v1/1",
    "arn:aws:rekognition:us-east-1:123456789012:project/proj/dataset/train/1",
    "arn:aws:rekognition:us-east-1:123456789012:streamprocessor/sp",
    "arn:aws:sns:us-east-1:123456789012:topic",
    "arn:aws:kinesis:us-east-1:123456789012:stream/s",
    "arn:aws:kinesisvideo:us-east-1:123456789012:stream/s",
    "arn:aws:iam::123456789012:role/r",
    "1.0.0",
    "1.0",
    "123",
    "{}",
    "abcdefghijklmnopqrstuvwxyz0123456789",
)


def operation(name: str) -> OperationModel:
    """The patched model's operation."""
    return service_model().operation_model(name)


def botocore_request(name: str, params: dict[str, Any]) -> dict[str, Any]:
    """Serialize params exactly as a boto3 client would (without the client-side validation)."""
    request: dict[str, Any] = create_serializer("json", include_validation=False).serialize_to_request(
        params, operation(name)
    )
    return request


def roundtrip(name: str, params: dict[str, Any]) -> tuple[str, dict[str, Any]]:
    """botocore's serializer -> parse_request."""
    request = botocore_request(name, params)
    body = request["body"]
    return parse_request(request["method"], request["url_path"], request["headers"], body)


def botocore_parse(status: int, headers: dict[str, str], body: bytes, name: str | None) -> dict[str, Any]:
    """Parse a response with botocore's own JSON parser, as a client does."""
    shape = operation(name).output_shape if name else None
    response = {"status_code": status, "headers": HeadersDict(headers), "body": body}
    parsed: dict[str, Any] = create_parser("json").parse(response, shape)
    return parsed


def minimal_string(shape: Shape) -> str:
    """A string meeting the shape's length, pattern and enum constraints."""
    if shape.enum:
        return str(shape.enum[0])
    minimum = shape.metadata.get("min", 0)
    for candidate in STRING_CANDIDATES:
        padded = candidate + "a" * max(0, minimum - len(candidate))
        if not failures(padded, shape):
            return str(padded)
    raise AssertionError(f"no candidate string for {shape.name}: {shape.metadata}")


def minimal_value(shape: Shape, required_only: bool = True) -> Any:
    """A value of the shape that passes validation, with only required members."""
    kind = shape.type_name
    if isinstance(shape, StructureShape):
        names = shape.required_members if required_only else list(shape.members)
        return {name: minimal_value(shape.members[name]) for name in names}
    if isinstance(shape, ListShape):
        return [minimal_value(shape.member) for _ in range(max(1, shape.metadata.get("min", 1)))]
    if isinstance(shape, MapShape):
        return {minimal_string(shape.key): minimal_value(shape.value)}
    if kind == "string":
        return minimal_string(shape)
    if kind in ("integer", "long"):
        return int(shape.metadata.get("min", 1))
    if kind in ("float", "double"):
        return float(shape.metadata.get("min", 1))
    if kind == "blob":
        return b"\x89PNG" * max(1, shape.metadata.get("min", 1))
    if kind == "boolean":
        return True
    if kind == "timestamp":
        return dt.datetime(2024, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    raise AssertionError(kind)
