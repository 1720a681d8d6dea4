"""mock_rekognition composed with moto's mock_aws: S3Object images from moto's S3, in either nesting order."""

from __future__ import annotations

import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from moto import mock_aws

from emulator.engine import Engine
from emulator.testing import mock_rekognition
from tests.conftest import REPO
from tests.photos import photo

BUCKET = "uploads-bucket"


def _put_photo(key: str, path: str) -> None:
    """Create the bucket in moto's S3 and store a photo."""
    s3 = boto3.client("s3", region_name="us-east-1")
    s3.create_bucket(Bucket=BUCKET)
    s3.put_object(Bucket=BUCKET, Key=key, Body=photo(path))


def _index_from_s3() -> dict[str, Any]:
    """IndexFaces and DetectFaces of an object moto's S3 holds."""
    _put_photo("people/jolie 1.jpg", "angelina_jolie/1.jpg")
    client = boto3.client("rekognition", region_name="us-east-1")
    client.create_collection(CollectionId="from-s3")
    image = {"S3Object": {"Bucket": BUCKET, "Name": "people/jolie 1.jpg"}}
    detected = client.detect_faces(Image=image)
    indexed = client.index_faces(CollectionId="from-s3", Image=image, ExternalImageId="jolie")
    return {"detected": len(detected["FaceDetails"]), "indexed": len(indexed["FaceRecords"])}


def test_mock_aws_outside(engine: Engine) -> None:
    run: Callable[[], dict[str, Any]] = mock_aws(mock_rekognition(engine=engine)(_index_from_s3))
    assert run() == {"detected": 1, "indexed": 1}


def test_mock_aws_inside_and_a_missing_object(engine: Engine) -> None:
    with mock_rekognition(engine=engine), mock_aws():
        assert _index_from_s3() == {"detected": 1, "indexed": 1}
        with pytest.raises(ClientError) as caught:
            boto3.client("rekognition", region_name="us-east-1").detect_faces(
                Image={"S3Object": {"Bucket": BUCKET, "Name": "missing.jpg"}})
        assert caught.value.response["Error"]["Code"] == "InvalidS3ObjectException"


def test_mock_aws_with_rekognition_passthrough() -> None:
    with mock_aws(config={"core": {"passthrough": {"services": ["rekognition"]}}}), mock_rekognition():
        client = boto3.client("rekognition", region_name="us-east-1")
        client.create_collection(CollectionId="passthrough")
        assert client.list_collections()["CollectionIds"] == ["passthrough"]


def test_the_plugin_loads_through_pytest_p(tmp_path: Path) -> None:
    (tmp_path / "conftest.py").write_text(textwrap.dedent("""
        import pytest

        @pytest.fixture(scope="session")
        def rekognition_engine():
            return None  # no face work below: let the emulator load an engine lazily (never)
    """))
    (tmp_path / "test_user.py").write_text(textwrap.dedent("""
        import boto3

        def test_user_code(rekognition_emulator):
            boto3.client("rekognition").create_collection(CollectionId="mine")
            assert rekognition_emulator.client().list_collections()["CollectionIds"] == ["mine"]
    """))
    command = [sys.executable, "-m", "pytest", "-q", "-p", "emulator.pytest_plugin", "-p", "no:cacheprovider"]
    done = subprocess.run([*command, str(tmp_path)], cwd=tmp_path, capture_output=True, text=True, timeout=120,
                          env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(REPO), "HOME": str(tmp_path),
                               "PYTEST_DISABLE_PLUGIN_AUTOLOAD": "1"})  # the entry point may be installed too
    assert done.returncode == 0, done.stdout + done.stderr
    assert "1 passed" in done.stdout


def test_keys_of_the_accounts_file_reach_moto_in_their_own_account(tmp_path: Path) -> None:
    """As the server pins moto's account to the caller's key, so does the mock: each account has its own buckets."""
    (tmp_path / "accounts.toml").write_text(textwrap.dedent("""
        [[account]]
        id = "111111111111"
        access_key_id = "AKIAALPHA00000000001"
        secret_access_key = "alpha-secret"
    """))
    with mock_aws(), mock_rekognition(accounts_file=tmp_path / "accounts.toml", auth=True):
        alpha = boto3.client("s3", region_name="us-east-1", aws_access_key_id="AKIAALPHA00000000001",
                             aws_secret_access_key="alpha-secret")
        alpha.create_bucket(Bucket="alpha-only")
        sts = boto3.client("sts", region_name="us-east-1", aws_access_key_id="AKIAALPHA00000000001",
                           aws_secret_access_key="alpha-secret")
        assert sts.get_caller_identity()["Account"] == "111111111111"
        others = boto3.client("s3", region_name="us-east-1")  # mock_aws's own credentials: its default account
        assert [b["Name"] for b in others.list_buckets()["Buckets"]] == []
        assert [b["Name"] for b in alpha.list_buckets()["Buckets"]] == ["alpha-only"]
