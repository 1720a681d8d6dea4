"""Collections through boto3 (live server and in-process): shapes, errors, pagination, tags, persistence."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.targets import Launcher, Target


def _code(err: pytest.ExceptionInfo[ClientError]) -> str:
    """Return the AWS error code of a ClientError."""
    return str(err.value.response["Error"]["Code"])


def test_create_describe_delete_shapes(rekognition: Any) -> None:
    created = rekognition.create_collection(CollectionId="shapes-1")
    assert created["StatusCode"] == 200
    assert created["CollectionArn"] == "aws:rekognition:us-east-1:123456789012:collection/shapes-1"
    assert created["FaceModelVersion"] == "7.0"
    described = rekognition.describe_collection(CollectionId="shapes-1")
    assert described["CollectionARN"] == "arn:aws:rekognition:us-east-1:123456789012:collection/shapes-1"
    assert described["FaceCount"] == 0 and described["UserCount"] == 0
    assert described["FaceModelVersion"] == "7.0"
    stamp = described["CreationTimestamp"]
    assert isinstance(stamp, dt.datetime)
    assert abs((dt.datetime.now(dt.UTC) - stamp).total_seconds()) < 60
    assert "x-amzn-requestid" in described["ResponseMetadata"]["HTTPHeaders"]
    assert rekognition.delete_collection(CollectionId="shapes-1")["StatusCode"] == 200
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException) as err:
        rekognition.describe_collection(CollectionId="shapes-1")
    assert err.value.response["Error"]["Message"] == "The collection id: shapes-1 does not exist"


def test_already_exists_and_not_found(rekognition: Any) -> None:
    rekognition.create_collection(CollectionId="dup")
    with pytest.raises(rekognition.exceptions.ResourceAlreadyExistsException) as err:
        rekognition.create_collection(CollectionId="dup")
    assert err.value.response["Error"]["Message"] == "The collection id: dup already exists."
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.delete_collection(CollectionId="never-made")
    rekognition.delete_collection(CollectionId="dup")


def test_collection_ids_are_case_sensitive(rekognition: Any) -> None:
    rekognition.create_collection(CollectionId="Case")
    rekognition.create_collection(CollectionId="case")
    assert rekognition.describe_collection(CollectionId="Case")["CollectionARN"].endswith("/Case")
    for cid in ("Case", "case"):
        rekognition.delete_collection(CollectionId=cid)


@pytest.mark.parametrize(
    ("kwargs", "fragment"),
    [
        ({"CollectionId": "a b/c"}, "at 'collectionId' failed to satisfy constraint: Member must satisfy regular "
                                    "expression pattern: [a-zA-Z0-9_.\\-]+"),
        ({"CollectionId": "x" * 256}, "Member must have length less than or equal to 255"),
    ],
)
def test_constraint_violations_are_validation_exceptions(rekognition: Any, kwargs: dict[str, str],
                                                          fragment: str) -> None:
    with pytest.raises(ClientError) as err:
        rekognition.create_collection(**kwargs)
    assert _code(err) == "ValidationException"
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    message = err.value.response["Error"]["Message"]
    assert message.startswith("1 validation error detected: Value '")
    assert fragment in message


def test_list_collections_pages_with_the_paginator(api: Target) -> None:
    client = api.client(region="eu-west-1")
    ids = [f"page-{i:02d}" for i in range(23)]
    for cid in ids:
        client.create_collection(CollectionId=cid)
    first = client.list_collections(MaxResults=5)
    assert first["CollectionIds"] == ids[:5]
    assert first["FaceModelVersions"] == ["7.0"] * 5
    assert len(first["NextToken"]) <= 255
    pages = list(client.get_paginator("list_collections").paginate(PaginationConfig={"PageSize": 4}))
    assert len(pages) == 6
    seen = [c for p in pages for c in p["CollectionIds"]]
    assert seen == ids
    assert [v for p in pages for v in p["FaceModelVersions"]] == ["7.0"] * len(ids)
    assert "NextToken" not in pages[-1]
    with pytest.raises(client.exceptions.InvalidPaginationTokenException):
        client.list_collections(NextToken="forged-token")
    for cid in ids:
        client.delete_collection(CollectionId=cid)


def test_pages_end_on_ids_starting_with_dash_or_dot(api: Target) -> None:
    client = api.client(region="ap-south-1")
    ids = ["-a", "-b", ".c", ".d", "e"]
    for cid in ids:
        client.create_collection(CollectionId=cid)
    pages = list(client.get_paginator("list_collections").paginate(PaginationConfig={"PageSize": 1}))
    assert [c for p in pages for c in p["CollectionIds"]] == ids
    for cid in ids:
        client.delete_collection(CollectionId=cid)


def test_regions_are_isolated(api: Target) -> None:
    east, west = api.client(region="us-east-1"), api.client(region="us-west-2")
    east.create_collection(CollectionId="regional")
    assert "regional" not in west.list_collections()["CollectionIds"]
    with pytest.raises(west.exceptions.ResourceNotFoundException):
        west.describe_collection(CollectionId="regional")
    east.delete_collection(CollectionId="regional")


def test_tags(rekognition: Any) -> None:
    rekognition.create_collection(CollectionId="tagged", Tags={"team": "vision", "env": "dev"})
    arn = rekognition.describe_collection(CollectionId="tagged")["CollectionARN"]
    assert rekognition.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"team": "vision", "env": "dev"}
    rekognition.tag_resource(ResourceArn=arn, Tags={"env": "prod", "owner": "me"})
    rekognition.untag_resource(ResourceArn=arn, TagKeys=["team", "absent"])
    assert rekognition.list_tags_for_resource(ResourceArn=arn)["Tags"] == {"env": "prod", "owner": "me"}
    other = arn.replace("123456789012", "210987654321")
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.list_tags_for_resource(ResourceArn=other)
    with pytest.raises(ClientError) as err:
        rekognition.tag_resource(ResourceArn=arn, Tags={"aws:reserved": "x"})
    assert _code(err) == "ValidationException"
    rekognition.delete_collection(CollectionId="tagged")
    with pytest.raises(rekognition.exceptions.ResourceNotFoundException):
        rekognition.list_tags_for_resource(ResourceArn=arn)


def test_restart_keeps_collections_and_tags(tmp_path: Path, launch: Launcher) -> None:
    with launch(data_dir=tmp_path / "data") as first:
        first.client().create_collection(CollectionId="durable", Tags={"k": "v"})
        created = first.client().describe_collection(CollectionId="durable")["CreationTimestamp"]
    with launch(data_dir=tmp_path / "data") as second:
        client = second.client()
        described = client.describe_collection(CollectionId="durable")
        assert described["CreationTimestamp"] == created
        assert client.list_tags_for_resource(ResourceArn=described["CollectionARN"])["Tags"] == {"k": "v"}


def test_in_memory_keeps_nothing(launch: Launcher) -> None:
    with launch(data_dir=None) as first:
        first.client().create_collection(CollectionId="ephemeral")
    with launch(data_dir=None) as second:
        assert second.client().list_collections()["CollectionIds"] == []
