"""Stored-video job pools of a live server: two workers at once, the job limit, shutdown, reset, restart, the
--video-workers option; and the pool of a bare mock_rekognition. (Kept apart from test_video_jobs.py, whose
module emulator may be an active mock_aws, which would take these servers' calls.)"""

from __future__ import annotations

import argparse
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import boto3
import pytest
from moto import mock_aws

from emulator import cli
from emulator.app import build_runtime
from emulator.config import VIDEO_DIR, Settings
from emulator.engine import Engine
from emulator.ops.video import jobs as video_jobs
from emulator.store import ResultItem
from emulator.testing import mock_rekognition
from tests.api.video_support import (
    A_B_A,
    A_INDEXED,
    DEADLINE_S,
    SHORT,
    SIZE,
    put_video,
    wait_for,
)
from tests.photos import photo
from tests.support import start_live_server
from tests.videos import video_bytes

BUCKET = "clips"
SHORT_VIDEO = {"S3Object": {"Bucket": BUCKET, "Name": "short.mp4"}}


def test_two_workers_run_two_searches_at_once_with_the_same_results(tmp_path: Path, engine: Engine,
                                                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """--video-workers 2: two jobs analyse at the same time (each waits for the other's first batch), sharing the
    engine and the collection's index, and find the same persons with the same matches."""
    server = start_live_server(Settings(port=0, data_dir=tmp_path / "data", video_workers=2), engine)
    try:
        rek, s3 = server.client(), server.client("s3")
        put_video(s3, BUCKET, "a-b-a.mp4", A_B_A)
        rek.create_collection(CollectionId="both")
        indexed = rek.index_faces(CollectionId="both", Image={"Bytes": photo(A_INDEXED)})
        face_id = indexed["FaceRecords"][0]["Face"]["FaceId"]
        monkeypatch.setattr(video_jobs, "RESULT_BATCH", 2)
        store = server.emulator.runtime.store.video_jobs
        add_results, together = store.add_results, threading.Barrier(2, timeout=DEADLINE_S / 2)

        def meet(job_id: str, first: int, items: Sequence[ResultItem]) -> bool:
            """Hold each job's first batch until the other job has one too (one worker would never get there)."""
            if first == 0:
                together.wait()
            return add_results(job_id, first, items)

        monkeypatch.setattr(store, "add_results", meet)
        video = {"S3Object": {"Bucket": BUCKET, "Name": "a-b-a.mp4"}}
        ids = [rek.start_face_search(Video=video, CollectionId="both")["JobId"] for _ in range(2)]
        answers = [wait_for(rek.get_face_search, job_id) for job_id in ids]
        assert [a["JobStatus"] for a in answers] == ["SUCCEEDED", "SUCCEEDED"]
        assert answers[0]["Persons"] == answers[1]["Persons"] and answers[0]["Persons"]
        matched = {p["Person"]["Index"] for p in answers[0]["Persons"] if p.get("FaceMatches")}
        assert len(matched) == 1 and all(m["Face"]["FaceId"] == face_id for p in answers[0]["Persons"]
                                         for m in p.get("FaceMatches", []))
    finally:
        server.stop()


def test_job_limit_shutdown_cancel_and_reset(tmp_path: Path, engine: Engine, monkeypatch: pytest.MonkeyPatch) -> None:
    server = start_live_server(Settings(port=0, data_dir=tmp_path / "data"), engine)
    try:
        assert server.emulator.runtime.video is not None
        server.emulator.runtime.video.close()  # no worker: jobs stay IN_PROGRESS
        put_video(server.client("s3"), BUCKET, "short.mp4", SHORT)
        rek = server.client()
        ids = {rek.start_face_detection(Video=SHORT_VIDEO)["JobId"] for _ in range(20)}
        assert len(ids) == 20
        with pytest.raises(rek.exceptions.LimitExceededException):
            rek.start_face_detection(Video=SHORT_VIDEO)
        store = server.emulator.runtime.store.video_jobs
        with monkeypatch.context() as stale:  # a concurrent Start counted before the 20th job was stored
            stale.setattr(store, "running_count", lambda account: 19)
            with pytest.raises(rek.exceptions.LimitExceededException):
                rek.start_face_detection(Video=SHORT_VIDEO, ClientRequestToken="late")
        assert store.running_count("123456789012") == 20
        assert not [p for p in (tmp_path / "data" / VIDEO_DIR).iterdir() if p.name not in ids]  # its copy is gone
        job_id = ids.pop()
        server.emulator.runtime.video.run(job_id)  # a shutdown cancels the analysis: the job waits for a restart
        assert rek.get_face_detection(JobId=job_id)["JobStatus"] == "IN_PROGRESS"
        assert (tmp_path / "data" / VIDEO_DIR / job_id).exists()
        server.emulator.reset()  # forgets every job and its video
        with pytest.raises(rek.exceptions.ResourceNotFoundException):
            rek.get_face_detection(JobId=job_id)
        assert not any((tmp_path / "data" / VIDEO_DIR).iterdir())
        assert rek.start_face_detection(Video=SHORT_VIDEO)["JobId"]
    finally:
        server.stop()


def test_restart_keeps_finished_results_resumes_unfinished_and_fails_lost_videos(tmp_path: Path,
                                                                                engine: Engine) -> None:
    settings = Settings(port=0, data_dir=tmp_path / "data")
    first = start_live_server(settings, engine)
    try:
        put_video(first.client("s3"), BUCKET, "short.mp4", SHORT)
        rek = first.client()
        done = rek.start_face_detection(Video=SHORT_VIDEO)["JobId"]
        finished = wait_for(rek.get_face_detection, done)
        assert first.emulator.runtime.video is not None
        first.emulator.runtime.video.close()  # the next jobs are still queued when the server stops
        resumed = rek.start_face_detection(Video=SHORT_VIDEO)["JobId"]
        lost = rek.start_face_detection(Video=SHORT_VIDEO)["JobId"]
        # as a run that a shutdown interrupted leaves them: some results stored, the job still IN_PROGRESS
        assert first.emulator.runtime.store.video_jobs.add_results(resumed, 0, [ResultItem(0, 0, {"Timestamp": 0})])
    finally:
        first.stop()
    (settings.data_dir / VIDEO_DIR / lost).unlink()  # type: ignore[operator]
    second = start_live_server(settings, engine)
    try:
        rek = second.client()
        assert _body(rek.get_face_detection(JobId=done)) == _body(finished)
        answer = wait_for(rek.get_face_detection, resumed)
        assert answer["JobStatus"] == "SUCCEEDED" and answer["Faces"]
        assert [f["Timestamp"] for f in answer["Faces"]] == [f["Timestamp"] for f in finished["Faces"]]
        failed = wait_for(rek.get_face_detection, lost)
        assert failed["JobStatus"] == "FAILED" and "no longer available" in failed["StatusMessage"]
        assert not any((settings.data_dir / VIDEO_DIR).iterdir())  # type: ignore[operator]
    finally:
        second.stop()


def _body(answer: dict[str, Any]) -> dict[str, Any]:
    """An answer without its ResponseMetadata."""
    return {k: v for k, v in answer.items() if k != "ResponseMetadata"}


def test_in_process_mock_runs_jobs(engine: Engine) -> None:
    with mock_rekognition(engine=engine), mock_aws():
        s3 = boto3.client("s3", region_name="us-east-1")
        s3.create_bucket(Bucket=BUCKET)
        s3.put_object(Bucket=BUCKET, Key="short.mp4", Body=video_bytes(SHORT, SIZE))
        rek = boto3.client("rekognition", region_name="us-east-1")
        job_id = rek.start_face_detection(Video=SHORT_VIDEO)["JobId"]
        answer = wait_for(rek.get_face_detection, job_id)
        assert answer["JobStatus"] == "SUCCEEDED" and answer["Faces"]


def test_video_workers_option_sizes_the_pool(engine: Engine) -> None:
    parser = argparse.ArgumentParser()
    cli._serve_parser(parser.add_subparsers(dest="command"))
    assert parser.parse_args(["serve"]).video_workers == 1
    assert parser.parse_args(["serve", "--video-workers", "3"]).video_workers == 3
    with pytest.raises(SystemExit):
        parser.parse_args(["serve", "--video-workers", "0"])
    runtime = build_runtime(Settings(port=0, data_dir=None, video_workers=3), engine)
    try:
        names = {t.name for t in threading.enumerate() if t.name.startswith("video-job-")}
        assert {"video-job-0", "video-job-1", "video-job-2"} <= names
    finally:
        runtime.close()
    assert not any(t.name == "video-job-2" and t.is_alive() for t in threading.enumerate())
