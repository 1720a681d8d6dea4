"""Requests built by botocore's own serializer parse back to the same params."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.protocol import operation_names
from emulator.protocol.spec import service_model

from .helpers import minimal_value, operation, roundtrip

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(range(256)) * 4 + b"\xff\xd9"
FACE_ID = "11111111-2222-4333-8444-555555555555"

REALISTIC: list[tuple[str, dict[str, Any]]] = [
    ("CreateCollection", {"CollectionId": "my_faces-1.0", "Tags": {"team": "vision", "env é": "dev"}}),
    ("DescribeCollection", {"CollectionId": "my_faces"}),
    ("ListCollections", {"MaxResults": 4096, "NextToken": "opaque-token"}),
    (
        "IndexFaces",
        {
            "CollectionId": "my_faces",
            "Image": {"Bytes": JPEG},
            "ExternalImageId": "photo:1.jpg",
            "DetectionAttributes": ["DEFAULT", "FACE_OCCLUDED"],
            "MaxFaces": 3,
            "QualityFilter": "HIGH",
        },
    ),
    (
        "IndexFaces",
        {
            "CollectionId": "c",
            "Image": {"S3Object": {"Bucket": "my-bucket", "Name": "a/b c.jpg", "Version": "v1"}},
        },
    ),
    ("ListFaces", {"CollectionId": "c", "UserId": "user:1", "FaceIds": [FACE_ID, FACE_ID], "MaxResults": 0}),
    ("DeleteFaces", {"CollectionId": "c", "FaceIds": [FACE_ID]}),
    ("SearchFaces", {"CollectionId": "c", "FaceId": FACE_ID, "MaxFaces": 4096, "FaceMatchThreshold": 99.5}),
    (
        "SearchFacesByImage",
        {"CollectionId": "c", "Image": {"Bytes": JPEG}, "FaceMatchThreshold": 0.0, "QualityFilter": "NONE"},
    ),
    ("DetectFaces", {"Image": {"Bytes": JPEG}, "Attributes": ["ALL"]}),
    (
        "CompareFaces",
        {"SourceImage": {"Bytes": JPEG}, "TargetImage": {"Bytes": b"\x00"}, "SimilarityThreshold": 12.25},
    ),
    ("CreateUser", {"CollectionId": "c", "UserId": "u-1", "ClientRequestToken": "tok-1_2"}),
    (
        "AssociateFaces",
        {
            "CollectionId": "c",
            "UserId": "u",
            "FaceIds": [FACE_ID],
            "UserMatchThreshold": 75,
            "ClientRequestToken": "t",
        },
    ),
    ("SearchUsers", {"CollectionId": "c", "FaceId": FACE_ID, "MaxUsers": 500, "UserMatchThreshold": 80.0}),
    (
        "TagResource",
        {
            "ResourceArn": "arn:aws:rekognition:us-east-1:123456789012:collection/c",
            "Tags": {"k": "", "a b": "c"},
        },
    ),
    (
        "UntagResource",
        {"ResourceArn": "arn:aws:rekognition:us-east-1:123456789012:collection/c", "TagKeys": []},
    ),
]


def normalised(value: Any) -> Any:
    """Numbers compared as floats (JSON does not keep 75 vs 75.0 apart for float members)."""
    if isinstance(value, dict):
        return {k: normalised(v) for k, v in value.items()}
    if isinstance(value, list):
        return [normalised(v) for v in value]
    if isinstance(value, int | float) and not isinstance(value, bool):
        return float(value)
    return value


@pytest.mark.parametrize(
    ("name", "params"), REALISTIC, ids=[f"{n}-{i}" for i, (n, _) in enumerate(REALISTIC)]
)
def test_realistic_request_roundtrip(name: str, params: dict[str, Any]) -> None:
    parsed_name, parsed = roundtrip(name, params)
    assert parsed_name == name
    assert normalised(parsed) == normalised(params)


def test_blob_is_bytes_and_numbers_keep_their_types() -> None:
    _, params = roundtrip(
        "SearchFacesByImage",
        {"CollectionId": "c", "Image": {"Bytes": JPEG}, "MaxFaces": 7, "FaceMatchThreshold": 90},
    )
    assert params["Image"]["Bytes"] == JPEG
    assert type(params["MaxFaces"]) is int
    assert type(params["FaceMatchThreshold"]) is float


def test_idempotency_token_passes_through() -> None:
    _, params = roundtrip("DeleteUser", {"CollectionId": "c", "UserId": "u", "ClientRequestToken": "abc-123"})
    assert params["ClientRequestToken"] == "abc-123"


def test_every_operation_is_covered_by_the_minimal_request_test() -> None:
    assert len(operation_names()) == len(service_model().operation_names) > 20


@pytest.mark.parametrize("name", sorted(operation_names()))
def test_minimal_request_for_every_operation(name: str) -> None:
    input_shape = operation(name).input_shape
    params = minimal_value(input_shape) if input_shape is not None else {}
    parsed_name, parsed = roundtrip(name, params)
    assert parsed_name == name
    assert normalised(parsed) == normalised(params)


@pytest.mark.parametrize("name", sorted(operation_names()))
def test_full_request_for_every_operation(name: str) -> None:
    input_shape = operation(name).input_shape
    params = minimal_value(input_shape, required_only=False) if input_shape is not None else {}
    _, parsed = roundtrip(name, params)
    assert normalised(parsed) == normalised(params)
