"""Malformed and unusual requests on the wire: AWS's errors, never a 5xx or a traceback."""

from __future__ import annotations

from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.support import LiveServer, signed_post

RAW = pytest.mark.server_only("raw HTTP bodies no boto3 client sends")


@RAW
@pytest.mark.parametrize(
    ("body", "target", "code"),
    [
        (b"{not json", "RekognitionService.ListCollections", "SerializationException"),
        (b"[1, 2]", "RekognitionService.ListCollections", "SerializationException"),
        (b'{"MaxResults": "ten"}', "RekognitionService.ListCollections", "SerializationException"),
        (b"[" * 100000, "RekognitionService.ListCollections", "SerializationException"),
        (b"{}", "RekognitionService.NoSuchThing", "UnknownOperationException"),
        (b"{}", None, "UnknownOperationException"),
        (b"{}", "SomeOtherService.ListCollections", "UnknownOperationException"),
    ],
)
def test_malformed_requests(server: LiveServer, body: bytes, target: str | None, code: str) -> None:
    status, payload = signed_post(server.endpoint, body, target)
    assert status == 400
    assert payload["__type"].rsplit("#", 1)[-1] == code


@RAW
def test_missing_required_member(server: LiveServer) -> None:
    status, payload = signed_post(server.endpoint, b"{}", "RekognitionService.DescribeCollection")
    assert status == 400 and payload["__type"] == "ValidationException"
    assert "at 'collectionId' failed to satisfy constraint: Member must not be null" in payload["message"]


def test_unimplemented_operation_names_itself(rekognition: Any) -> None:
    with pytest.raises(ClientError) as err:
        rekognition.detect_labels(Image={"Bytes": b"\xff\xd8\xff"})
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert "DetectLabels" in err.value.response["Error"]["Message"]


def test_several_violations_are_counted(rekognition: Any) -> None:
    with pytest.raises(ClientError) as err:
        rekognition.list_faces(CollectionId="bad id!", MaxResults=5000)
    message = err.value.response["Error"]["Message"]
    assert message.startswith("2 validation errors detected: ")
    assert "'maxResults'" in message and "'collectionId'" in message
