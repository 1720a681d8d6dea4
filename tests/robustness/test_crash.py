"""Crash safety, short run: SIGKILL a `serve` child twice mid-workload; acknowledged writes and deletes survive."""

from __future__ import annotations

from pathlib import Path

from tests.robustness.crashrun import run


def test_acknowledged_writes_survive_sigkill(tmp_path: Path, faces_dir: Path) -> None:
    del faces_dir  # the fixture checks the photos are there
    report = run(kills=2, workdir=tmp_path, seed=3, max_delay=1.5)
    assert report.failures == []
    assert report.survived == report.kills == 2
    assert report.acked_writes > 0 and report.faces_checked > 0 and report.searches_checked > 0
