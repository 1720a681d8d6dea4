"""Constraint violations produce AWS's exact ValidationException wording (reference §1 cases and more)."""

from __future__ import annotations

from typing import Any

import pytest

from emulator.errors import ValidationException
from emulator.protocol.serialize import status_of

from .helpers import roundtrip

FACE_ID = "11111111-2222-4333-8444-555555555555"
UUID_PATTERN = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}"
TAG_KEY_PATTERN = r"^(?!aws:)[\p{L}\p{Z}\p{N}_.:/=+\-@]*$"
ARN = "arn:aws:rekognition:us-east-1:123456789012:collection/c"
ATTRIBUTES = (
    "DEFAULT, ALL, AGE_RANGE, BEARD, EMOTIONS, EYE_DIRECTION, EYEGLASSES, EYES_OPEN, GENDER, MOUTH_OPEN, "
    "MUSTACHE, FACE_OCCLUDED, SMILE, SUNGLASSES"
)


LEN_LE = "Member must have length less than or equal to "
LEN_GE = "Member must have length greater than or equal to "
VALUE_LE = "Member must have value less than or equal to "
PATTERN = "Member must satisfy regular expression pattern: "
EACH = "Member must satisfy constraint: "
TAG_KEY_RULES = f"[{LEN_LE}128, {LEN_GE}1, {PATTERN}{TAG_KEY_PATTERN}]"


def one(detail: str) -> str:
    return f"1 validation error detected: {detail}"


def v(value: str | None, path: str, constraint: str) -> str:
    """One violation as AWS words it."""
    shown = "null" if value is None else f"'{value}'"
    return f"Value {shown} at '{path}' failed to satisfy constraint: {constraint}"


def rejection(name: str, params: dict[str, Any]) -> str:
    with pytest.raises(ValidationException) as info:
        roundtrip(name, params)
    assert info.value.code == "ValidationException" and status_of(info.value) == 400
    return info.value.message


CASES: list[tuple[str, dict[str, Any], str]] = [
    ("ListCollections", {"MaxResults": 5000}, one(v("5000", "maxResults", VALUE_LE + "4096"))),
    (
        "DescribeCollection",
        {"CollectionId": "a b/c"},
        one(v("a b/c", "collectionId", PATTERN + r"[a-zA-Z0-9_.\-]+")),
    ),
    ("DescribeCollection", {"CollectionId": "x" * 256}, one(v("x" * 256, "collectionId", LEN_LE + "255"))),
    (
        "SearchFaces",
        {"CollectionId": "c", "FaceId": "nope"},
        one(v("nope", "faceId", PATTERN + UUID_PATTERN)),
    ),
    (
        "DetectFaces",
        {"Image": {"Bytes": b"\xff\xd8"}, "Attributes": ["FOO"]},
        one(v("[FOO]", "attributes", f"{EACH}[Member must satisfy enum value set: [{ATTRIBUTES}]]")),
    ),
    (
        "SearchFaces",
        {"CollectionId": "c", "FaceId": FACE_ID, "FaceMatchThreshold": 150},
        one(v("150.0", "faceMatchThreshold", VALUE_LE + "100")),
    ),
    (
        "DetectFaces",
        {"Image": {"Bytes": b""}},
        one(v("java.nio.HeapByteBuffer[pos=0 lim=0 cap=0]", "image.bytes", LEN_GE + "1")),
    ),
    (
        "DetectFaces",
        {"Image": {"Bytes": b"\0" * (6 * 1024 * 1024)}},
        one(v("java.nio.HeapByteBuffer[pos=0 lim=6291456 cap=6291456]", "image.bytes", LEN_LE + "5242880")),
    ),
    (
        "IndexFaces",
        {"CollectionId": "c", "Image": {"Bytes": b"x"}, "QualityFilter": "BEST"},
        one(
            v("BEST", "qualityFilter", "Member must satisfy enum value set: [NONE, AUTO, LOW, MEDIUM, HIGH]")
        ),
    ),
    (
        "TagResource",
        {"ResourceArn": ARN, "Tags": {"aws:owner": "me"}},
        one(v("{aws:owner=me}", "tags", "Map keys must satisfy constraint: " + TAG_KEY_RULES)),
    ),
    (
        "TagResource",
        {"ResourceArn": ARN, "Tags": {"k": "v" * 257}},
        one(
            v(
                f"{{k={'v' * 257}}}",
                "tags",
                f"Map value must satisfy constraint: [{LEN_LE}256, {LEN_GE}0, "
                + PATTERN
                + r"^([\p{L}\p{Z}\p{N}_.:/=+\-@]*)$]",
            )
        ),
    ),
    (
        "UntagResource",
        {"ResourceArn": ARN, "TagKeys": ["aws:x", "ok"]},
        one(v("[aws:x, ok]", "tagKeys", EACH + TAG_KEY_RULES)),
    ),
    (
        "DeleteFaces",
        {"CollectionId": "c", "FaceIds": [FACE_ID, "nope"]},
        one(v(f"[{FACE_ID}, nope]", "faceIds", f"{EACH}[{PATTERN}{UUID_PATTERN}]")),
    ),
    (
        "IndexFaces",
        {"CollectionId": "c", "Image": {"S3Object": {"Bucket": "b", "Name": "n"}}},
        one(v("b", "image.s3Object.bucket", LEN_GE + "3")),
    ),
    (
        "IndexFaces",
        {"CollectionId": "c", "Image": {"Bytes": b"x"}, "ExternalImageId": "a/b"},
        one(v("a/b", "externalImageId", PATTERN + r"[a-zA-Z0-9_.\-:]+")),
    ),
    ("ListUsers", {"CollectionId": "c", "MaxResults": 501}, one(v("501", "maxResults", VALUE_LE + "500"))),
    (
        "AssociateFaces",
        {"CollectionId": "c", "UserId": "u", "FaceIds": [FACE_ID] * 101},
        one(v(f"[{', '.join([FACE_ID] * 101)}]", "faceIds", LEN_LE + "100")),
    ),
    (
        "CreateUser",
        {"CollectionId": "c", "UserId": "u", "ClientRequestToken": "a.b"},
        one(v("a.b", "clientRequestToken", PATTERN + "^[a-zA-Z0-9-_]+$")),
    ),
    (
        "SearchFaces",
        {"CollectionId": "c", "FaceId": FACE_ID, "FaceMatchThreshold": 100.5},
        one(v("100.5", "faceMatchThreshold", VALUE_LE + "100")),
    ),
]


