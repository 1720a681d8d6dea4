"""scripts/measure_quality: the degradations, the statistics, and a small run end to end with its cache."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from emulator.engine import Engine, decode_image, quality
from emulator.tools import degrade, measure_quality
from emulator.tools.quality_stats import auc, isotonic, threshold_for


def _face_crop(faces_dir: Path) -> np.ndarray:
    image = decode_image((faces_dir / "george_clooney/1.jpg").read_bytes())
    return np.ascontiguousarray(image[150:550, 300:650])


def test_underexposure_is_darker_noisier_and_repeatable(faces_dir: Path) -> None:
    crop = _face_crop(faces_dir)
    base = quality.brightness(crop)
    one, four = (degrade.underexpose(crop, s, np.random.default_rng(1)) for s in (1, 4))
    # Gamma: one stop (half the light) leaves ~73 % of the encoded value, four stops ~30 %, not 6 %.
    assert 0.65 < quality.brightness(one) / base < 0.8 and 0.2 < quality.brightness(four) / base < 0.4
    again = degrade.underexpose(crop, 4, np.random.default_rng(1))
    assert np.array_equal(four, again)
    clean = np.round(degrade.linear_to_srgb(degrade.srgb_to_linear(crop / 255.0) / 16) * 255)
    assert np.abs(four.astype(float) - clean).mean() > 1.0  # sensor noise, not a plain scaling


def test_blurs_and_shrink_keep_the_photo_size(faces_dir: Path) -> None:
    crop = _face_crop(faces_dir)
    for out in (degrade.gaussian_blur(crop, 5), degrade.motion_blur(crop, 20, 0), degrade.shrink(crop, 0.3)):
        assert out.shape == crop.shape and out.dtype == np.uint8
    smeared = degrade.motion_blur(crop, 20, 0).astype(float)
    sharp = crop.astype(float)
    assert np.abs(np.diff(smeared, axis=1)).mean() < 0.5 * np.abs(np.diff(sharp, axis=1)).mean()
    assert abs(smeared.mean() - sharp.mean()) < 2
    assert quality.sharpness(degrade.gaussian_blur(crop, 6)) < quality.sharpness(crop) / 3
    assert degrade.jpeg_round_trip(crop).shape == crop.shape


def test_isotonic_fit_threshold_and_auc() -> None:
    x = np.array([1.0, 2.0, 3.0, 4.0, 5.0, 6.0])
    y = np.array([0.0, 1.0, 0.0, 1.0, 1.0, 1.0])
    xs, fit = isotonic(x, y)
    assert list(xs) == list(x) and list(fit) == [0.0, 0.5, 0.5, 1.0, 1.0, 1.0]
    assert threshold_for(x, y, 0.9) == 3.5 and threshold_for(x, y, 0.4) == 1.5 and threshold_for(x, y, 0.0) == 0.0
    assert auc(x, y > 0.5) == pytest.approx(7 / 8)
    assert auc(np.array([1.0, 1.0]), np.array([True, False])) == 0.5


def test_small_run_reports_and_reuses_its_cache(tmp_path: Path, faces_dir: Path, engine: Engine,
                                                monkeypatch: pytest.MonkeyPatch,
                                                capsys: pytest.CaptureFixture[str]) -> None:
    root = tmp_path / "faces"
    root.mkdir()
    (root / "MANIFEST.csv").symlink_to(faces_dir / "MANIFEST.csv")
    for identity in ("angelina_jolie", "elon_musk"):  # one in each split (a hash of the name)
        (root / identity).mkdir()
        for n in (1, 2):
            (root / identity / f"{n}.jpg").symlink_to(faces_dir / identity / f"{n}.jpg")
    cache = tmp_path / "run.npz"
    args = ["--faces", str(root), "--families", "gauss", "--survey", "-1", "--cache", str(cache)]
    assert measure_quality.main(args, engine=engine) == 0
    out = capsys.readouterr().out
    assert "photos used {'identities': 4}" in out
    steps = [line for line in out.splitlines() if line.startswith("gauss ")]
    assert len(steps) == 10  # the report split's ten steps
    assert "## Thresholds fitted on the tune split" in out and "sharpness (quality.py) <" in out
    # The cached run is reported again without loading an engine.
    monkeypatch.setattr(measure_quality, "Engine", None)
    assert measure_quality.main(args) == 0
    assert capsys.readouterr().out == out
    assert measure_quality.main([*args, "--full-well", "300"]) == 2
    assert measure_quality.main(["--faces", str(tmp_path / "none"), "--survey", "-1"]) == 2
    assert measure_quality.main(["--faces", str(root), "--families", "fog", "--survey", "-1"]) == 2
