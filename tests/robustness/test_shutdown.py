"""SIGTERM during a slow IndexFaces: the request completes, the process exits 0, the face is there after restart."""

from __future__ import annotations

import threading
import time
from pathlib import Path
from typing import Any

from tests.photos import photo
from tests.robustness.procserver import ServerProcess

# The slowest photo to index: many faces, each with landmarks, quality and a descriptor.
SLOW_PHOTO = "_multi/bald_guys_collage.jpg"


def test_sigterm_finishes_the_running_request_then_exits_cleanly(tmp_path: Path, faces_dir: Path) -> None:
    del faces_dir
    server = ServerProcess(tmp_path / "data", ["--no-warm-up"])  # idle until the request: its CPU time is the request's
    server.start()
    try:
        client = server.client()
        client.create_collection(CollectionId="shutdown")
        client.list_collections()
        result: dict[str, Any] = {}

        def index() -> None:
            try:
                result["out"] = client.index_faces(CollectionId="shutdown", Image={"Bytes": photo(SLOW_PHOTO)},
                                                   ExternalImageId="slow")
            except Exception as exc:  # noqa: BLE001 - reported by the assertion below
                result["error"] = exc

        worker = threading.Thread(target=index)
        worker.start()
        assert server.wait_busy(cpu=0.5), "the server never started working on the request"  # loading or detecting
        assert worker.is_alive(), "the request finished before the signal; pick a slower photo"
        server.terminate()
        started = time.monotonic()
        worker.join(timeout=120)
        code = server.wait(timeout=30)
        assert "error" not in result, result.get("error")
        assert result["out"]["ResponseMetadata"]["HTTPStatusCode"] == 200
        indexed = {r["Face"]["FaceId"] for r in result["out"]["FaceRecords"]}
        assert indexed
        assert code == 0, server.tail()
        assert time.monotonic() - started < 60
    finally:
        server.kill()
    server.start()
    try:
        client = server.client()
        listed = {f["FaceId"] for f in client.list_faces(CollectionId="shutdown")["Faces"]}
        assert listed == indexed
        assert client.describe_collection(CollectionId="shutdown")["FaceCount"] == len(indexed)
    finally:
        server.terminate()
        assert server.wait(timeout=30) == 0
