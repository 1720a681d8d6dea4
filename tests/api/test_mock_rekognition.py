"""mock_rekognition as decorator and context manager: same answers as the server, fresh state, persistence."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from emulator.engine import Engine
from emulator.testing import _STUBBER, EVENT, MockRekognition, mock_rekognition, patch_client
from tests.photos import photo
from tests.support import LiveServer

JOLIE_1, JOLIE_2 = "angelina_jolie/1.jpg", "angelina_jolie/2.jpg"


def _rekognition() -> Any:
    """A plain boto3 client, as user code would create it (no endpoint_url)."""
    return boto3.client("rekognition", region_name="us-east-1")


@mock_rekognition
def _bare_decorated(collection_id: str, *, tags: dict[str, str] | None = None) -> list[str]:
    """Create one collection and list them (no face work: the engine is never loaded)."""
    client = _rekognition()
    client.create_collection(CollectionId=collection_id, Tags=tags or {})
    return list(client.list_collections()["CollectionIds"])


def test_bare_decorator_gives_each_call_a_fresh_emulator_and_keeps_the_signature() -> None:
    assert _bare_decorated("first") == ["first"]
    assert _bare_decorated("second", tags={"k": "v"}) == ["second"]
    assert inspect.signature(_bare_decorated) == inspect.signature(_bare_decorated.__wrapped__)  # type: ignore[attr-defined]
    assert _bare_decorated.__name__ == "_bare_decorated"


def test_decorator_with_arguments_indexes_and_searches_a_real_photo(engine: Engine) -> None:
    @mock_rekognition(engine=engine)
    def index_then_search() -> tuple[str, list[dict[str, Any]]]:
        client = _rekognition()
        client.create_collection(CollectionId="people")
        out = client.index_faces(CollectionId="people", Image={"Bytes": photo(JOLIE_1)}, ExternalImageId="jolie")
        found = client.search_faces_by_image(CollectionId="people", Image={"Bytes": photo(JOLIE_2)})
        return out["FaceRecords"][0]["Face"]["FaceId"], found["FaceMatches"]

    face_id, matches = index_then_search()
    assert [m["Face"]["FaceId"] for m in matches] == [face_id]
    assert matches[0]["Face"]["ExternalImageId"] == "jolie" and matches[0]["Similarity"] >= 80


def test_async_functions_are_refused() -> None:
    async def coroutine() -> None:
        return None

    with pytest.raises(TypeError):
        mock_rekognition(coroutine)


@pytest.mark.server_only("compares mock_rekognition with the live server")
def test_context_manager_errors_are_the_servers(server: LiveServer) -> None:
    def failure(client: Any) -> tuple[Any, Any, int]:
        with pytest.raises(ClientError) as caught:
            client.describe_collection(CollectionId="no-such-collection")
        resp = caught.value.response
        return resp["Error"]["Code"], resp["Error"]["Message"], resp["ResponseMetadata"]["HTTPStatusCode"]

    with mock_rekognition() as mock:
        assert isinstance(mock, MockRekognition)
        in_process = failure(_rekognition())
        with pytest.raises(ClientError) as bad:
            _rekognition().create_collection(CollectionId="not valid!")
    assert in_process == failure(server.client())
    assert in_process[0] == "ResourceNotFoundException"
    with pytest.raises(ClientError) as bad_live:
        server.client().create_collection(CollectionId="not valid!")
    assert bad.value.response["Error"] == bad_live.value.response["Error"]


def test_each_use_starts_from_fresh_state() -> None:
    with mock_rekognition():
        _rekognition().create_collection(CollectionId="temporary")
        assert _rekognition().list_collections()["CollectionIds"] == ["temporary"]
    with mock_rekognition():
        assert _rekognition().list_collections()["CollectionIds"] == []


def test_reset_forgets_the_state_of_every_region_and_keeps_the_mock_active(tmp_path: Path, engine: Engine) -> None:
    with mock_rekognition(data_dir=tmp_path, engine=engine) as mock:
        client = _rekognition()
        client.create_collection(CollectionId="before")
        client.index_faces(CollectionId="before", Image={"Bytes": photo(JOLIE_1)})
        other = boto3.client("rekognition", region_name="eu-west-1")
        other.create_collection(CollectionId="elsewhere")
        mock.reset()
        assert client.list_collections()["CollectionIds"] == []
        assert other.list_collections()["CollectionIds"] == []
        client.create_collection(CollectionId="before")
        assert client.describe_collection(CollectionId="before")["FaceCount"] == 0


def test_a_data_dir_keeps_state_across_uses(tmp_path: Path, engine: Engine) -> None:
    with mock_rekognition(data_dir=tmp_path, engine=engine):
        client = _rekognition()
        client.create_collection(CollectionId="kept")
        face_id = client.index_faces(CollectionId="kept", Image={"Bytes": photo(JOLIE_1)})["FaceRecords"][0]
    with mock_rekognition(data_dir=tmp_path, engine=engine):
        faces = _rekognition().list_faces(CollectionId="kept")["Faces"]
    assert [f["FaceId"] for f in faces] == [face_id["Face"]["FaceId"]]


@pytest.mark.server_only("checks that the live server sees nothing of the mock")
def test_nothing_is_intercepted_outside(server: LiveServer) -> None:
    with mock_rekognition():
        _rekognition().create_collection(CollectionId="only-in-the-mock")
    assert "only-in-the-mock" not in server.client().list_collections()["CollectionIds"]


def test_auth_on_checks_signatures_like_the_server() -> None:
    with mock_rekognition(auth=True):
        good = boto3.client("rekognition", region_name="us-east-1", aws_access_key_id="testing",
                            aws_secret_access_key="testing")
        assert good.list_collections()["CollectionIds"] == []
        wrong = boto3.client("rekognition", region_name="us-east-1", aws_access_key_id="testing",
                             aws_secret_access_key="wrong")
        with pytest.raises(ClientError) as caught:
            wrong.list_collections()
    assert caught.value.response["Error"]["Code"] == "InvalidSignatureException"


def test_patch_client_routes_a_client_made_without_the_handler_and_runs_each_call_once(engine: Engine) -> None:
    client = _rekognition()
    client.meta.events.unregister(EVENT, _STUBBER)  # as if created before emulator.testing was imported
    doubled = patch_client(_rekognition())  # already has the built-in handler: must still answer once
    with mock_rekognition(engine=engine):
        patch_client(client).create_collection(CollectionId="patched")
        doubled.index_faces(CollectionId="patched", Image={"Bytes": photo(JOLIE_1)})
        assert len(client.list_faces(CollectionId="patched")["Faces"]) == 1


def test_the_pytest_fixture_yields_the_active_mock(rekognition_emulator: MockRekognition) -> None:
    client = rekognition_emulator.client()
    client.create_collection(CollectionId="from-fixture")
    assert _rekognition().list_collections()["CollectionIds"] == ["from-fixture"]
    assert rekognition_emulator.emulator.settings.in_memory
