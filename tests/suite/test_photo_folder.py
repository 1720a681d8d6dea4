"""The face photos have one locator: $FACES_DIR, else ../shared/faces; a missing folder fails loudly, naming both."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.photos import REPO, PhotosMissing, faces_root


def test_faces_dir_wins_when_set(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    (tmp_path / "MANIFEST.csv").write_text("path,identity\n", encoding="utf-8")
    monkeypatch.setenv("FACES_DIR", str(tmp_path))
    assert faces_root() == tmp_path


def test_a_faces_dir_without_photos_fails_naming_both_places(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("FACES_DIR", str(tmp_path / "nowhere"))
    with pytest.raises(PhotosMissing) as missing:
        faces_root()
    assert f"$FACES_DIR={tmp_path / 'nowhere'}" in str(missing.value)
    assert str((REPO.parent / "shared" / "faces").resolve()) in str(missing.value)


def test_without_faces_dir_the_folder_next_to_the_repository_is_used(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("FACES_DIR", raising=False)
    default = (REPO.parent / "shared" / "faces").resolve()
    if (default / "MANIFEST.csv").is_file():
        assert faces_root() == default
    else:
        with pytest.raises(PhotosMissing, match=r"\$FACES_DIR is not set"):
            faces_root()
