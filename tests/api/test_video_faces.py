"""Stored video through the live server: faces detected and searched at the right timestamps, pages, sorting, policy."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from emulator.engine import Engine
from tests.api.video_support import (
    A_B_A,
    A_INDEXED,
    SEGMENT_S,
    SHORT,
    SIZE,
    all_pages,
    in_window,
    put_video,
    wait_for,
)
from tests.photos import photo
from tests.targets import Target, launched
from tests.videos import video_bytes

ACCOUNTS = """
[[account]]
id = "123456789012"
access_key_id = "testing"
secret_access_key = "testing"

[[account]]
id = "111111111111"
access_key_id = "AKIAPOLICE0000000001"
secret_access_key = "police-secret"
tags = { sector = "police" }

[[account]]
id = "222222222222"
access_key_id = "AKIAACME000000000001"
secret_access_key = "acme-secret"
tags = { sector = "retail" }
"""
BUCKET = "videos"
#: Obama on the left half of the photo, Biden on the right (shared faces MANIFEST).
TWO_PEOPLE = "_multi/two_people_biden_obama.jpg"
VIDEO = {"S3Object": {"Bucket": BUCKET, "Name": "a-b-a.mp4"}}


@pytest.fixture(scope="module", params=["server", "inprocess"])
def live(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> Iterator[Target]:
    """An emulator (live server, or mock_rekognition in mock_aws) inside the 2020 moratorium with a police
    account, and the A-B-A video in S3: the module runs once each way."""
    tmp = tmp_path_factory.mktemp("video")
    (tmp / "accounts.toml").write_text(ACCOUNTS)
    with launched(request.param, engine, data_dir=tmp / "data", accounts_file=tmp / "accounts.toml",
                  now="2020-07-01T12:00:00Z") as target:
        s3 = target.client("s3")
        put_video(s3, BUCKET, "a-b-a.mp4", A_B_A)
        put_video(s3, BUCKET, "short.mov", SHORT, container="mov")
        yield target


@pytest.fixture(scope="module")
def rek(live: Target) -> Any:
    """The default account's Rekognition client."""
    return live.client()


@pytest.fixture(scope="module")
def searched(rek: Any) -> tuple[str, str, dict[str, Any]]:
    """(JobId, A's FaceId, the first GetFaceSearch answer) of a search of the A-B-A video for A."""
    rek.create_collection(CollectionId="suspects")
    face_id = rek.index_faces(CollectionId="suspects", Image={"Bytes": photo(A_INDEXED)},
                              ExternalImageId="a")["FaceRecords"][0]["Face"]["FaceId"]
    job_id = rek.start_face_search(Video=VIDEO, CollectionId="suspects", JobTag="search-a")["JobId"]
    return job_id, face_id, wait_for(rek.get_face_search, job_id)


@pytest.fixture(scope="module")
def detected(rek: Any) -> tuple[str, dict[str, Any]]:
    """(JobId, the first GetFaceDetection answer) of a DEFAULT face detection of the A-B-A video."""
    job_id = rek.start_face_detection(Video=VIDEO)["JobId"]
    return job_id, wait_for(rek.get_face_detection, job_id)


def test_search_matches_a_only_at_a_timestamps_with_stable_indices(searched: tuple[str, str, dict[str, Any]]) -> None:
    job_id, face_id, answer = searched
    assert answer["JobStatus"] == "SUCCEEDED" and "StatusMessage" not in answer
    assert answer["JobId"] == job_id and answer["JobTag"] == "search-a" and answer["Video"] == VIDEO
    meta = answer["VideoMetadata"]
    assert (meta["Codec"], meta["FrameWidth"], meta["FrameHeight"]) == ("h264", *SIZE)
    assert abs(meta["DurationMillis"] - 3 * SEGMENT_S * 1000) <= 100 and meta["ColorRange"] in {"FULL", "LIMITED"}
    persons = answer["Persons"]
    assert persons == sorted(persons, key=lambda p: p["Timestamp"])
    first = [p for p in persons if in_window(p["Timestamp"], 0, SEGMENT_S)]
    middle = [p for p in persons if in_window(p["Timestamp"], SEGMENT_S, 2 * SEGMENT_S)]
    last = [p for p in persons if in_window(p["Timestamp"], 2 * SEGMENT_S, 3 * SEGMENT_S)]
    assert len(first) >= 3 and len(middle) >= 3 and len(last) >= 3  # several frames a second
    for person in first + last:
        assert [m["Face"]["FaceId"] for m in person["FaceMatches"]] == [face_id]
        assert person["FaceMatches"][0]["Similarity"] >= 80
        assert person["FaceMatches"][0]["Face"]["ExternalImageId"] == "a"
    assert all("FaceMatches" not in p for p in middle)  # AWS leaves it out of a person matching no one
    a_index = {p["Person"]["Index"] for p in first + last}
    b_index = {p["Person"]["Index"] for p in middle}
    assert len(a_index) == 1 and len(b_index) == 1 and a_index != b_index
    box = first[0]["Person"]["BoundingBox"]
    assert 0 < box["Width"] < 1 and 0 < box["Height"] < 1 and box == first[0]["Person"]["Face"]["BoundingBox"]
    assert {"Confidence", "Landmarks", "Pose", "Quality"} <= set(first[0]["Person"]["Face"])
    assert "AgeRange" not in first[0]["Person"]["Face"]  # GetFaceSearch returns the default attributes only


