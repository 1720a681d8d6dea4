"""Stored-video jobs: idempotent starts, failed videos, SNS->SQS notices, the job limit, restarts, in-process use."""

from __future__ import annotations

import argparse
import json
import threading
from collections.abc import Iterator, Sequence
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
    seven_hour_video,
    wait_for,
)
from tests.photos import photo
from tests.support import LiveServer, start_live_server
from tests.videos import video_bytes

BUCKET = "clips"
SHORT_VIDEO = {"S3Object": {"Bucket": BUCKET, "Name": "short.mp4"}}


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> Iterator[LiveServer]:
    """A server with a short clip of one face in S3."""
    server = start_live_server(Settings(port=0, data_dir=tmp_path_factory.mktemp("jobs") / "data"), engine)
    put_video(server.client("s3"), BUCKET, "short.mp4", SHORT)
    yield server
    server.stop()


def test_same_token_same_job_and_other_parameters_refused(live: LiveServer) -> None:
    rek = live.client()
    first = rek.start_face_detection(Video=SHORT_VIDEO, ClientRequestToken="clip-1", JobTag="t")["JobId"]
    assert len(first) == 64 and all(c in "0123456789abcdef" for c in first)
    assert rek.start_face_detection(Video=SHORT_VIDEO, ClientRequestToken="clip-1", JobTag="t")["JobId"] == first
    with pytest.raises(rek.exceptions.IdempotentParameterMismatchException) as err:
        rek.start_face_detection(Video=SHORT_VIDEO, ClientRequestToken="clip-1", JobTag="other")
    assert "clip-1" in err.value.response["Error"]["Message"]
    other = rek.start_face_detection(Video=SHORT_VIDEO, JobTag="t")["JobId"]
    assert other != first
    assert wait_for(rek.get_face_detection, first)["JobStatus"] == "SUCCEEDED"
    assert rek.start_face_detection(Video=SHORT_VIDEO, ClientRequestToken="clip-1", JobTag="t")["JobId"] == first
    assert wait_for(rek.get_face_detection, other)["JobStatus"] == "SUCCEEDED"


@pytest.mark.parametrize("body", [b"this is not a video" * 64, video_bytes(SHORT, SIZE)[:3000],
                                  video_bytes(SHORT, SIZE, codec="mpeg4")], ids=["text", "truncated", "mpeg4"])
def test_unreadable_video_fails_the_job_with_a_status_message(live: LiveServer, body: bytes) -> None:
    rek, s3 = live.client(), live.client("s3")
    s3.put_object(Bucket=BUCKET, Key="bad.mp4", Body=body)
    job_id = rek.start_face_detection(Video={"S3Object": {"Bucket": BUCKET, "Name": "bad.mp4"}})["JobId"]
    answer = wait_for(rek.get_face_detection, job_id)
    assert answer["JobStatus"] == "FAILED" and answer["StatusMessage"] == "Unsupported codec/format."
    assert answer["Faces"] == [] and "VideoMetadata" not in answer


def test_video_longer_than_six_hours_refused_up_front(live: LiveServer) -> None:
    rek, s3 = live.client(), live.client("s3")
    s3.put_object(Bucket=BUCKET, Key="long.mp4", Body=seven_hour_video())
    with pytest.raises(rek.exceptions.VideoTooLargeException) as err:
        rek.start_face_detection(Video={"S3Object": {"Bucket": BUCKET, "Name": "long.mp4"}})
    assert "maximum duration is 6 hours" in err.value.response["Error"]["Message"]
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_version_of_the_s3_object_is_honoured(live: LiveServer) -> None:
    rek, s3 = live.client(), live.client("s3")
    s3.create_bucket(Bucket="versioned-clips")
    s3.put_bucket_versioning(Bucket="versioned-clips", VersioningConfiguration={"Status": "Enabled"})
    good = s3.put_object(Bucket="versioned-clips", Key="clip.mp4", Body=video_bytes(SHORT, SIZE))["VersionId"]
    s3.put_object(Bucket="versioned-clips", Key="clip.mp4", Body=b"overwritten")
    video = {"S3Object": {"Bucket": "versioned-clips", "Name": "clip.mp4"}}
    old = rek.start_face_detection(Video={"S3Object": {**video["S3Object"], "Version": good}})["JobId"]
    latest = rek.start_face_detection(Video=video)["JobId"]
    assert wait_for(rek.get_face_detection, old)["JobStatus"] == "SUCCEEDED"
    assert wait_for(rek.get_face_detection, latest)["JobStatus"] == "FAILED"


