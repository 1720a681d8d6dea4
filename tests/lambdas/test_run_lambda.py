"""`python -m emulator run-lambda`: a handler file, an event file, the live server's endpoint."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from emulator.engine import Engine
from emulator.testing import mock_rekognition
from emulator.tools.run_lambda import FakeContext, main
from tests.conftest import REPO
from tests.lambdas.conftest import s3_event
from tests.photos import photo
from tests.support import LiveServer

EVENTS = REPO / "lambdas" / "events"


def test_run_lambda_indexes_an_upload_on_the_live_server(server: LiveServer, tmp_path: Path) -> None:
    server.client("s3").create_bucket(Bucket="cli-uploads")
    server.client("s3").put_object(Bucket="cli-uploads", Key="team/Ada Lovelace.jpg",
                                   Body=photo("angelina_jolie/1.jpg"))
    server.client().create_collection(CollectionId="cli-faces")
    event = tmp_path / "event.json"
    event.write_text(json.dumps(s3_event("cli-uploads", ["team/Ada Lovelace.jpg"])))
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    done = subprocess.run(
        [sys.executable, "-m", "emulator", "run-lambda", "lambdas/index_on_upload/handler.py", "--event", str(event),
         "--endpoint-url", server.endpoint, "--env", "COLLECTION_ID=cli-faces"],
        cwd=REPO, capture_output=True, text=True, timeout=120, env=env)
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["status"] == "ok" and result["indexedFaces"] == 1
    assert result["records"][0]["externalImageId"] == "team:2FAda:20Lovelace.jpg"


@pytest.mark.parametrize("sample", ["apigw_rest_search.json", "apigw_http_search.json"])
def test_sample_search_events_with_their_placeholder_are_a_400(
        sample: str, engine: Engine, capsys: pytest.CaptureFixture[str]) -> None:
    with mock_rekognition(engine=engine) as mock:
        mock.client().create_collection(CollectionId="samples")
        code = main(["lambdas/search_api/handler.py", "--event", str(EVENTS / sample),
                     "--env", "COLLECTION_ID=samples"])
    result = json.loads(capsys.readouterr().out)
    assert code == 0 and result["statusCode"] == 400, result
    assert os.environ.get("COLLECTION_ID") != "samples"  # --env is undone after the call


def test_sample_s3_events_parse(capsys: pytest.CaptureFixture[str]) -> None:
    with mock_rekognition():
        assert main(["lambdas/delete_on_remove/handler.py", "--event", str(EVENTS / "s3_delete.json"),
                     "--env", "COLLECTION_ID=absent"]) == 0
    result = json.loads(capsys.readouterr().out)
    assert result["status"] == "error" and result["error"]["code"] == "ResourceNotFoundException"
    assert result["records"][0]["key"] == "staff/Angelina Jolie (1).jpg"


def test_bad_invocations(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["lambdas/search_api/handler.py", "--event", str(tmp_path / "missing.json")]) == 2
    raising = tmp_path / "boom.py"
    raising.write_text("def handler(event, context):\n    raise RuntimeError('boom ' + context.function_name)\n")
    (tmp_path / "e.json").write_text("{}")
    capsys.readouterr()
    assert main([str(raising), "--event", str(tmp_path / "e.json")]) == 1
    assert json.loads(capsys.readouterr().out) == {"errorType": "RuntimeError", "errorMessage": f"boom {tmp_path.name}"}


def test_fake_context() -> None:
    context = FakeContext("fn", timeout_ms=1000)
    assert 0 < context.get_remaining_time_in_millis() <= 1000 and context.aws_request_id
    assert context.invoked_function_arn.endswith(":function:fn")