def test_search_sorted_by_index_and_paginated(rek: Any, searched: tuple[str, str, dict[str, Any]]) -> None:
    job_id, _, answer = searched
    by_index = all_pages(rek.get_face_search, job_id, "Persons", SortBy="INDEX", MaxResults=4)
    assert by_index == sorted(answer["Persons"], key=lambda p: (p["Person"]["Index"], p["Timestamp"]))
    by_time = all_pages(rek.get_face_search, job_id, "Persons", MaxResults=5)
    assert by_time == answer["Persons"]
    page = rek.get_face_search(JobId=job_id, MaxResults=2, SortBy="INDEX")
    assert len(page["Persons"]) == 2 and page["VideoMetadata"] == answer["VideoMetadata"]
    with pytest.raises(rek.exceptions.InvalidPaginationTokenException):  # a token belongs to its sort order
        rek.get_face_search(JobId=job_id, NextToken=page["NextToken"], SortBy="TIMESTAMP")


def test_detection_finds_a_face_in_every_sampled_frame(rek: Any, detected: tuple[str, dict[str, Any]]) -> None:
    job_id, answer = detected
    assert answer["JobStatus"] == "SUCCEEDED" and answer["JobId"] == job_id and "JobTag" not in answer
    faces = answer["Faces"]
    stamps = [f["Timestamp"] for f in faces]
    assert stamps == list(range(0, round(3 * SEGMENT_S * 1000), 200))  # one face in each frame sampled at 5/s
    detail = faces[0]["Face"]
    assert {"BoundingBox", "Confidence", "Landmarks", "Pose", "Quality"} <= set(detail)
    assert len(detail["Landmarks"]) == 5 and "AgeRange" not in detail and "Emotions" not in detail
    assert all(0 < f["Face"]["BoundingBox"]["Left"] < 1 for f in faces)
    paged = all_pages(rek.get_face_detection, job_id, "Faces", MaxResults=7)
    assert paged == faces
    assert len(rek.get_face_detection(JobId=job_id, MaxResults=5000)["Faces"]) == len(faces)  # capped at 1000


def test_search_tells_two_people_in_the_same_frames_apart(live: Target, rek: Any,
                                                          searched: tuple[str, str, Any]) -> None:
    """Obama (indexed from another photo) beside Biden: two persons in every sampled frame, each keeping its
    Index, and only Obama's (the left one, as in the photo) carrying FaceMatches, with his FaceId."""
    live.client("s3").put_object(Bucket=BUCKET, Key="two.mp4", Body=video_bytes(((TWO_PEOPLE, 1.0),), (640, 480)))
    job_id = rek.start_face_search(Video={"S3Object": {"Bucket": BUCKET, "Name": "two.mp4"}},
                                   CollectionId="suspects")["JobId"]
    persons = wait_for(rek.get_face_search, job_id)["Persons"]
    assert sorted({p["Timestamp"] for p in persons}) == [0, 200, 400, 600, 800]
    matched: set[int] = set()
    unmatched: set[int] = set()
    for ms in (0, 200, 400, 600, 800):
        frame = [p for p in persons if p["Timestamp"] == ms]
        assert len(frame) == 2 and len({p["Person"]["Index"] for p in frame}) == 2
        obama = [p for p in frame if "FaceMatches" in p]
        assert len(obama) == 1 and [m["Face"]["FaceId"] for m in obama[0]["FaceMatches"]] == [searched[1]]
        box = obama[0]["Person"]["BoundingBox"]
        assert box["Left"] + box["Width"] / 2 < 0.5
        matched.add(obama[0]["Person"]["Index"])
        unmatched |= {p["Person"]["Index"] for p in frame if p is not obama[0]}
    assert len(matched) == 1 and len(unmatched) == 1 and matched != unmatched


