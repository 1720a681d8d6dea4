"""Models warm in the background from server start-up; a missing attribute model stops start-up with its name."""

from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from emulator.app import create_app, serve
from emulator.config import Settings
from emulator.engine import models
from emulator.engine.attributes import registry
from tests.photos import identities, photo
from tests.robustness.procserver import ServerProcess

pytestmark = pytest.mark.server_only("serve processes and their start-up, warm-up and signals")


def test_warm_up_creates_the_engine_and_every_estimator() -> None:
    emulator = create_app(Settings(port=0, data_dir=None))
    try:
        assert not emulator.runtime.engine_loaded
        thread = emulator.warm_up()
        thread.join(timeout=300)
        assert not thread.is_alive() and emulator.runtime.engine_loaded
        assert all(entry in registry._built for entry in registry.ENTRIES)
    finally:
        emulator.close()


def _wait_for(path: Path, text: str, timeout: float = 120.0) -> bool:
    """Whether the text shows up in the file before the deadline (polled, the server writes it when done)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if text in path.read_text(errors="replace"):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("warm", [True, False])
def test_serve_warms_models_unless_told_not_to(tmp_path: Path, warm: bool) -> None:
    args = ["--log-level", "INFO"] + ([] if warm else ["--no-warm-up"])
    server = ServerProcess(tmp_path / "data", args)
    server.start()
    try:
        client = server.client()
        image = {"Bytes": photo(identities()["barack_obama"][0])}
        detail = client.detect_faces(Image=image, Attributes=["ALL"])["FaceDetails"][0]
        assert "Gender" in detail
        if warm:
            assert _wait_for(server.log_path, "models warm in")
        else:
            assert "models warm in" not in server.log_path.read_text(errors="replace")
    finally:
        server.terminate()
        server.wait(timeout=60)


def test_missing_attribute_model_stops_start_up(monkeypatch: pytest.MonkeyPatch, tmp_path: Path,
                                               capsys: pytest.CaptureFixture[str]) -> None:
    for name in os.listdir(models.WEIGHTS_DIR):
        if name != "age-v1.onnx":
            (tmp_path / name).symlink_to(models.WEIGHTS_DIR / name)
    monkeypatch.setattr(models, "WEIGHTS_DIR", tmp_path)
    with pytest.raises(models.ModelNotFound, match=r"age-v1\.onnx"):
        create_app(Settings(port=0, data_dir=None))
    assert serve(Settings(port=0, data_dir=None)) == 2
    assert "age-v1.onnx" in capsys.readouterr().err


def test_stopping_while_models_warm_exits_cleanly(tmp_path: Path) -> None:
    """SIGTERM right after `listening on`, while the warm-up is still loading models, is still exit code 0."""
    for run in range(2):
        server = ServerProcess(tmp_path / f"data{run}")
        server.start()
        server.terminate()
        assert server.wait(timeout=120) == 0, server.tail()
        assert "terminate called" not in server.log_path.read_text(errors="replace")
