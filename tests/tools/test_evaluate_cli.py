"""The evaluate command on a small tree of symlinks into the shared photos."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from emulator.engine import Engine
from emulator.tools import evaluate_cli

IDENTITIES = ("angelina_jolie", "jennifer_aniston", "jack_dorsey")


def test_evaluate_with_plot_and_groups(tmp_path: Path, faces_dir: Path, engine: Engine,
                                       capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "faces"
    for identity in IDENTITIES:
        (root / identity).mkdir(parents=True)
        for n in (1, 2, 3):
            (root / identity / f"{n}.jpg").symlink_to(faces_dir / identity / f"{n}.jpg")
    groups = tmp_path / "groups.csv"
    groups.write_text("identity,group\nangelina_jolie,women\njennifer_aniston,women\njack_dorsey,men\n")
    plot = tmp_path / "eval.png"
    code = evaluate_cli.main([str(root), "--plot", str(plot), "--groups", str(groups)], engine=engine)
    out = capsys.readouterr().out
    assert code == 0, out
    assert plot.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    for threshold in ("80", "90", "95", "99"):
        # overall + 2 groups; "men" is one identity: no impostor pairs, so its FMR is n/a rather than 0
        assert len(re.findall(rf"^\s+{threshold}\s+(\d+\.\d+%|n/a)\s+\d+\.\d+%", out, re.M)) == 3
    assert "overall: 9 photos, 3 identities, 9 genuine / 27 impostor pairs" in out
    assert "group men:" in out and "group women:" in out
    assert "rank-1 identification" in out and "verification accuracy at 80" in out


def test_evaluate_rejects_bad_input(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert evaluate_cli.main([str(tmp_path / "missing")]) == 2
    (tmp_path / "g.csv").write_text("name,team\n")
    assert evaluate_cli.main([str(tmp_path), "--groups", str(tmp_path / "g.csv")]) == 2
    assert "identity" in capsys.readouterr().err


@pytest.mark.parametrize("detector", ["hog", "retinaface"])
def test_evaluate_detector_option(detector: str, tmp_path: Path, faces_dir: Path,
                                  capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "faces"
    for identity in IDENTITIES[:2]:
        (root / identity).mkdir(parents=True)
        for n in (1, 2):
            (root / identity / f"{n}.jpg").symlink_to(faces_dir / identity / f"{n}.jpg")
    assert evaluate_cli.main([str(root), "--detector", detector]) == 0
    out = capsys.readouterr().out
    assert out.splitlines()[0] == f"detector: {detector}"
    assert "overall: 4 photos, 2 identities, 2 genuine / 4 impostor pairs" in out


def test_evaluate_rejects_an_unknown_detector(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit):
        evaluate_cli.main(["--detector", "yolo"])
    assert "invalid choice: 'yolo'" in capsys.readouterr().err


def test_evaluate_without_the_mmod_weights_is_a_clear_error(tmp_path: Path, faces_dir: Path,
                                                           monkeypatch: pytest.MonkeyPatch,
                                                           capsys: pytest.CaptureFixture[str]) -> None:
    """--detector mmod with no mmod_human_face_detector.dat installed exits 2 naming the file, no traceback."""
    from emulator.engine import mmod, models

    (tmp_path / "models").mkdir()
    monkeypatch.setattr(models, "models_dir", lambda: tmp_path / "models")
    monkeypatch.setattr(mmod, "_shared", [])
    assert evaluate_cli.main([str(faces_dir), "--detector", "mmod"]) == 2
    assert "mmod_human_face_detector.dat" in capsys.readouterr().err
