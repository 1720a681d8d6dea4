"""Lambda handler fixtures: the handlers' modules, and an AWS (live server or in-process mocks) to run them on."""

from __future__ import annotations

import base64
import json
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from types import ModuleType
from typing import Any
from urllib.parse import quote_plus

import boto3
import pytest
from moto import mock_aws

import lambdas.delete_on_remove.handler as delete_on_remove
import lambdas.index_on_upload.handler as index_on_upload
import lambdas.search_api.handler as search_api
from emulator.engine import Engine
from emulator.testing import mock_rekognition
from tests.photos import photo
from tests.support import LiveServer

HANDLERS: tuple[ModuleType, ...] = (index_on_upload, search_api, delete_on_remove)


@dataclass
class Aws:
    """Where the handlers run: a bucket and a collection, and clients for them."""

    mode: str
    bucket: str
    collection: str

    def client(self, service: str) -> Any:
        """A boto3 client found the standard way (environment), like the handlers'."""
        return boto3.client(service)

    def upload(self, key: str, path: str) -> None:
        """Store a photo under a key."""
        self.client("s3").put_object(Bucket=self.bucket, Key=key, Body=photo(path))


def _fresh_handlers(monkeypatch: pytest.MonkeyPatch) -> None:
    """Forget the clients the handlers cached (one per container) and boto3's default session."""
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)
    for module in HANDLERS:
        monkeypatch.setattr(module, "_client", None)


def _prepare(monkeypatch: pytest.MonkeyPatch, mode: str) -> Aws:
    """Environment, bucket and collection for one test."""
    aws = Aws(mode, f"photos-{uuid.uuid4().hex[:12]}", f"faces-{uuid.uuid4().hex[:12]}")
    monkeypatch.setenv("COLLECTION_ID", aws.collection)
    aws.client("s3").create_bucket(Bucket=aws.bucket)
    aws.client("rekognition").create_collection(CollectionId=aws.collection)
    return aws


@pytest.fixture
def live_aws(server: LiveServer, monkeypatch: pytest.MonkeyPatch) -> Aws:
    """The handlers against the live server, through AWS_ENDPOINT_URL."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", server.endpoint)
    for key, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                       "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_SESSION_TOKEN", raising=False)
    _fresh_handlers(monkeypatch)
    return _prepare(monkeypatch, "live")


@pytest.fixture
def mocked_aws(engine: Engine, monkeypatch: pytest.MonkeyPatch) -> Iterator[Aws]:
    """The handlers under mock_aws (S3) and mock_rekognition, without any endpoint."""
    monkeypatch.delenv("AWS_ENDPOINT_URL", raising=False)
    monkeypatch.delenv("AWS_ENDPOINT_URL_REKOGNITION", raising=False)
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    _fresh_handlers(monkeypatch)
    with mock_aws(), mock_rekognition(engine=engine):
        yield _prepare(monkeypatch, "mock")


@pytest.fixture(params=["live", "mock"])
def any_aws(request: pytest.FixtureRequest) -> Aws:
    """Each test twice: against the live server and in-process."""
    aws: Aws = request.getfixturevalue(f"{request.param}_aws" if request.param == "live" else "mocked_aws")
    return aws


def s3_event(bucket: str, keys: list[str], name: str = "ObjectCreated:Put") -> dict[str, Any]:
    """An S3 notification as Lambda receives it (keys URL-encoded, '+' for spaces)."""
    return {"Records": [{
        "eventVersion": "2.1", "eventSource": "aws:s3", "awsRegion": "us-east-1", "eventName": name,
        "eventTime": "2024-05-01T12:00:00.000Z",
        "s3": {"s3SchemaVersion": "1.0", "bucket": {"name": bucket, "arn": f"arn:aws:s3:::{bucket}"},
               "object": {"key": quote_plus(key), "size": 1, "sequencer": "0A1B2C3D4E5F678901"}},
    } for key in keys]}


def rest_event(body: str | None, method: str = "POST", base64_encoded: bool = False,
               content_type: str = "application/json") -> dict[str, Any]:
    """An API Gateway REST (payload v1) proxy event."""
    return {"resource": "/search", "path": "/search", "httpMethod": method,
            "headers": {"Content-Type": content_type}, "queryStringParameters": None,
            "requestContext": {"httpMethod": method, "stage": "prod", "requestId": "r-1"},
            "body": body, "isBase64Encoded": base64_encoded}


def http_event(image: bytes, query: dict[str, str] | None = None) -> dict[str, Any]:
    """An API Gateway HTTP API (payload v2) event carrying raw image bytes, base64-encoded by the gateway."""
    return {"version": "2.0", "routeKey": "POST /search", "rawPath": "/search",
            "headers": {"content-type": "image/jpeg"}, "queryStringParameters": query,
            "requestContext": {"http": {"method": "POST", "path": "/search"}, "requestId": "r-2"},
            "body": base64.b64encode(image).decode(), "isBase64Encoded": True}


def json_image(path: str, **extra: Any) -> str:
    """A JSON body {"image": base64, ...}."""
    return json.dumps({"image": base64.b64encode(photo(path)).decode(), **extra})


class Ctx:
    """A minimal Lambda context."""

    function_name = "test"
    aws_request_id = "req-123"

    def get_remaining_time_in_millis(self) -> int:
        """Plenty of time."""
        return 30_000
