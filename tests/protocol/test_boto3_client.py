"""A real boto3 client, its HTTP send replaced in-process by parse_request -> fake handler -> serialize_*."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlsplit

import boto3
import pytest
from botocore.awsrequest import AWSPreparedRequest, AWSResponse
from botocore.config import Config
from botocore.exceptions import ClientError

from emulator.errors import ResourceNotFoundException, ServiceError, ThrottlingException
from emulator.protocol import parse_request, serialize_error, serialize_response

Handler = Callable[[dict[str, Any]], dict[str, Any]]
FACE_ID = "11111111-2222-4333-8444-555555555555"


class RawBody:
    """The minimal raw-response object AWSResponse reads content from."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def stream(self, **_: Any) -> Iterator[bytes]:
        yield self.body


class FakeService:
    """Stands in for the pipeline: parse, call a handler, serialize; records what it saw."""

    def __init__(self, handlers: dict[str, Handler]) -> None:
        self.handlers = handlers
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def __call__(self, request: AWSPreparedRequest, **_: Any) -> AWSResponse:
        request_id = str(uuid.uuid4())
        body = request.body if isinstance(request.body, bytes) else (request.body or "").encode()
        try:
            name, params = parse_request(
                request.method, urlsplit(request.url).path, dict(request.headers), body
            )
            self.calls.append((name, params))
            status, headers, payload = serialize_response(name, self.handlers[name](params), request_id)
        except ServiceError as error:
            status, headers, payload = serialize_error(error, request_id)
        return AWSResponse(request.url, status, headers, RawBody(payload))


def client_for(service: FakeService) -> Any:
    session = boto3.Session(
        aws_access_key_id="testing", aws_secret_access_key="testing", region_name="us-east-1"
    )
    client = session.client(
        "rekognition", endpoint_url="http://localhost:1", config=Config(retries={"total_max_attempts": 1})
    )
    client.meta.events.register("before-send.rekognition", service)
    return client


def missing(params: dict[str, Any]) -> dict[str, Any]:
    raise ResourceNotFoundException(f"The collection id: {params['CollectionId']} does not exist")


def throttled(params: dict[str, Any]) -> dict[str, Any]:
    raise ThrottlingException("Slow down; sudden increase in rate of requests.")


def test_success_roundtrip_through_a_real_client() -> None:
    created = dt.datetime(2024, 1, 1, 12, 0, 0, 500000, tzinfo=dt.UTC)
    service = FakeService(
        {
            "DescribeCollection": lambda p: {
                "FaceCount": 2,
                "CreationTimestamp": created,
                "FaceModelVersion": "7.0",
            }
        }
    )
    response = client_for(service).describe_collection(CollectionId="my_faces")
    assert response["FaceCount"] == 2
    assert response["CreationTimestamp"] == created
    assert response["ResponseMetadata"]["HTTPStatusCode"] == 200
    assert len(response["ResponseMetadata"]["RequestId"]) == 36
    assert service.calls == [("DescribeCollection", {"CollectionId": "my_faces"})]


def test_blobs_and_generated_idempotency_tokens_reach_the_handler() -> None:
    service = FakeService({"IndexFaces": lambda p: {"FaceRecords": []}, "CreateUser": lambda p: {}})
    client = client_for(service)
    assert client.index_faces(CollectionId="c", Image={"Bytes": b"\xff\xd8\xff"})["FaceRecords"] == []
    client.create_user(CollectionId="c", UserId="u")
    assert service.calls[0][1]["Image"]["Bytes"] == b"\xff\xd8\xff"
    assert uuid.UUID(service.calls[1][1]["ClientRequestToken"])


def test_modeled_error_raises_the_modeled_exception_class() -> None:
    client = client_for(FakeService({"DescribeCollection": missing}))
    with pytest.raises(client.exceptions.ResourceNotFoundException) as info:
        client.describe_collection(CollectionId="nope")
    assert info.value.response["Error"]["Message"] == "The collection id: nope does not exist"


def test_validation_exception_is_a_plain_client_error() -> None:
    client = client_for(FakeService({}))
    with pytest.raises(ClientError) as info:
        client.list_collections(MaxResults=5000)
    error = info.value.response["Error"]
    assert error["Code"] == "ValidationException"
    assert error["Message"].startswith("1 validation error detected: Value '5000' at 'maxResults'")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_throttling_is_a_500_the_client_retries() -> None:
    service = FakeService({"DescribeCollection": throttled})
    session = boto3.Session(aws_access_key_id="t", aws_secret_access_key="t", region_name="us-east-1")
    client = session.client(
        "rekognition",
        endpoint_url="http://localhost:1",
        config=Config(retries={"total_max_attempts": 2, "mode": "standard"}),
    )
    client.meta.events.register("before-send.rekognition", service)
    with pytest.raises(client.exceptions.ThrottlingException) as info:
        client.describe_collection(CollectionId="c")
    assert info.value.response["ResponseMetadata"]["HTTPStatusCode"] == 500
    assert len(service.calls) == 2
