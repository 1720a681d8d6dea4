"""moto's management API: refused unless `serve --moto-api`; its reset then resets the emulator; no recorder."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any

from botocore.auth import S3SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from tests.identity.helpers import ACME, POLICE
from tests.photos import photo
from tests.robustness.procserver import ServerProcess
from tests.support import LiveServer

Live = Callable[..., LiveServer]
RECORDER = [
    ("POST", "/moto-api/recorder/start-recording"),
    ("POST", "/moto-api/recorder/stop-recording"),
    ("POST", "/moto-api/recorder/reset-recording"),
    ("GET", "/moto-api/recorder/download-recording"),
    ("POST", "/moto-api/recorder/upload-recording"),
    ("POST", "/moto-api/recorder/replay-recording"),
    ("POST", "/moto-api//recorder/start-recording"),
]
MANAGEMENT = [
    ("GET", "/moto-api/data.json"),
    ("POST", "/moto-api/reset"),
    ("GET", "/moto-api/"),
    ("POST", "/moto-api/reset-auth"),
    ("POST", "/moto-api/seed?a=42"),
    ("POST", "/moto-api/config"),
]


def _call(endpoint: str, method: str, path: str, headers: dict[str, str] | None = None) -> tuple[int, bytes]:
    """Send a request (an empty body for POST); return the status and body, errors included."""
    data = b"" if method == "POST" else None
    request = urllib.request.Request(endpoint + path, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(request, timeout=30) as resp:
            return resp.status, resp.read()
    except urllib.error.HTTPError as err:
        with err:  # an HTTPError holds the response: closing it closes the connection
            return err.code, err.read()


def _signed_headers(endpoint: str, method: str, path: str, who: tuple[str, str, str]) -> dict[str, str]:
    """Headers of the request signed by `who` for S3, as a boto3 S3 client would sign it."""
    request = AWSRequest(method=method, url=endpoint + path, data=b"")
    S3SigV4Auth(Credentials(who[0], who[1]), "s3", "us-east-1").add_auth(request)
    return dict(request.headers.items())


def _assert_refused(status: int, body: bytes, flag_named: bool) -> None:
    """The refusal: 404 UnknownOperationException in S3's XML, naming the flag (or the recorder)."""
    text = body.decode()
    assert status == 404, text
    assert "<Code>UnknownOperationException</Code>" in text
    assert ("--moto-api" in text) is flag_named
    assert ("recorder" in text) is not flag_named


def _table_rows(server: LiveServer, table: str) -> int:
    """Rows of a table in the emulator's SQLite store."""
    with server.emulator.runtime.store.db.reading() as conn:
        return int(conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0])


def test_the_moto_api_is_refused_by_default(live: Live) -> None:
    server = live()
    server.client("s3", key=POLICE[0], secret=POLICE[1]).create_bucket(Bucket="kept")
    iam = server.client("iam", key=ACME[0], secret=ACME[1])
    iam.create_user(UserName="deployer")
    secret = iam.create_access_key(UserName="deployer")["AccessKey"]["SecretAccessKey"]
    for method, path in MANAGEMENT + RECORDER:
        status, body = _call(server.endpoint, method, path)
        _assert_refused(status, body, flag_named="recorder" not in path)
        assert secret.encode() not in body
        signed = _signed_headers(server.endpoint, method, path, POLICE)
        _assert_refused(*_call(server.endpoint, method, path, signed), flag_named="recorder" not in path)
    kept = server.client("s3", key=POLICE[0], secret=POLICE[1]).list_buckets()["Buckets"]
    assert [b["Name"] for b in kept] == ["kept"]
    assert iam.list_users()["Users"][0]["UserName"] == "deployer"


def test_with_the_flag_reset_wipes_moto_and_every_accounts_emulator_state(live: Live, tmp_path: Path) -> None:
    server = live(moto_api=True, data_dir=tmp_path / "data")
    s3 = server.client("s3", key=POLICE[0], secret=POLICE[1])
    s3.create_bucket(Bucket="police-photos")
    s3.put_object(Bucket="police-photos", Key="face.jpg", Body=photo("angelina_jolie/1.jpg"))
    police = server.client("rekognition", key=POLICE[0], secret=POLICE[1])
    acme = server.client("rekognition", key=ACME[0], secret=ACME[1])
    police.create_collection(CollectionId="faces")
    image = {"S3Object": {"Bucket": "police-photos", "Name": "face.jpg"}}
    assert len(police.index_faces(CollectionId="faces", Image=image)["FaceRecords"]) == 1
    police.create_user(CollectionId="faces", UserId="suspect", ClientRequestToken="token-1")
    acme.create_collection(CollectionId="acme-faces")
    iam = server.client("iam", key=ACME[0], secret=ACME[1])
    iam.create_user(UserName="deployer")
    secret = iam.create_access_key(UserName="deployer")["AccessKey"]["SecretAccessKey"]
    status, data = _call(server.endpoint, "GET", "/moto-api/data.json")
    assert status == 200 and secret.encode() in data  # what the flag exposes, hence off by default
    assert [_table_rows(server, t) for t in ("collections", "faces", "users", "idempotency")] == [2, 1, 1, 1]
    index_root = tmp_path / "data" / "index"
    assert any(index_root.iterdir())

    status, body = _call(server.endpoint, "POST", "/moto-api/reset")
    assert (status, json.loads(body)) == (200, {"status": "ok"})

    assert s3.list_buckets()["Buckets"] == []
    assert iam.list_users()["Users"] == []
    assert police.list_collections()["CollectionIds"] == []
    assert acme.list_collections()["CollectionIds"] == []
    assert [_table_rows(server, t) for t in ("collections", "faces", "users", "idempotency", "tags")] == [0] * 5
    assert list(index_root.iterdir()) == []
    police.create_collection(CollectionId="faces")  # the same ids are free again
    acme.create_collection(CollectionId="acme-faces")
    assert police.describe_collection(CollectionId="faces")["FaceCount"] == 0


def test_the_recorder_stays_refused_with_the_flag(live: Live) -> None:
    server = live(moto_api=True)
    for method, path in RECORDER:
        _assert_refused(*_call(server.endpoint, method, path), flag_named=False)
    status, _ = _call(server.endpoint, "GET", "/moto-api/data.json")
    assert status == 200


def test_serve_says_on_its_listening_line_that_the_flag_exposes_every_account(tmp_path: Path) -> None:
    for args, exposed in [(["--moto-api"], True), ([], False)]:
        server = ServerProcess(tmp_path / f"data{len(args)}", args)
        endpoint = server.start()
        try:
            line = next(ln for ln in server.tail().splitlines() if "listening on" in ln)
            assert f"listening on {endpoint}" in line
            assert ("exposes and resets every account's state" in line) is exposed
            status, _ = _call(endpoint, "POST", "/moto-api/reset")
            assert status == (200 if exposed else 404)
        finally:
            server.terminate()
            assert server.wait(timeout=30) == 0


def test_a_json_caller_gets_the_refusal_in_json(live: Live) -> None:
    server = live()
    status, body = _call(server.endpoint, "POST", "/moto-api/reset",
                         {"Content-Type": "application/x-amz-json-1.1", "X-Amz-Target": "Foo.Bar"})
    parsed: dict[str, Any] = json.loads(body)
    assert status == 404 and parsed["__type"] == "UnknownOperationException"
