"""Responses and errors serialized here parse back through botocore's own JSON parser."""

from __future__ import annotations

import datetime as dt
import json
import re
from typing import Any

import pytest
from botocore.model import ShapeResolver

from emulator.errors import (
    AccessDeniedException,
    InternalServerError,
    InvalidParameterException,
    NotImplementedOperationException,
    ProvisionedThroughputExceededException,
    ResourceNotFoundException,
    SerializationException,
    ServiceError,
    ThrottlingException,
    UnknownOperationException,
    ValidationException,
)
from emulator.protocol import error_status, operation_names, serialize_error, serialize_response
from emulator.protocol.serialize import UndefinedMember, encode_structure

from .helpers import botocore_parse, minimal_value, operation

FACE_ID = "11111111-2222-4333-8444-555555555555"
BOX = {"Width": 0.25, "Height": 0.5, "Left": -0.0125, "Top": 1.0000001}
FACE_DETAIL = {
    "BoundingBox": BOX,
    "Confidence": 99.99812316894531,
    "Landmarks": [{"Type": "eyeLeft", "X": 0.1, "Y": 0.2}, {"Type": "mouthRight", "X": 0.3, "Y": 0.4}],
    "Pose": {"Roll": -179.5, "Yaw": 12.0, "Pitch": 0.0},
    "Quality": {"Brightness": 55.5, "Sharpness": 100.0},
    "Emotions": [{"Type": "HAPPY", "Confidence": 1e-05}],
    "AgeRange": {"Low": 20, "High": 30},
}


def parse(name: str, result: dict[str, Any]) -> dict[str, Any]:
    status, headers, body = serialize_response(name, result, "req-123")
    assert status == 200
    parsed = botocore_parse(status, headers, body, name)
    assert parsed.pop("ResponseMetadata")["RequestId"] == "req-123"
    return parsed


def test_index_faces_nested_lists_and_floats() -> None:
    result = {
        "FaceRecords": [
            {
                "Face": {"FaceId": FACE_ID, "BoundingBox": BOX, "ImageId": FACE_ID, "Confidence": 99.9},
                "FaceDetail": FACE_DETAIL,
            }
        ],
        "FaceModelVersion": "7.0",
        "UnindexedFaces": [{"Reasons": ["EXCEEDS_MAX_FACES", "LOW_SHARPNESS"], "FaceDetail": FACE_DETAIL}],
    }
    assert parse("IndexFaces", result) == result


def test_timestamp_goes_out_as_epoch_seconds() -> None:
    created = dt.datetime(2024, 5, 6, 7, 8, 9, 42000, tzinfo=dt.UTC)
    status, headers, body = serialize_response("DescribeCollection", {"CreationTimestamp": created}, "r")
    assert json.loads(body) == {"CreationTimestamp": created.timestamp()}
    assert 1e9 < json.loads(body)["CreationTimestamp"] < 1e10
    parsed = botocore_parse(status, headers, body, "DescribeCollection")
    assert parsed["CreationTimestamp"] == created


def test_naive_datetime_is_taken_as_utc() -> None:
    naive = dt.datetime(2020, 6, 10)
    parsed = parse("DescribeCollection", {"CreationTimestamp": naive, "FaceCount": 2**40})
    assert parsed["CreationTimestamp"] == naive.replace(tzinfo=dt.UTC)
    assert parsed["FaceCount"] == 2**40


def test_none_members_are_dropped() -> None:
    status, _, body = serialize_response(
        "CreateCollection", {"StatusCode": 200, "CollectionArn": None, "FaceModelVersion": "7.0"}, "r"
    )
    assert json.loads(body) == {"StatusCode": 200, "FaceModelVersion": "7.0"}


@pytest.mark.parametrize(("name", "result", "path"), [
    ("CreateCollection", {"StatusCode": 200, "Extra": {"x": 1}}, "CreateCollection.Extra"),
    ("CreateCollection", {"StatusCode": 200, "CollectionARN": None}, "CreateCollection.CollectionARN"),
    ("IndexFaces", {"FaceRecords": [{"Face": {"FaceId": FACE_ID}}, {"Face": {"FaceID": FACE_ID}}]},
     "IndexFaces.FaceRecords[1].Face.FaceID"),
    ("DetectFaces", {"FaceDetails": [{**FACE_DETAIL, "Pose": {"Roll": 1.0, "yaw": 2.0}}]},
     "DetectFaces.FaceDetails[0].Pose.yaw"),
    ("CreateUser", {"UserId": "u"}, "CreateUser.UserId"),
])
def test_a_member_the_model_does_not_define_is_refused(name: str, result: dict[str, Any], path: str) -> None:
    with pytest.raises(UndefinedMember, match=re.escape(path)):
        serialize_response(name, result, "r")


def test_a_member_undefined_in_a_structure_held_by_a_map_is_refused() -> None:
    shapes = ShapeResolver({
        "Out": {"type": "structure", "members": {"ById": {"shape": "ById"}}},
        "ById": {"type": "map", "key": {"shape": "Key"}, "value": {"shape": "Item"}},
        "Key": {"type": "string"},
        "Item": {"type": "structure", "members": {"Name": {"shape": "Key"}}},
    })
    out = shapes.get_shape_by_name("Out")
    assert encode_structure({"ById": {"a": {"Name": "x"}}}, out, "Op") == {"ById": {"a": {"Name": "x"}}}
    with pytest.raises(UndefinedMember, match=re.escape("Op.ById.b.Nmae")):
        encode_structure({"ById": {"a": {"Name": "x"}, "b": {"Nmae": "y"}}}, out, "Op")


