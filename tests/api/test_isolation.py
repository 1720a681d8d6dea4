"""Accounts and regions are isolated; S3Object images come from the caller's own buckets."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from emulator import moto_bridge
from tests.photos import identities, photo
from tests.targets import Launcher, Target

ACCOUNTS = """
[[account]]
id = "111111111111"
access_key_id = "AKIAALPHA00000000001"
secret_access_key = "alpha-secret"

[[account]]
id = "222222222222"
access_key_id = "AKIABRAVO00000000001"
secret_access_key = "bravo-secret"
"""


@pytest.fixture
def two_accounts(tmp_path: Path, launch: Launcher) -> Iterator[Target]:
    """An emulator with two accounts: a live server, or mock_rekognition inside mock_aws."""
    (tmp_path / "accounts.toml").write_text(ACCOUNTS)
    with launch(data_dir=tmp_path / "data", accounts_file=tmp_path / "accounts.toml") as target:
        yield target
    moto_bridge.reset_moto()


def _alpha(live: Target, service: str = "rekognition", region: str = "us-east-1") -> Any:
    return live.client(service, region=region, key="AKIAALPHA00000000001", secret="alpha-secret")


def _bravo(live: Target, service: str = "rekognition", region: str = "us-east-1") -> Any:
    return live.client(service, region=region, key="AKIABRAVO00000000001", secret="bravo-secret")


def test_no_face_operation_crosses_accounts_or_regions(two_accounts: Target) -> None:
    alpha, bravo, alpha_west = _alpha(two_accounts), _bravo(two_accounts), _alpha(two_accounts, region="us-west-2")
    obama = identities()["barack_obama"]
    alpha.create_collection(CollectionId="people")
    face_id = alpha.index_faces(CollectionId="people", Image={"Bytes": photo(obama[0])})["FaceRecords"][0]["Face"][
        "FaceId"]
    arn = alpha.describe_collection(CollectionId="people")["CollectionARN"]
    image = {"Bytes": photo(obama[1])}
    calls: list[Callable[[Any], object]] = [
        lambda c: c.describe_collection(CollectionId="people"),
        lambda c: c.index_faces(CollectionId="people", Image=image),
        lambda c: c.search_faces_by_image(CollectionId="people", Image=image),
        lambda c: c.search_faces(CollectionId="people", FaceId=face_id),
        lambda c: c.list_faces(CollectionId="people"),
        lambda c: c.delete_faces(CollectionId="people", FaceIds=[face_id]),
        lambda c: c.list_tags_for_resource(ResourceArn=arn),
        lambda c: c.tag_resource(ResourceArn=arn, Tags={"stolen": "yes"}),
        lambda c: c.untag_resource(ResourceArn=arn, TagKeys=["x"]),
        lambda c: c.delete_collection(CollectionId="people"),
    ]
    for client in (bravo, alpha_west):
        assert "people" not in client.list_collections()["CollectionIds"]
        for call in calls:
            with pytest.raises(client.exceptions.ResourceNotFoundException):
                call(client)
    # The same name in another account is a different collection.
    bravo.create_collection(CollectionId="people")
    assert bravo.describe_collection(CollectionId="people")["FaceCount"] == 0
    matches = alpha.search_faces_by_image(CollectionId="people", Image=image)["FaceMatches"]
    assert [m["Face"]["FaceId"] for m in matches] == [face_id]
    assert alpha.describe_collection(CollectionId="people")["FaceCount"] == 1
    assert alpha.list_tags_for_resource(ResourceArn=arn)["Tags"] == {}
    for client in (alpha, bravo):
        client.delete_collection(CollectionId="people")


def test_s3_object_versions_and_foreign_buckets(two_accounts: Target) -> None:
    alpha, bravo = _alpha(two_accounts), _bravo(two_accounts)
    s3 = _alpha(two_accounts, "s3")
    s3.create_bucket(Bucket="alpha-photos")
    s3.put_bucket_versioning(Bucket="alpha-photos", VersioningConfiguration={"Status": "Enabled"})
    first = s3.put_object(Bucket="alpha-photos", Key="dir/me.jpg", Body=photo(identities()["barack_obama"][0]))
    s3.put_object(Bucket="alpha-photos", Key="dir/me.jpg", Body=photo("_noface/dogs.jpg"))
    old = {"S3Object": {"Bucket": "alpha-photos", "Name": "dir/me.jpg", "Version": first["VersionId"]}}
    latest = {"S3Object": {"Bucket": "alpha-photos", "Name": "dir/me.jpg"}}
    assert len(alpha.detect_faces(Image=old)["FaceDetails"]) == 1
    assert alpha.detect_faces(Image=latest)["FaceDetails"] == []
    for image in (old, latest):
        with pytest.raises(bravo.exceptions.InvalidS3ObjectException) as err:
            bravo.detect_faces(Image=image)
        assert "Unable to get object metadata from S3" in err.value.response["Error"]["Message"]
    with pytest.raises(alpha.exceptions.InvalidS3ObjectException):
        alpha.detect_faces(Image={"S3Object": {"Bucket": "alpha-photos", "Name": "missing.jpg"}})
    with pytest.raises(alpha.exceptions.InvalidS3ObjectException):
        alpha.detect_faces(Image={"S3Object": {"Bucket": "alpha-photos", "Name": "dir/me.jpg", "Version": "nope"}})
    alpha.create_collection(CollectionId="from-s3")
    out = alpha.index_faces(CollectionId="from-s3", Image=old, ExternalImageId="me")
    assert len(out["FaceRecords"]) == 1
    alpha.delete_collection(CollectionId="from-s3")


def test_s3_objects_over_15_mb_are_too_large(two_accounts: Target, tmp_path: Path) -> None:
    alpha = _alpha(two_accounts)
    s3 = _alpha(two_accounts, "s3")
    s3.create_bucket(Bucket="alpha-big")
    s3.put_object(Bucket="alpha-big", Key="big.jpg", Body=b"\xff\xd8\xff" + b"\0" * (15 * 1024 * 1024 + 10))
    with pytest.raises(alpha.exceptions.ImageTooLargeException):
        alpha.detect_faces(Image={"S3Object": {"Bucket": "alpha-big", "Name": "big.jpg"}})
