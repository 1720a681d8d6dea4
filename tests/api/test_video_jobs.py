"""Stored-video jobs, run once against a live server and once in-process: idempotent starts, failed videos, S3
versions, SNS->SQS notices, results stored in batches, a collection deleted mid-search."""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence

import pytest

from emulator.engine import Engine
from emulator.ops.video import jobs as video_jobs
from emulator.store import ResultItem
from tests.api.video_support import (
    A_B_A,
    SHORT,
    SIZE,
    put_video,
    seven_hour_video,
    wait_for,
)
from tests.targets import Target, launched
from tests.videos import video_bytes

BUCKET = "clips"
SHORT_VIDEO = {"S3Object": {"Bucket": BUCKET, "Name": "short.mp4"}}


@pytest.fixture(scope="module", params=["server", "inprocess"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> Iterator[Target]:
    """An emulator (live server, or mock_rekognition in mock_aws) with a short clip of one face in S3: the tests
    taking it run once each way."""
    with launched(request.param, engine, data_dir=tmp_path_factory.mktemp("jobs") / "data") as target:
        put_video(target.client("s3"), BUCKET, "short.mp4", SHORT)
        yield target


def test_same_token_same_job_and_other_parameters_refused(live: Target) -> None:
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
def test_unreadable_video_fails_the_job_with_a_status_message(live: Target, body: bytes) -> None:
    rek, s3 = live.client(), live.client("s3")
    s3.put_object(Bucket=BUCKET, Key="bad.mp4", Body=body)
    job_id = rek.start_face_detection(Video={"S3Object": {"Bucket": BUCKET, "Name": "bad.mp4"}})["JobId"]
    answer = wait_for(rek.get_face_detection, job_id)
    assert answer["JobStatus"] == "FAILED" and answer["StatusMessage"] == "Unsupported codec/format."
    assert answer["Faces"] == [] and "VideoMetadata" not in answer


def test_video_longer_than_six_hours_refused_up_front(live: Target) -> None:
    rek, s3 = live.client(), live.client("s3")
    s3.put_object(Bucket=BUCKET, Key="long.mp4", Body=seven_hour_video())
    with pytest.raises(rek.exceptions.VideoTooLargeException) as err:
        rek.start_face_detection(Video={"S3Object": {"Bucket": BUCKET, "Name": "long.mp4"}})
    assert "maximum duration is 6 hours" in err.value.response["Error"]["Message"]
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400


def test_version_of_the_s3_object_is_honoured(live: Target) -> None:
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


def test_completion_published_to_sns_reaches_raw_and_enveloped_sqs_queues(live: Target) -> None:
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
        live: Target, monkeypatch: pytest.MonkeyPatch) -> None:
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
        live: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    """A bug past the analysis (here an item JSON cannot hold) ends the job FAILED with AWS's generic message."""
    rek = live.client()
    monkeypatch.setattr(video_jobs, "detection_items",
                        lambda *args: [ResultItem(0, 0, {"Timestamp": 0, "Face": {"Confidence": {99.0}}})])
    job_id = rek.start_face_detection(Video=SHORT_VIDEO)["JobId"]
    answer = wait_for(rek.get_face_detection, job_id)
    assert answer["JobStatus"] == "FAILED" and answer["StatusMessage"] == "Internal server error"
    assert answer["Faces"] == []


def test_collection_deleted_while_searching_fails_the_job(live: Target, monkeypatch: pytest.MonkeyPatch) -> None:
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