def test_completion_published_to_sns_reaches_raw_and_enveloped_sqs_queues(live: LiveServer) -> None:
    rek, sns, sqs = live.client(), live.client("sns"), live.client("sqs")
    topic = sns.create_topic(Name="AmazonRekognitionVideo")["TopicArn"]
    queues = {}
    for raw in (False, True):
        url = sqs.create_queue(QueueName=f"video-status-{'raw' if raw else 'sns'}")["QueueUrl"]
        arn = sqs.get_queue_attributes(QueueUrl=url, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
        sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=arn,
                      Attributes={"RawMessageDelivery": "true"} if raw else {})
        queues[raw] = url
    channel = {"SNSTopicArn": topic, "RoleArn": "arn:aws:iam::123456789012:role/RekognitionSNS"}
    job_id = rek.start_face_detection(Video=SHORT_VIDEO, NotificationChannel=channel, JobTag="with-notice")["JobId"]
    assert wait_for(rek.get_face_detection, job_id)["JobStatus"] == "SUCCEEDED"
    enveloped = sqs.receive_message(QueueUrl=queues[False], WaitTimeSeconds=5)["Messages"]
    raw = sqs.receive_message(QueueUrl=queues[True], WaitTimeSeconds=5)["Messages"]
    envelope = json.loads(enveloped[0]["Body"])
    assert envelope["TopicArn"] == topic and envelope["Type"] == "Notification"
    notice = json.loads(envelope["Message"])  # AWS's video example reads the status this way
    assert json.loads(raw[0]["Body"]) == notice
    assert notice["JobId"] == job_id and notice["Status"] == "SUCCEEDED" and notice["API"] == "FACE_DETECTION"
    assert notice["JobTag"] == "with-notice" and notice["Video"] == {"S3ObjectName": "short.mp4", "S3Bucket": BUCKET}
    assert isinstance(notice["Timestamp"], int) and notice["Timestamp"] > 1_500_000_000_000  # ms since the epoch


def test_results_are_stored_a_batch_at_a_time_and_shown_once_the_job_succeeded(
        live: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A long video's results never pile up in memory: they reach the store in batches while the job runs."""
    rek, s3 = live.client(), live.client("s3")
    s3.put_object(Bucket=BUCKET, Key="a-b-a.mp4", Body=video_bytes(A_B_A, SIZE))
    monkeypatch.setattr(video_jobs, "RESULT_BATCH", 4)
    store = live.emulator.runtime.store.video_jobs
    batches: list[tuple[int, int, str, int]] = []
    add_results = store.add_results

    def spy(job_id: str, first: int, items: Sequence[ResultItem]) -> bool:
        """Record each batch and what a client sees of the job meanwhile."""
        seen = rek.get_face_detection(JobId=job_id)
        batches.append((first, len(items), seen["JobStatus"], len(seen["Faces"])))
        return add_results(job_id, first, items)

    monkeypatch.setattr(store, "add_results", spy)
    job_id = rek.start_face_detection(Video={"S3Object": {"Bucket": BUCKET, "Name": "a-b-a.mp4"}})["JobId"]
    answer = wait_for(rek.get_face_detection, job_id)
    assert answer["JobStatus"] == "SUCCEEDED"
    faces = answer["Faces"]
    assert len(faces) >= 15 and len(batches) == -(-len(faces) // 4)  # 3.6 s at 5 frames a second, one face each
    assert [first for first, *_ in batches] == list(range(0, len(faces), 4))
    assert all(size <= 4 for _, size, *_ in batches)
    assert {(status, shown) for *_, status, shown in batches} == {("IN_PROGRESS", 0)}  # nothing shown early
    assert [f["Timestamp"] for f in faces] == sorted(f["Timestamp"] for f in faces)


def test_a_result_the_store_refuses_fails_the_job_instead_of_leaving_it_in_progress(
        live: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug past the analysis (here an item JSON cannot hold) ends the job FAILED with AWS's generic message."""
    rek = live.client()
    monkeypatch.setattr(video_jobs, "detection_items",
                        lambda *args: [ResultItem(0, 0, {"Timestamp": 0, "Face": {"Confidence": {99.0}}})])
    job_id = rek.start_face_detection(Video=SHORT_VIDEO)["JobId"]
    answer = wait_for(rek.get_face_detection, job_id)
    assert answer["JobStatus"] == "FAILED" and answer["StatusMessage"] == "Internal server error"
    assert answer["Faces"] == []


def test_collection_deleted_while_searching_fails_the_job(live: LiveServer, monkeypatch: pytest.MonkeyPatch) -> None:
    """A collection deleted (and made again) while its search runs: the job FAILS with the collection's message."""
    rek, s3 = live.client(), live.client("s3")
    s3.put_object(Bucket=BUCKET, Key="a-b-a.mp4", Body=video_bytes(A_B_A, SIZE))
    rek.create_collection(CollectionId="gone-soon")
    monkeypatch.setattr(video_jobs, "RESULT_BATCH", 4)
    store = live.emulator.runtime.store.video_jobs
    add_results = store.add_results

    def recreate_first(job_id: str, first: int, items: Sequence[ResultItem]) -> bool:
        """Delete the collection and make one of the same name while the first batch is stored."""
        if first == 0:
            rek.delete_collection(CollectionId="gone-soon")
            rek.create_collection(CollectionId="gone-soon")
        return add_results(job_id, first, items)

    monkeypatch.setattr(store, "add_results", recreate_first)
    job_id = rek.start_face_search(Video={"S3Object": {"Bucket": BUCKET, "Name": "a-b-a.mp4"}},
                                   CollectionId="gone-soon")["JobId"]
    answer = wait_for(rek.get_face_search, job_id)
    assert answer["JobStatus"] == "FAILED" and answer["Persons"] == []
    assert answer["StatusMessage"] == "The collection id: gone-soon does not exist"


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
