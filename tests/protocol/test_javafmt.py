"""Java-style rendering of values in messages, and timestamp decoding."""

from __future__ import annotations

import datetime as dt

import pytest
from botocore.model import Shape, StructureShape

from emulator.errors import SerializationException
from emulator.protocol.decode import decode_value
from emulator.protocol.javafmt import java_float, java_repr, lower_camel

from .helpers import operation


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (150.0, "150.0"),
        (0.5, "0.5"),
        (-0.0, "-0.0"),
        (1e-05, "1.0E-5"),
        (12345678.0, "1.2345678E7"),
        (1e20, "1.0E20"),
        (float("inf"), "Infinity"),
    ],
)
def test_java_float(value: float, text: str) -> None:
    assert java_float(value) == text


def test_java_repr_of_containers() -> None:
    assert java_repr(["A", 1, True, None]) == "[A, 1, true, null]"
    assert java_repr({"k": "v", "x": ""}) == "{k=v, x=}"
    assert java_repr(b"abc") == "java.nio.HeapByteBuffer[pos=0 lim=3 cap=3]"


def test_lower_camel() -> None:
    assert [lower_camel(n) for n in ("CollectionId", "S3Object", "MaxResults")] == [
        "collectionId",
        "s3Object",
        "maxResults",
    ]


def timestamp_shape() -> Shape:
    output = operation("DescribeCollection").output_shape
    assert isinstance(output, StructureShape)
    return output.members["CreationTimestamp"]


@pytest.mark.parametrize(
    "value", [1704110400, 1704110400.0, "2024-01-01T12:00:00Z", "2024-01-01T12:00:00+00:00"]
)
def test_timestamps_decode_to_aware_utc(value: object) -> None:
    assert decode_value(value, timestamp_shape()) == dt.datetime(2024, 1, 1, 12, tzinfo=dt.UTC)


@pytest.mark.parametrize("value", ["yesterday", True, 1e300, [1]])
def test_bad_timestamps_are_serialization_errors(value: object) -> None:
    with pytest.raises(SerializationException):
        decode_value(value, timestamp_shape())
