"""evaluate's cache, resumption, no-face listing, --gallery-size, attribute audit and --report, on real photos."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import numpy as np
import pytest

from emulator.engine import Engine
from emulator.engine.image import decode_image
from emulator.tools import evaluate_cli
from emulator.tools.audit.cache import DescriptorCache
from emulator.tools.audit.describe import ATTRIBUTES, describe_folder, settings_of
from emulator.tools.audit.photos import collect_photos

PEOPLE = {"angelina_jolie": "female", "katy_perry": "female", "jack_dorsey": "male", "matt_damon": "male"}


def tree(tmp_path: Path, faces_dir: Path) -> Path:
    """Four identities with two photos, one with a single photo, and a folder whose photo has no face."""
    root = tmp_path / "faces"
    for identity in PEOPLE:
        (root / identity).mkdir(parents=True)
        for n in (1, 2):
            (root / identity / f"{n}.jpg").symlink_to(faces_dir / identity / f"{n}.jpg")
    (root / "paul_allen").mkdir()
    (root / "paul_allen" / "1.jpg").symlink_to(faces_dir / "paul_allen" / "1.jpg")
    (root / "nobody").mkdir()
    (root / "nobody" / "dogs.jpg").symlink_to(faces_dir / "_noface" / "dogs.jpg")
    (root / "_skipped").symlink_to(faces_dir / "_noface")  # `_` folders are not identities
    return root


class Counting:
    """An engine stand-in that counts calls to faces() and can stop (like Ctrl-C) after some."""

    def __init__(self, engine: Engine | None, stop_after: int | None = None) -> None:
        self.engine, self.stop_after, self.calls = engine, stop_after, 0
        self.detector, self.descriptor_name, self.min_face = "retinaface", "onnx", 40

    def faces(self, *args: Any, **kwargs: Any) -> Any:
        self.calls += 1
        if self.engine is None or (self.stop_after is not None and self.calls > self.stop_after):
            raise KeyboardInterrupt
        return self.engine.faces(*args, **kwargs)


def test_interrupted_run_resumes_and_a_rerun_needs_no_engine(tmp_path: Path, faces_dir: Path, engine: Engine,
                                                            capsys: pytest.CaptureFixture[str]) -> None:
    root = tree(tmp_path, faces_dir)
    cache_file = tmp_path / "cache.sqlite"
    settings = settings_of(engine.detector, "onnx", engine.min_face, 0.0)
    stopping = Counting(engine, stop_after=3)
    with pytest.raises(KeyboardInterrupt):
        describe_folder(collect_photos(root), root, lambda: stopping, DescriptorCache(cache_file, settings),
                        progress=False)  # type: ignore[arg-type,return-value]
    args = [str(root), "--cache", str(cache_file), "--detector", engine.detector, "--no-progress"]
    resuming = Counting(engine)
    assert evaluate_cli.main(args, engine=resuming) == 0  # type: ignore[arg-type]
    first = capsys.readouterr().out
    assert resuming.calls == 10 - 3  # the three photos described before the interruption came from the cache
    assert "overall: 9 photos, 5 identities, 4 genuine / 32 impostor pairs" in first  # paul_allen: impostor only
    assert "no face found (1 photos, not counted): nobody/dogs.jpg" in first
    assert "photos: 10 found, 9 used, 3 read from the cache" in first
    idle = Counting(None)  # raises if the engine is needed at all
    assert evaluate_cli.main(args + ["--groups", str(groups_csv(tmp_path, labels=False))], engine=idle) == 0  # type: ignore[arg-type]
    again = capsys.readouterr().out
    assert idle.calls == 0
    assert "photos: 10 found, 9 used, 10 read from the cache" in again
    overall = again.split("overall:")[1].split("group female")[0]
    assert overall == first.split("overall:")[1].split("no face found")[0]  # same overall figures from the cache


def groups_csv(tmp_path: Path, labels: bool) -> Path:
    """identity,group[,gender] for the tree's identities (paul_allen left out: overall only)."""
    path = tmp_path / "groups.csv"
    rows = [f"{name},{gender}" + (f",{gender}" if labels else "") for name, gender in PEOPLE.items()]
    path.write_text("identity,group" + (",gender" if labels else "") + "\n" + "\n".join(rows) + "\n")
    return path


def test_report_gallery_size_and_gender_audit(tmp_path: Path, faces_dir: Path, engine: Engine,
                                              capsys: pytest.CaptureFixture[str]) -> None:
    root = tree(tmp_path, faces_dir)
    report = tmp_path / "report"
    code = evaluate_cli.main([str(root), "--groups", str(groups_csv(tmp_path, labels=True)), "--gallery-size",
                              "25000", "--report", str(report), "--no-progress", "--detector", engine.detector],
                             engine=engine)
    out = capsys.readouterr().out
    assert code == 0, out
    page = (report / "report.html").read_text()
    assert "data:image/png;base64," in page and not re.search(r"(src|href)=['\"]?(https?:)?//", page)
    data = json.loads((report / "report.json").read_text())
    pops = data["figures"]["populations"]
    assert list(pops) == ["overall", "female", "male"]
    for name, pop in pops.items():
        assert data["strangers"][name] == [None if f is None else 25000 * f for f in pop["fmr"]]
    assert "strangers a search returns in a 25000-face collection" in out
    assert data["ungrouped"] == ["paul_allen"]
    truth = {f"{name}/{n}.jpg": gender for name, gender in PEOPLE.items() for n in (1, 2)}
    guesses = {}
    for rel in truth:
        face = engine.faces(decode_image((root / rel).read_bytes()), largest_only=True, attributes=ATTRIBUTES)[0]
        assert face.attributes is not None and face.attributes.gender is not None
        guesses[rel] = face.attributes.gender.value
    for group in ("female", "male"):
        mine = [rel for rel, gender in truth.items() if gender == group]
        right = np.mean([guesses[rel] == group.capitalize() for rel in mine])
        audit = data["attributes"][group]
        assert audit["gender_labelled"] == len(mine) and audit["gender_accuracy"] == pytest.approx(right)
    assert "Gender accuracy" in out


def test_bad_labels_are_a_clear_error(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "g.csv").write_text("identity,group,gender\nalice,a,robot\n")
    assert evaluate_cli.main([str(tmp_path), "--groups", str(tmp_path / "g.csv")]) == 2
    assert "gender 'robot'" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        evaluate_cli.main([str(tmp_path), "--gallery-size", "0"])
