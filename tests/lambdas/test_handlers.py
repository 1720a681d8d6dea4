"""The Lambda handlers end to end: upload → index, search over API Gateway, remove → delete; live and in-process."""

from __future__ import annotations

import json

import pytest

import lambdas.delete_on_remove.handler as delete_on_remove
import lambdas.index_on_upload.handler as index_on_upload
import lambdas.search_api.handler as search_api
from tests.lambdas.conftest import Aws, Ctx, http_event, json_image, rest_event, s3_event
from tests.photos import photo

KEY = "staff/Angelina Jolie (1)+é.jpg"


def test_upload_search_remove(any_aws: Aws) -> None:
    any_aws.upload(KEY, "angelina_jolie/1.jpg")
    any_aws.upload("other.jpg", "barack_obama/1.jpg")
    indexed = index_on_upload.handler(s3_event(any_aws.bucket, [KEY, "other.jpg"]), Ctx())
    assert indexed["status"] == "ok" and indexed["indexedFaces"] == 2, indexed
    assert indexed["records"][0]["externalImageId"] == index_on_upload.external_image_id(KEY)

    answer = search_api.handler(rest_event(json_image("angelina_jolie/2.jpg", threshold=80)), Ctx())
    assert answer["statusCode"] == 200 and answer["headers"]["Content-Type"] == "application/json"
    matches = json.loads(answer["body"])["matches"]
    assert [m["s3Key"] for m in matches] == [KEY]
    raw = search_api.handler(http_event(photo("angelina_jolie/2.jpg"), {"maxFaces": "1"}), Ctx())
    assert raw["statusCode"] == 200 and json.loads(raw["body"])["matches"][0]["faceId"] == matches[0]["faceId"]

    removed = delete_on_remove.handler(s3_event(any_aws.bucket, [KEY], "ObjectRemoved:Delete"), Ctx())
    assert removed["status"] == "ok" and removed["deletedFaces"] == 1, removed
    left = any_aws.client("rekognition").list_faces(CollectionId=any_aws.collection)["Faces"]
    assert [f["ExternalImageId"] for f in left] == ["other.jpg"]


def test_index_on_upload_reports_failures_without_raising(mocked_aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    event = s3_event(mocked_aws.bucket, ["missing.jpg"])
    event["Records"].append({**event["Records"][0], "eventName": "ObjectRemoved:Delete"})
    out = index_on_upload.handler(event, Ctx())
    assert out["status"] == "error" and out["failed"] == 1
    assert out["records"][0]["error"]["code"] == "InvalidS3ObjectException"
    assert out["records"][1]["status"] == "skipped"
    mocked_aws.upload("dogs.jpg", "_noface/dogs.jpg")
    assert index_on_upload.handler(s3_event(mocked_aws.bucket, ["dogs.jpg"]), Ctx())["records"][0]["status"] == \
        "no_faces"
    monkeypatch.setenv("COLLECTION_ID", "no-such-collection")
    mocked_aws.upload("a.jpg", "angelina_jolie/1.jpg")
    failed = index_on_upload.handler(s3_event(mocked_aws.bucket, ["a.jpg"]), Ctx())
    assert failed["records"][0]["error"]["code"] == "ResourceNotFoundException"
    monkeypatch.delenv("COLLECTION_ID")
    assert index_on_upload.handler(s3_event(mocked_aws.bucket, ["a.jpg"]), Ctx())["status"] == "error"


def test_delete_on_remove_paginates_and_batches(mocked_aws: Aws, monkeypatch: pytest.MonkeyPatch) -> None:
    mocked_aws.upload("group.jpg", "_multi/selfie_many_people.jpg")
    mocked_aws.upload("solo.jpg", "barack_obama/1.jpg")
    indexed = index_on_upload.handler(s3_event(mocked_aws.bucket, ["group.jpg", "solo.jpg"]), Ctx())
    group = indexed["records"][0]["faceIds"]
    assert len(group) >= 3, indexed
    monkeypatch.setattr(delete_on_remove, "LIST_PAGE", 2)
    monkeypatch.setattr(delete_on_remove, "DELETE_BATCH", 2)
    event = s3_event(mocked_aws.bucket, ["group.jpg", "never-indexed.jpg"], "ObjectRemoved:DeleteMarkerCreated")
    out = delete_on_remove.handler(event, Ctx())
    assert sorted(out["records"][0]["faceIds"]) == sorted(group) and out["deletedFaces"] == len(group)
    assert out["records"][1]["status"] == "no_faces"
    left = mocked_aws.client("rekognition").list_faces(CollectionId=mocked_aws.collection)["Faces"]
    assert [f["ExternalImageId"] for f in left] == ["solo.jpg"]
    monkeypatch.setenv("COLLECTION_ID", "no-such-collection")
    failed = delete_on_remove.handler(event, Ctx())
    assert failed["status"] == "error" and failed["error"]["code"] == "ResourceNotFoundException"
