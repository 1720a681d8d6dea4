"""import-vectors: the CLI stores one face per row, and a live server lists and searches them."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np

from emulator.config import Settings
from emulator.engine import Engine
from emulator.index.synthetic import face_dataset
from tests.support import start_live_server

REPO = Path(__file__).resolve().parent.parent.parent
ROWS = 3000
DUPLICATES = {2999: 17, 2998: 17, 1500: 42}  # row -> the row it exactly copies


def run_import(data_dir: Path, file: Path, collection: str = "imported") -> subprocess.CompletedProcess[str]:
    """Run ``python -m emulator import-vectors`` in a subprocess."""
    cmd = [sys.executable, "-m", "emulator", "import-vectors", "--data-dir", str(data_dir),
           "--collection-id", collection, str(file)]
    return subprocess.run(cmd, cwd=REPO, capture_output=True, text=True, timeout=120, check=False)


def test_import_then_serve(tmp_path: Path, engine: Engine) -> None:
    _, vectors, _ = face_dataset(ROWS, seed=21)
    for row, source in DUPLICATES.items():
        vectors[row] = vectors[source]
    file = tmp_path / "vectors.npy"
    np.save(file, vectors.astype(np.float32))
    data_dir = tmp_path / "data"

    done = run_import(data_dir, file)
    assert done.returncode == 0, done.stderr
    assert f"imported {ROWS} faces" in done.stdout

    live = start_live_server(Settings(port=0, data_dir=data_dir), engine)
    try:
        rek = live.client()
        assert rek.describe_collection(CollectionId="imported")["FaceCount"] == ROWS
        faces, kwargs = [], {"CollectionId": "imported", "MaxResults": 4096}
        while True:
            page = rek.list_faces(**kwargs)
            faces += page["Faces"]
            if "NextToken" not in page:
                break
            kwargs["NextToken"] = page["NextToken"]
        by_external = {f["ExternalImageId"]: f["FaceId"] for f in faces}
        assert sorted(by_external, key=int) == [str(i) for i in range(ROWS)]

        found = rek.search_faces(CollectionId="imported", FaceId=by_external["17"], MaxFaces=10)
        top = [m["Face"]["ExternalImageId"] for m in found["FaceMatches"][:2]]
        assert sorted(top) == ["2998", "2999"]
        assert all(m["Similarity"] > 99.9 for m in found["FaceMatches"][:2])
        found = rek.search_faces(CollectionId="imported", FaceId=by_external["1500"], MaxFaces=1)
        assert [m["Face"]["ExternalImageId"] for m in found["FaceMatches"]] == ["42"]
    finally:
        live.stop()


def test_wrong_shape_is_rejected(tmp_path: Path) -> None:
    file = tmp_path / "bad.npy"
    np.save(file, np.zeros((10, 64), dtype=np.float32))
    done = run_import(tmp_path / "data", file)
    assert done.returncode != 0
    assert "expected an N×128 array" in done.stderr + done.stdout
