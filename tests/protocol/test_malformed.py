"""Malformed requests get the errors AWS answers with, never anything else."""

from __future__ import annotations

import json

import pytest

from emulator.errors import SerializationException, ServiceError, UnknownOperationException
from emulator.protocol import parse_request
from emulator.protocol.serialize import status_of

TARGET = "RekognitionService.DescribeCollection"
JSON_11 = "application/x-amz-json-1.1"
FACE_ID = "11111111-2222-4333-8444-555555555555"


def headers(target: str | None = TARGET, content_type: str | None = JSON_11) -> dict[str, str]:
    out = {}
    if target is not None:
        out["X-Amz-Target"] = target
    if content_type is not None:
        out["Content-Type"] = content_type
    return out


def parse_body(body: bytes, target: str = TARGET) -> tuple[str, dict[str, object]]:
    return parse_request("POST", "/", headers(target), body)


def serialization_message(body: bytes, target: str = TARGET) -> str:
    with pytest.raises(SerializationException) as info:
        parse_body(body, target)
    assert status_of(info.value) == 400
    return info.value.message


@pytest.mark.parametrize(
    "target",
    [
        None,
        "",
        "RekognitionService.",
        "RekognitionService.NoSuchOperation",
        "DynamoDB_20120810.DescribeCollection",
        "DescribeCollection",
        "rekognitionservice.DescribeCollection",
        "RekognitionService.describeCollection",
    ],
)
def test_bad_target_is_unknown_operation(target: str | None) -> None:
    with pytest.raises(UnknownOperationException) as info:
        parse_request("POST", "/", headers(target), b"{}")
    assert status_of(info.value) == 400


@pytest.mark.parametrize(
    "content_type", ["text/plain", "application/x-www-form-urlencoded", "application/xml"]
)
def test_foreign_content_type_is_unknown_operation(content_type: str) -> None:
    with pytest.raises(UnknownOperationException):
        parse_request("POST", "/", headers(content_type=content_type), b'{"CollectionId": "c"}')


@pytest.mark.parametrize(
    "content_type",
    [None, "application/json", "application/x-amz-json-1.0", "Application/X-Amz-Json-1.1; charset=utf-8"],
)
def test_json_or_missing_content_type_is_accepted(content_type: str | None) -> None:
    assert parse_request("POST", "/", headers(content_type=content_type), b'{"CollectionId": "c"}') == (
        "DescribeCollection",
        {"CollectionId": "c"},
    )


def test_header_names_are_case_insensitive() -> None:
    lowered = {"x-amz-target": TARGET, "content-type": JSON_11}
    assert parse_request("POST", "/", lowered, b'{"CollectionId": "c"}')[0] == "DescribeCollection"


@pytest.mark.parametrize(("method", "path"), [("GET", "/"), ("PUT", "/"), ("DELETE", "/"), ("POST", "/foo")])
def test_wrong_method_or_path_is_a_4xx(method: str, path: str) -> None:
    with pytest.raises(ServiceError) as info:
        parse_request(method, path, headers(), b'{"CollectionId": "c"}')
    assert isinstance(info.value, UnknownOperationException)
    assert 400 <= status_of(info.value) < 500


def test_query_string_on_root_path_is_ignored() -> None:
    assert parse_request("POST", "/?x=1", headers(), b'{"CollectionId": "c"}')[0] == "DescribeCollection"


@pytest.mark.parametrize(
    "body", [b"{", b"not json", b'{"CollectionId": "c",}', b"\xff\xfe", b'{"a": NaN}', b"[1,"]
)
def test_invalid_json_is_a_serialization_exception(body: bytes) -> None:
    serialization_message(body)


def test_empty_body_is_an_empty_object() -> None:
    with pytest.raises(ServiceError) as info:
        parse_body(b"")
    assert info.value.code == "ValidationException"
    assert parse_body(b"", "RekognitionService.ListCollections") == ("ListCollections", {})


