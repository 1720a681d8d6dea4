"""index-folder against a live server: local folder, resume, server-side dedup, s3:// source, ids, thread pool."""

from __future__ import annotations

import shutil
import threading
from pathlib import Path
from typing import Any

import pytest

from emulator.tools import index_folder
from emulator.tools.external_ids import assign_ids, external_image_id
from emulator.tools.index_runner import Outcome, run
from emulator.tools.index_sources import Photo
from emulator.tools.index_state import IndexState
from tests.support import LiveServer

# Two photos at a time against the shared server (2 cores); the pool itself is tested with a fake worker below.
WORKERS = "2"
UNICODE_NAME = "Zoë photo 1.jpg"


@pytest.fixture
def aws_env(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """Standard boto3 credentials for the emulator, and a private cache dir for resume files."""
    for name, value in {"AWS_ACCESS_KEY_ID": "testing", "AWS_SECRET_ACCESS_KEY": "testing",
                        "AWS_DEFAULT_REGION": "us-east-1", "XDG_CACHE_HOME": str(tmp_path / "cache")}.items():
        monkeypatch.setenv(name, value)
    for name in ("AWS_PROFILE", "AWS_ENDPOINT_URL", "AWS_SESSION_TOKEN"):
        monkeypatch.delenv(name, raising=False)
    return tmp_path / "cache"


@pytest.fixture
def photo_dir(tmp_path: Path, faces_dir: Path) -> Path:
    """A folder with two faces (one in a subfolder), a unicode name with spaces, a no-face image and a bad file."""
    root = tmp_path / "photos"
    (root / "alice").mkdir(parents=True)
    shutil.copy(faces_dir / "angelina_jolie/4.jpg", root / "alice" / "1.jpg")
    shutil.copy(faces_dir / "jennifer_aniston/2.jpg", root / UNICODE_NAME)
    shutil.copy(faces_dir / "_noface/chelsea.png", root / "cat.png")
    (root / "broken.jpg").write_bytes(b"this is not an image")
    (root / "notes.txt").write_text("ignored")
    return root


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str]:
    """Run the command and return (exit code, stdout)."""
    code = index_folder.main(list(argv))
    return code, capsys.readouterr().out


def _faces(client: Any, collection: str) -> dict[str, str]:
    """FaceId -> ExternalImageId of a collection."""
    return {f["FaceId"]: f["ExternalImageId"] for f in client.list_faces(CollectionId=collection)["Faces"]}


def test_index_folder_resume_and_dedup(server: LiveServer, aws_env: Path, photo_dir: Path,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    args = [str(photo_dir), "--collection-id", "tools-folder", "--endpoint-url", server.endpoint,
            "--workers", WORKERS, "--no-progress"]
    assert _run(capsys, *args)[0] == 2  # no such collection without --create
    code, out = _run(capsys, *args, "--create")
    assert code == 1, out  # the bad file is an error other than no-face
    assert "photos: 4" in out and "photos indexed: 2" in out and "faces indexed: 2" in out
    assert "  no face: 1" in out and "  bad format: 1" in out and "broken.jpg: InvalidImageFormatException" in out
    client = server.client()
    first = _faces(client, "tools-folder")
    assert sorted(first.values()) == sorted(["alice:1.jpg", external_image_id(UNICODE_NAME)])
    assert external_image_id(UNICODE_NAME).startswith("Zoe_photo_1-")

    code, out = _run(capsys, *args)
    assert code == 1 and "photos indexed: 0" in out and "  already done: 3" in out
    assert _faces(client, "tools-folder") == first
    assert list(aws_env.rglob("*.jsonl")), "resume file in the cache dir"

    code, out = _run(capsys, *args, "--fresh")  # sent again: the server keeps one copy per image + ExternalImageId
    assert "photos indexed: 2" in out
    assert _faces(client, "tools-folder") == first


def test_index_s3_prefix(server: LiveServer, aws_env: Path, faces_dir: Path,
                         capsys: pytest.CaptureFixture[str]) -> None:
    s3 = server.client("s3")
    s3.create_bucket(Bucket="tools-photos")
    s3.put_object(Bucket="tools-photos", Key="team/a.jpg", Body=(faces_dir / "scarlett_johansson/6.jpg").read_bytes())
    s3.put_object(Bucket="tools-photos", Key="team/sub/b.jpg", Body=(faces_dir / "paul_allen/1.jpg").read_bytes())
    s3.put_object(Bucket="tools-photos", Key="other/c.jpg", Body=b"not under the prefix")
    code, out = _run(capsys, "s3://tools-photos/team/", "--collection-id", "tools-s3", "--endpoint-url",
                     server.endpoint, "--create", "--workers", WORKERS, "--no-progress")
    assert code == 0, out
    assert "photos: 2" in out and "faces indexed: 2" in out
    assert sorted(_faces(server.client(), "tools-s3").values()) == ["a.jpg", "sub:b.jpg"]


def test_external_ids_are_valid_and_unique() -> None:
    names = ["a b.jpg", "a_b.jpg", "a:b.jpg", "x/a b.jpg", "日本.png", "é" * 300 + ".jpg", ".jpg", "noext"]
    ids = assign_ids(names)
    assert len(set(ids.values())) == len(names)
    import re

    for value in ids.values():
        assert re.fullmatch(r"[a-zA-Z0-9_.\-:]+", value) and len(value) <= 255
    assert ids["a_b.jpg"] == "a_b.jpg" and ids["a b.jpg"].startswith("a_b-") and ids["x/a b.jpg"].startswith("x:a_b-")
    assert assign_ids(["a b.jpg"]) == {"a b.jpg": ids["a b.jpg"]}  # independent of the other files


def test_pool_runs_in_parallel_and_records_state(tmp_path: Path) -> None:
    photos = [Photo(name=f"p{i}", state_key=f"k{i}", external_id=f"p{i}", size=1) for i in range(8)]
    active = peak = 0
    lock = threading.Lock()
    overlapped = threading.Event()

    def work(photo: Photo) -> Outcome:
        nonlocal active, peak
        with lock:
            active += 1
            peak = max(peak, active)
            if active > 1:
                overlapped.set()
        overlapped.wait(timeout=30)  # held until a second photo runs alongside: a serial pool never gets there
        with lock:
            active -= 1
        return Outcome("error", message="boom") if photo.name == "p3" else Outcome("indexed", faces=1)

    state = IndexState(tmp_path / "s.jsonl", {"collection": "c"})
    summary = run(photos, work, state, workers=4)
    state.close()
    assert peak > 1 and summary.indexed_photos == 7 and summary.exit_code == 1
    again = IndexState(tmp_path / "s.jsonl", {"collection": "c"})
    assert set(again.done) == {f"k{i}" for i in range(8)} - {"k3"}
    again.close()
    recreated = IndexState(tmp_path / "s.jsonl", {"collection": "recreated"})
    assert not recreated.done
    recreated.close()