@pytest.mark.parametrize(
    ("name", "params", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)]
)
def test_exact_message(name: str, params: dict[str, Any], expected: str) -> None:
    assert rejection(name, params) == expected


def test_missing_required_member() -> None:
    assert rejection("DescribeCollection", {}) == one(v(None, "collectionId", "Member must not be null"))


def test_several_violations_are_joined_in_model_order() -> None:
    message = rejection("SearchFaces", {"CollectionId": "a b", "MaxFaces": 5000})
    assert message == "3 validation errors detected: " + "; ".join(
        [
            v("a b", "collectionId", PATTERN + r"[a-zA-Z0-9_.\-]+"),
            v(None, "faceId", "Member must not be null"),
            v("5000", "maxFaces", VALUE_LE + "4096"),
        ]
    )


def test_one_member_breaking_two_constraints_gives_two_errors() -> None:
    message = rejection("DescribeCollection", {"CollectionId": "!" * 256})
    assert message.startswith("2 validation errors detected: ")
    assert "Member must have length less than or equal to 255; " in message
    assert message.endswith(r"Member must satisfy regular expression pattern: [a-zA-Z0-9_.\-]+")


def test_string_length_counts_utf16_units_like_java() -> None:
    assert rejection("CreateUser", {"CollectionId": "c", "UserId": "u", "ClientRequestToken": "é"}).endswith(
        "^[a-zA-Z0-9-_]+$"
    )
    rejection("TagResource", {"ResourceArn": ARN, "Tags": {"\U0001f600" * 65: "v"}})
    roundtrip("TagResource", {"ResourceArn": ARN, "Tags": {"é" * 128: "v"}})


def test_unicode_classes_in_patterns() -> None:
    roundtrip("TagResource", {"ResourceArn": ARN, "Tags": {"Équipe 名前 ٣": "valeur 値"}})
    assert "Map keys" in rejection("TagResource", {"ResourceArn": ARN, "Tags": {"bad#key": "v"}})


def test_valid_edges_pass() -> None:
    roundtrip("ListCollections", {"MaxResults": 4096})
    roundtrip("DescribeCollection", {"CollectionId": "x" * 255})
    roundtrip("DetectFaces", {"Image": {"Bytes": b"\0" * 5_242_880}})
    roundtrip("SearchFaces", {"CollectionId": "c", "FaceId": FACE_ID, "FaceMatchThreshold": 100})
    roundtrip("SearchFaces", {"CollectionId": "c", "FaceId": FACE_ID, "FaceMatchThreshold": 0})


def test_client_side_min_checks_also_hold_on_the_server() -> None:
    """boto3 catches these locally; a raw HTTP client must still get a ValidationException."""
    assert "greater than or equal to 0" in rejection("ListCollections", {"MaxResults": -1})
    assert "greater than or equal to 1" in rejection("DescribeCollection", {"CollectionId": ""})
    assert "greater than or equal to 1" in rejection("DeleteFaces", {"CollectionId": "c", "FaceIds": []})
    assert "greater than or equal to 0" in rejection(
        "SearchFaces", {"CollectionId": "c", "FaceId": FACE_ID, "FaceMatchThreshold": -5}
    )