def test_values_of_the_wrong_type_are_dropped_not_sent() -> None:
    _, _, body = serialize_response(
        "DescribeCollection", {"FaceCount": "many", "UserCount": 1.5, "FaceModelVersion": 7}, "r"
    )
    assert json.loads(body) == {}


def test_non_finite_floats_are_dropped() -> None:
    _, _, body = serialize_response("SearchFaces", {"FaceMatches": [{"Similarity": float("nan")}]}, "r")
    assert json.loads(body) == {"FaceMatches": [{}]}


def test_parallel_arrays_and_tags_map() -> None:
    assert parse("ListCollections", {"CollectionIds": ["a", "b"], "FaceModelVersions": ["6.0", "7.0"]}) == {
        "CollectionIds": ["a", "b"],
        "FaceModelVersions": ["6.0", "7.0"],
    }
    assert parse("ListTagsForResource", {"Tags": {"k": "v", "é": ""}}) == {"Tags": {"k": "v", "é": ""}}


def test_empty_output_is_an_empty_object() -> None:
    status, headers, body = serialize_response("CreateUser", {}, "r")
    assert (status, body) == (200, b"{}")
    assert headers == {"Content-Type": "application/x-amz-json-1.1", "x-amzn-RequestId": "r"}


def test_tuples_and_str_enums_serialize() -> None:
    from enum import StrEnum

    class Status(StrEnum):
        ACTIVE = "ACTIVE"

    parsed = parse("ListUsers", {"Users": ({"UserId": "u", "UserStatus": Status.ACTIVE},)})
    assert parsed == {"Users": [{"UserId": "u", "UserStatus": "ACTIVE"}]}


@pytest.mark.parametrize("name", sorted(operation_names()))
def test_every_operation_output_roundtrips(name: str) -> None:
    shape = operation(name).output_shape
    result = minimal_value(shape, required_only=False) if shape is not None else {}
    parsed = parse(name, result)
    assert json.loads(json.dumps(parsed, default=str)) == json.loads(json.dumps(result, default=str))


ERRORS: list[tuple[ServiceError, int]] = [
    (InvalidParameterException("Request has invalid parameters"), 400),
    (ResourceNotFoundException("The collection id: my_faces does not exist"), 400),
    (AccessDeniedException("User: x is not authorized"), 400),
    (ProvisionedThroughputExceededException("Provisioned Rate exceeded."), 400),
    (ThrottlingException("Slow down; sudden increase in rate of requests."), 500),
    (InternalServerError("Internal server error"), 500),
    (ValidationException("1 validation error detected: x"), 400),
    (SerializationException("Start of list found where not expected"), 400),
    (NotImplementedOperationException("DetectLabels is not implemented"), 400),
]


@pytest.mark.parametrize(("error", "status"), ERRORS, ids=[type(e).__name__ for e, _ in ERRORS])
def test_error_roundtrip(error: ServiceError, status: int) -> None:
    got_status, headers, body = serialize_error(error, "req-9")
    assert got_status == status
    assert headers["X-Amzn-ErrorType"] == error.code
    assert headers["x-amzn-RequestId"] == "req-9"
    assert headers["Content-Type"] == "application/x-amz-json-1.1"
    parsed = botocore_parse(got_status, headers, body, None)
    assert parsed["Error"] == {"Code": error.code, "Message": error.message}
    assert parsed["ResponseMetadata"]["RequestId"] == "req-9"


def test_modeled_errors_use_message_code_and_logref() -> None:
    _, _, body = serialize_error(InvalidParameterException("bad"), "r")
    document = json.loads(body)
    assert document["__type"] == document["Code"] == "InvalidParameterException"
    assert document["Message"] == "bad"
    assert "Logref" in document


def test_validation_exception_uses_lowercase_message() -> None:
    _, _, body = serialize_error(ValidationException("1 validation error detected: x"), "r")
    assert json.loads(body) == {"__type": "ValidationException", "message": "1 validation error detected: x"}


def test_unknown_operation_has_no_message() -> None:
    status, _, body = serialize_error(UnknownOperationException(""), "r")
    assert (status, json.loads(body)) == (400, {"__type": "UnknownOperationException"})


def test_status_comes_from_the_model_and_its_patch_file_only() -> None:
    assert not hasattr(ThrottlingException("slow"), "status")
    with pytest.raises(TypeError):
        ServiceError("bad signature", status=403)  # type: ignore[call-arg]
    assert serialize_error(ThrottlingException("slow"), "r")[0] == error_status("ThrottlingException") == 500


class _Unmodeled(ServiceError):
    code = "NoSuchErrorCode"


def test_a_code_without_a_status_is_answered_as_an_internal_error(caplog: pytest.LogCaptureFixture) -> None:
    status, headers, body = serialize_error(_Unmodeled("oops"), "r")
    assert (status, headers["X-Amzn-ErrorType"]) == (500, "InternalServerError")
    assert json.loads(body)["__type"] == "InternalServerError"
    assert "NoSuchErrorCode has no HTTP status" in caplog.text