@pytest.mark.parametrize(
    ("body", "message"),
    [
        (b"[]", "Start of list found where not expected"),
        (b'"x"', "STRING_VALUE cannot be converted to DescribeCollectionRequest"),
        (b"42", "NUMBER_VALUE cannot be converted to DescribeCollectionRequest"),
        (b"true", "BOOLEAN_VALUE cannot be converted to DescribeCollectionRequest"),
    ],
)
def test_body_must_be_an_object(body: bytes, message: str) -> None:
    assert serialization_message(body) == message


def test_deep_nesting_does_not_escape_as_recursion_error() -> None:
    deep = b"[" * 100_000 + b"]" * 100_000
    serialization_message(deep)
    nested_object = b'{"CollectionId": ' + b'{"a":' * 50_000 + b"1" + b"}" * 50_000 + b"}"
    serialization_message(nested_object)


def test_huge_integer_is_a_serialization_exception() -> None:
    body = b'{"MaxResults": ' + b"9" * 5000 + b"}"
    serialization_message(body, "RekognitionService.ListCollections")


@pytest.mark.parametrize(
    ("target", "document", "message"),
    [
        ("ListCollections", {"MaxResults": "10"}, "STRING_VALUE cannot be converted to Integer"),
        ("ListCollections", {"MaxResults": True}, "BOOLEAN_VALUE cannot be converted to Integer"),
        ("ListCollections", {"MaxResults": 2**31}, "NUMBER_VALUE cannot be converted to Integer"),
        ("ListCollections", {"MaxResults": [1]}, "Start of list found where not expected"),
        ("DescribeCollection", {"CollectionId": 5}, "NUMBER_VALUE cannot be converted to String"),
        (
            "DescribeCollection",
            {"CollectionId": {"a": 1}},
            "Start of structure or map found where not expected.",
        ),
        (
            "DeleteFaces",
            {"CollectionId": "c", "FaceIds": {"a": "b"}},
            "Start of structure or map found where not expected.",
        ),
        ("DeleteFaces", {"CollectionId": "c", "FaceIds": "x"}, "STRING_VALUE cannot be converted to List"),
        ("DeleteFaces", {"CollectionId": "c", "FaceIds": [1]}, "NUMBER_VALUE cannot be converted to String"),
        ("DetectFaces", {"Image": []}, "Start of list found where not expected"),
        ("DetectFaces", {"Image": {"Bytes": 12}}, "NUMBER_VALUE cannot be converted to ByteBuffer"),
        ("DetectFaces", {"Image": {"Bytes": "not base64!"}}, "Base64 encoded value is not valid"),
        ("DetectFaces", {"Image": {"Bytes": "abc"}}, "Base64 encoded value is not valid"),
        (
            "SearchFaces",
            {"CollectionId": "c", "FaceId": "f", "FaceMatchThreshold": "90"},
            "STRING_VALUE cannot be converted to Float",
        ),
        ("CreateCollection", {"CollectionId": "c", "Tags": ["a"]}, "Start of list found where not expected"),
        (
            "CreateCollection",
            {"CollectionId": "c", "Tags": {"k": 1}},
            "NUMBER_VALUE cannot be converted to String",
        ),
    ],
)
def test_wrong_json_type_for_shape(target: str, document: dict[str, object], message: str) -> None:
    assert serialization_message(json.dumps(document).encode(), f"RekognitionService.{target}") == message


def test_unknown_members_are_ignored_and_nulls_dropped() -> None:
    body = json.dumps(
        {
            "CollectionId": "c",
            "Unknown": {"deep": [1, 2]},
            "MaxResults": None,
            "FaceIds": [None, FACE_ID, None],
        }
    ).encode()
    assert parse_body(body, "RekognitionService.ListFaces") == (
        "ListFaces",
        {"CollectionId": "c", "FaceIds": [FACE_ID]},
    )


def test_member_names_are_case_sensitive() -> None:
    assert parse_body(
        b'{"CollectionId": "c", "maxresults": "junk"}', "RekognitionService.ListCollections"
    ) == (
        "ListCollections",
        {},
    )


def test_fractional_integer_is_truncated() -> None:
    assert parse_body(b'{"MaxResults": 10.9}', "RekognitionService.ListCollections")[1] == {"MaxResults": 10}
