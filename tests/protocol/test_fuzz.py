"""Random bodies and headers never raise anything but ServiceError subclasses."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from emulator.errors import ServiceError
from emulator.protocol import operation_names, parse_request
from emulator.protocol.serialize import status_of

OPERATIONS = sorted(operation_names())
MEMBER_NAMES = [
    "CollectionId",
    "Image",
    "Bytes",
    "S3Object",
    "FaceIds",
    "MaxResults",
    "Tags",
    "Attributes",
    "FaceMatchThreshold",
    "QualityFilter",
    "UserId",
    "ClientRequestToken",
    "Bucket",
    "Name",
    "x",
]

json_values: st.SearchStrategy[Any] = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | st.text(),
    lambda inner: (
        st.lists(inner, max_size=4)
        | st.dictionaries(st.sampled_from(MEMBER_NAMES) | st.text(max_size=5), inner, max_size=4)
    ),
    max_leaves=20,
)
FAST = settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def call(target: str, body: bytes, content_type: str = "application/x-amz-json-1.1") -> None:
    try:
        parse_request("POST", "/", {"X-Amz-Target": target, "Content-Type": content_type}, body)
    except ServiceError as error:
        assert 400 <= status_of(error) < 500
        assert error.code


@FAST
@given(st.sampled_from(OPERATIONS), json_values)
def test_random_json_bodies(operation: str, document: Any) -> None:
    call(f"RekognitionService.{operation}", json.dumps(document).encode())


@FAST
@given(st.sampled_from(OPERATIONS), st.dictionaries(st.sampled_from(MEMBER_NAMES), json_values, max_size=6))
def test_random_objects_with_real_member_names(operation: str, document: dict[str, Any]) -> None:
    call(f"RekognitionService.{operation}", json.dumps(document).encode())


@FAST
@given(st.text(max_size=40), st.binary(max_size=200), st.text(max_size=30))
def test_random_bytes_targets_and_content_types(target: str, body: bytes, content_type: str) -> None:
    call(target, body, content_type)
    call("RekognitionService.IndexFaces", body)


@FAST
@given(st.text(max_size=10), st.text(max_size=10), st.binary(max_size=50))
def test_random_methods_and_paths(method: str, path: str, body: bytes) -> None:
    try:
        parse_request(method, path, {"X-Amz-Target": "RekognitionService.ListCollections"}, body)
    except ServiceError as error:
        assert 400 <= status_of(error) < 500
