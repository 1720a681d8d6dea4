"""evaluate_folder / format_report on the shared photos (one identity subset, to stay fast)."""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np

from emulator.engine import Engine
from emulator.engine.evaluate import compute_rates, evaluate_folder, format_report


def test_compute_rates_on_synthetic_vectors() -> None:
    rng = np.random.default_rng(0)
    centres = rng.normal(size=(3, 128))
    centres = centres / np.linalg.norm(centres, axis=1, keepdims=True)  # far apart (distance ~1.4)
    vectors = np.concatenate([c + rng.normal(scale=0.01, size=(4, 128)) for c in centres])
    labels = [name for name in "abc" for _ in range(4)]
    r = compute_rates(labels, vectors)
    assert (r.photos, r.identities, r.genuine_pairs, r.impostor_pairs) == (12, 3, 18, 48)
    assert r.false_match_rate[80.0] == 0.0 and r.false_non_match_rate[80.0] == 0.0
    assert r.verification_accuracy == 1.0 and r.rank1_identification == 1.0 and r.rank1_queries == 12


def test_evaluate_folder_subset(tmp_path: Path, faces_dir: Path, engine: Engine) -> None:
    # Symlinks keep the photos where they are; two small identities + a skipped folder.
    for name in ("kit_harington", "barack_obama", "_noface"):
        os.symlink(faces_dir / name, tmp_path / name)
    report = evaluate_folder(tmp_path, engine, groups={"kit_harington": "g1", "barack_obama": "g2"})
    r = report.overall
    assert (r.photos, r.identities, r.genuine_pairs, r.impostor_pairs) == (7, 2, 9, 12)
    assert r.false_match_rate[80.0] == 0.0
    assert r.rank1_identification == 1.0
    assert set(report.groups) == {"g1", "g2"} and report.groups["g1"].impostor_pairs == 0
    text = format_report(report)
    assert "overall" in text and "group g1" in text and "rank-1" in text and "dlib" in text