def test_detection_with_all_attributes(rek: Any) -> None:
    job_id = rek.start_face_detection(Video={"S3Object": {"Bucket": BUCKET, "Name": "short.mov"}},
                                      FaceAttributes="ALL")["JobId"]
    answer = wait_for(rek.get_face_detection, job_id)
    assert answer["JobStatus"] == "SUCCEEDED" and answer["VideoMetadata"]["Codec"] == "h264"
    detail = answer["Faces"][0]["Face"]
    assert {"AgeRange", "Gender", "Emotions", "Smile", "EyesOpen"} <= set(detail)
    assert len(detail["Landmarks"]) > 5
    assert "FaceOccluded" not in detail and "EyeDirection" not in detail  # always null for GetFaceDetection


def test_search_threshold_and_a_face_with_no_match(rek: Any, searched: tuple[str, str, Any]) -> None:
    job_id = rek.start_face_search(Video={"S3Object": {"Bucket": BUCKET, "Name": "short.mov"}},
                                   CollectionId="suspects", FaceMatchThreshold=100)["JobId"]
    answer = wait_for(rek.get_face_search, job_id)
    assert answer["JobStatus"] == "SUCCEEDED" and "JobTag" not in answer
    assert answer["Persons"] and all("FaceMatches" not in p for p in answer["Persons"])
    strict = searched[2]["Persons"][0]["FaceMatches"][0]["Similarity"]
    assert strict < 100


def test_police_denied_face_search_but_not_detection(live: Target, searched: tuple[str, str, Any]) -> None:
    police = live.client(key="AKIAPOLICE0000000001", secret="police-secret")
    s3 = live.client("s3", key="AKIAPOLICE0000000001", secret="police-secret")
    put_video(s3, "police-videos", "short.mov", SHORT, container="mov")
    police.create_collection(CollectionId="cases")
    video = {"S3Object": {"Bucket": "police-videos", "Name": "short.mov"}}
    with pytest.raises(police.exceptions.AccessDeniedException):
        police.start_face_search(Video=video, CollectionId="cases")
    with pytest.raises(police.exceptions.AccessDeniedException):
        police.get_face_search(JobId=searched[0])
    job_id = police.start_face_detection(Video=video)["JobId"]
    assert wait_for(police.get_face_detection, job_id)["JobStatus"] == "SUCCEEDED"
    entries = live.emulator.audit.entries()
    decisions = {(e["operation"], e["decision"]) for e in entries if e["account"] == "111111111111"}
    assert {("StartFaceSearch", "deny"), ("GetFaceSearch", "deny")} <= decisions
    # other accounts' searches are audited too (allowed), and detection, which the moratorium leaves out, is not
    allowed = {(e["operation"], e["decision"]) for e in entries if e["account"] == "123456789012"}
    assert {("StartFaceSearch", "allow"), ("GetFaceSearch", "allow")} <= allowed
    assert not {e["operation"] for e in entries} & {"StartFaceDetection", "GetFaceDetection"}


def test_jobs_are_private_to_their_account(live: Target, detected: tuple[str, Any]) -> None:
    other = live.client(key="AKIAACME000000000001", secret="acme-secret")
    with pytest.raises(other.exceptions.ResourceNotFoundException):
        other.get_face_detection(JobId=detected[0])
    with pytest.raises(other.exceptions.InvalidS3ObjectException):  # another account's bucket
        other.start_face_detection(Video=VIDEO)


def test_unknown_job_ids(rek: Any, detected: tuple[str, Any]) -> None:
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.get_face_detection(JobId="0" * 64)
    with pytest.raises(rek.exceptions.ResourceNotFoundException):  # a detection job is not a search job
        rek.get_face_search(JobId=detected[0])


def test_a_next_token_belongs_to_its_job(rek: Any, detected: tuple[str, Any]) -> None:
    job_id = detected[0]
    other = rek.start_face_detection(Video=VIDEO)["JobId"]
    assert wait_for(rek.get_face_detection, other)["JobStatus"] == "SUCCEEDED"
    token = rek.get_face_detection(JobId=job_id, MaxResults=3)["NextToken"]
    with pytest.raises(rek.exceptions.InvalidPaginationTokenException) as err:
        rek.get_face_detection(JobId=other, NextToken=token)
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    assert [f["Timestamp"] for f in rek.get_face_detection(JobId=job_id, NextToken=token, MaxResults=2)["Faces"]] \
        == [f["Timestamp"] for f in detected[1]["Faces"][3:5]]


def test_start_refusals(rek: Any) -> None:
    with pytest.raises(rek.exceptions.InvalidS3ObjectException):
        rek.start_face_detection(Video={"S3Object": {"Bucket": BUCKET, "Name": "missing.mp4"}})
    with pytest.raises(rek.exceptions.ResourceNotFoundException):
        rek.start_face_search(Video=VIDEO, CollectionId="no-such-collection")
