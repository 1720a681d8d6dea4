"""S3 on the port isolates accounts as AWS does, and an S3Object image is read only from the request's region."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from botocore.exceptions import ClientError

from tests.identity.helpers import ACME, POLICE
from tests.photos import folder, photo
from tests.support import LiveServer

Live = Callable[..., LiveServer]
FACE = "angelina_jolie/1.jpg"
S3_OBJECT_ERROR = "Unable to get object metadata from S3. Check object key, region and/or access permissions."


def _client(live: LiveServer, service: str, who: tuple[str, str, str], region: str = "us-east-1") -> Any:
    """A client of `who`'s account."""
    return live.client(service, region=region, key=who[0], secret=who[1])


def _refused(call: Callable[[], Any]) -> tuple[str, int]:
    """Run an S3 call that must fail; return its error code and HTTP status."""
    with pytest.raises(ClientError) as caught:
        call()
    return caught.value.response["Error"]["Code"], caught.value.response["ResponseMetadata"]["HTTPStatusCode"]


def test_another_account_cannot_read_write_list_or_delete_a_bucket(live: Live) -> None:
    server = live()
    owner, other = _client(server, "s3", POLICE), _client(server, "s3", ACME)
    owner.create_bucket(Bucket="police-evidence")
    owner.put_object(Bucket="police-evidence", Key="case/1.txt", Body=b"original")
    other.create_bucket(Bucket="acme-own")
    attempts: dict[str, Callable[[], Any]] = {
        "GetObject": lambda: other.get_object(Bucket="police-evidence", Key="case/1.txt"),
        "PutObject": lambda: other.put_object(Bucket="police-evidence", Key="case/1.txt", Body=b"forged"),
        "PutNewObject": lambda: other.put_object(Bucket="police-evidence", Key="planted.txt", Body=b"x"),
        "ListObjectsV2": lambda: other.list_objects_v2(Bucket="police-evidence"),
        "DeleteObject": lambda: other.delete_object(Bucket="police-evidence", Key="case/1.txt"),
        "DeleteObjects": lambda: other.delete_objects(Bucket="police-evidence",
                                                      Delete={"Objects": [{"Key": "case/1.txt"}]}),
        "DeleteBucket": lambda: other.delete_bucket(Bucket="police-evidence"),
        "CopyObject": lambda: other.copy_object(Bucket="acme-own", Key="copy",
                                                CopySource={"Bucket": "police-evidence", "Key": "case/1.txt"}),
        "PutBucketPolicy": lambda: other.put_bucket_policy(Bucket="police-evidence", Policy="{}"),
    }
    for name, attempt in attempts.items():
        assert _refused(attempt) == ("AccessDenied", 403), name
    assert _refused(lambda: other.head_object(Bucket="police-evidence", Key="case/1.txt")) == ("403", 403)
    assert _refused(lambda: other.head_bucket(Bucket="police-evidence")) == ("403", 403)
    assert _refused(lambda: other.create_bucket(Bucket="police-evidence")) == ("BucketAlreadyExists", 409)
    assert [b["Name"] for b in other.list_buckets()["Buckets"]] == ["acme-own"]
    assert owner.get_object(Bucket="police-evidence", Key="case/1.txt")["Body"].read() == b"original"
    assert [o["Key"] for o in owner.list_objects_v2(Bucket="police-evidence")["Contents"]] == ["case/1.txt"]


def test_another_account_cannot_plant_an_image_the_owner_then_analyses(live: Live) -> None:
    server = live()
    owner, other = _client(server, "s3", POLICE), _client(server, "s3", ACME)
    owner.create_bucket(Bucket="police-inbox")
    owner.put_object(Bucket="police-inbox", Key="inbox/photo.jpg", Body=photo(folder("_noface")[0]))
    assert _refused(lambda: other.put_object(Bucket="police-inbox", Key="inbox/photo.jpg", Body=photo(FACE))) == (
        "AccessDenied", 403)
    rekognition = _client(server, "rekognition", POLICE)
    image = {"S3Object": {"Bucket": "police-inbox", "Name": "inbox/photo.jpg"}}
    assert rekognition.detect_faces(Image=image)["FaceDetails"] == []
    owner.put_object(Bucket="police-inbox", Key="inbox/photo.jpg", Body=photo(FACE))  # the owner's own write is read
    assert len(rekognition.detect_faces(Image=image)["FaceDetails"]) == 1


def test_an_s3_object_is_read_only_from_a_bucket_in_the_requests_region(live: Live) -> None:
    server = live()
    _client(server, "s3", POLICE).create_bucket(Bucket="east-photos")
    _client(server, "s3", POLICE).put_object(Bucket="east-photos", Key="face.jpg", Body=photo(FACE))
    west_s3 = _client(server, "s3", POLICE, "us-west-2")
    west_s3.create_bucket(Bucket="west-photos", CreateBucketConfiguration={"LocationConstraint": "us-west-2"})
    west_s3.put_object(Bucket="west-photos", Key="face.jpg", Body=photo(FACE))
    east, west = _client(server, "rekognition", POLICE), _client(server, "rekognition", POLICE, "us-west-2")
    west.create_collection(CollectionId="west-faces")
    for client, bucket, call in [
        (west, "east-photos", lambda c, i: c.detect_faces(Image=i)),
        (west, "east-photos", lambda c, i: c.index_faces(CollectionId="west-faces", Image=i)),
        (east, "west-photos", lambda c, i: c.detect_faces(Image=i)),
    ]:
        with pytest.raises(ClientError) as caught:
            call(client, {"S3Object": {"Bucket": bucket, "Name": "face.jpg"}})
        error, meta = caught.value.response["Error"], caught.value.response["ResponseMetadata"]
        assert (error["Code"], error["Message"], meta["HTTPStatusCode"]) == (
            "InvalidS3ObjectException", S3_OBJECT_ERROR, 400)
    east_image = {"S3Object": {"Bucket": "east-photos", "Name": "face.jpg"}}
    west_image = {"S3Object": {"Bucket": "west-photos", "Name": "face.jpg"}}
    assert len(east.detect_faces(Image=east_image)["FaceDetails"]) == 1
    assert len(west.index_faces(CollectionId="west-faces", Image=west_image)["FaceRecords"]) == 1
