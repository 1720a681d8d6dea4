"""search_api's answers to bad requests: 4xx with a message for the caller's mistakes, 5xx for ours."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

import lambdas.search_api.handler as search_api
from tests.lambdas.conftest import Aws, Ctx, http_event, json_image, rest_event
from tests.photos import photo


def _answer(event: dict[str, Any]) -> tuple[int, dict[str, Any]]:
    """Call the handler; its status and JSON body."""
    out = search_api.handler(event, Ctx())
    assert out["headers"]["Content-Type"] == "application/json"
    return out["statusCode"], json.loads(out["body"])


@pytest.mark.parametrize(("event", "status", "error"), [
    (rest_event("{not json"), 400, "InvalidJSON"),
    (rest_event("[1, 2]"), 400, "InvalidJSON"),
    (rest_event(None), 400, "MissingImage"),
    (rest_event('{"picture": "abc"}'), 400, "MissingImage"),
    (rest_event('{"image": "***not base64***"}'), 400, "InvalidBase64"),
    (rest_event("%%%", base64_encoded=True), 400, "InvalidBase64"),
    (rest_event("\x00\x01", content_type="image/jpeg"), 400, "InvalidBody"),
    (rest_event('{"image": "aGVsbG8=", "threshold": 101}'), 400, "InvalidParameter"),
    (rest_event('{"image": "aGVsbG8=", "maxFaces": "many"}'), 400, "InvalidParameter"),
    (rest_event(None, method="GET"), 405, "MethodNotAllowed"),
])
def test_requests_refused_before_calling_rekognition(event: dict[str, Any], status: int, error: str,
                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLLECTION_ID", "never-reached")
    monkeypatch.setattr(search_api, "_client", object())  # any call to Rekognition would fail the test
    code, body = _answer(event)
    assert (code, body["error"]) == (status, error) and body["message"]


def test_rekognition_refusals_become_4xx_and_configuration_errors_5xx(
        mocked_aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    assert _answer(rest_event(json_image("_noface/dogs.jpg")))[0] == 422
    garbage = json.dumps({"image": base64.b64encode(b"definitely not an image").decode()})
    assert _answer(rest_event(garbage))[1]["error"] == "InvalidImageFormat"
    assert _answer(http_event(b"\xff" * (5 * 1024 * 1024 + 1)))[0] == 413
    ok, body = _answer(rest_event(json_image("angelina_jolie/1.jpg")))
    assert (ok, body["matches"]) == (200, [])
    body64 = base64.b64encode(json_image("angelina_jolie/1.jpg").encode()).decode()
    assert _answer(rest_event(body64, base64_encoded=True))[0] == 200
    monkeypatch.setenv("COLLECTION_ID", "no-such-collection")
    status, failure = _answer(http_event(photo("angelina_jolie/1.jpg")))
    assert status == 500 and failure["requestId"] == "req-123" and "collection" not in failure["message"]


def test_an_unreachable_endpoint_is_a_502(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLLECTION_ID", "anything")
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:9")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "us-east-1")
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_MAX_ATTEMPTS", "1")
    monkeypatch.setattr(search_api, "_client", None)
    status, body = _answer(rest_event(json_image("angelina_jolie/1.jpg")))
    assert status == 502 and body["error"] == "ServerError"
