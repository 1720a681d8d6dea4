"""Every --detector through the API: DetectFaces via boto3 against a live server built from the settings."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from emulator.cli import main as cli_main
from emulator.config import Settings
from tests.photos import photo
from tests.support import LiveServer, start_live_server

pytestmark = pytest.mark.server_only("a server per serve --detector setting; the CLI refuses unknown ones")

SELFIE = "_multi/selfie_many_people.jpg"  # six faces; two are turned away from the camera


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, LiveServer]]:
    """One in-memory server per detector name, each building its own engine from its Settings."""
    # dlib's CNN costs seconds per photo at upsample 1: its servers look for faces from 80 px.
    made = {name: start_live_server(Settings(port=0, data_dir=None, detector=name,
                                             min_face_size=80 if name in ("mmod", "cnn") else 40))
            for name in ("retinaface", "hog", "mmod", "cnn")}
    yield made
    for live in made.values():
        live.stop()


def _faces(live: LiveServer, path: str) -> list[dict[str, object]]:
    details: list[dict[str, object]] = live.client().detect_faces(Image={"Bytes": photo(path)})["FaceDetails"]
    return details


def test_default_server_uses_retinaface() -> None:
    assert Settings().detector == "retinaface"


def test_retinaface_finds_the_turned_faces_hog_misses(servers: dict[str, LiveServer]) -> None:
    assert len(_faces(servers["retinaface"], SELFIE)) == 6
    assert len(_faces(servers["hog"], SELFIE)) == 4


@pytest.mark.parametrize("name", ["retinaface", "hog", "mmod", "cnn"])
def test_each_detector_answers_detect_faces(name: str, servers: dict[str, LiveServer]) -> None:
    details = _faces(servers[name], "angelina_jolie/4.jpg")  # 330x512, one face
    assert len(details) == 1
    face = details[0]
    box = face["BoundingBox"]
    assert isinstance(box, dict) and isinstance(face["Confidence"], float) and face["Confidence"] >= 90
    ratio = (box["Height"] * 512) / (box["Width"] * 330)
    if name == "retinaface":
        assert ratio > 1.15  # forehead to chin, taller than wide, as Rekognition's boxes
    else:
        assert 0.9 < ratio < 1.1  # dlib's square boxes
    assert _faces(servers[name], "_noface/dogs.jpg") == []


def test_serve_rejects_an_unknown_detector(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        cli_main(["serve", "--detector", "yolo", "--in-memory"])
    assert "invalid choice: 'yolo'" in capsys.readouterr().err
