"""The moratorium through the API, both ways: police accounts denied face recognition inside the window."""

from __future__ import annotations

import json
import subprocess
import sys
from collections.abc import Iterator
from contextlib import AbstractContextManager
from pathlib import Path
from typing import Any

import pytest

from emulator import moto_bridge
from tests.photos import identities, photo
from tests.targets import Launcher, Target

ACCOUNTS = """
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

[[account]]
id = "333333333333"
access_key_id = "AKIARESCUE0000000001"
secret_access_key = "rescue-secret"
tags = { sector = "law-enforcement", purpose = "missing-children" }
"""

POLICY = """
[[moratorium]]
name = "police-until-further-notice"
account_tags = { sector = ["police", "law-enforcement"] }
start = 2020-06-10T00:00:00Z
exempt_account_tags = { purpose = ["missing-children", "anti-trafficking"] }
"""


def _emulator(launch: Launcher, tmp: Path, now: str, policy: str | None = None) -> AbstractContextManager[Target]:
    """An emulator (of the test's kind) with the three accounts, at a policy instant."""
    (tmp / "accounts.toml").write_text(ACCOUNTS)
    policy_file = None
    if policy is not None:
        policy_file = tmp / "policy.toml"
        policy_file.write_text(policy)
    return launch(data_dir=tmp / "data", accounts_file=tmp / "accounts.toml", policy_file=policy_file, now=now)


@pytest.fixture
def in_2020(tmp_path: Path, launch: Launcher) -> Iterator[Target]:
    """An emulator whose policy clock starts inside the 2020 moratorium."""
    with _emulator(launch, tmp_path, "2020-07-01T12:00:00Z") as target:
        yield target


def _police(live: Target) -> Any:
    return live.client(key="AKIAPOLICE0000000001", secret="police-secret")


def test_police_denied_in_2020_but_bookkeeping_and_detection_work(in_2020: Target) -> None:
    police = _police(in_2020)
    police.create_collection(CollectionId="cases")
    image = {"Bytes": photo(identities()["barack_obama"][0])}
    with pytest.raises(police.exceptions.AccessDeniedException) as err:
        police.index_faces(CollectionId="cases", Image=image)
    message = err.value.response["Error"]["Message"]
    assert "police-moratorium-2020" in message and "2020-06-10 to 2021-06-10" in message
    assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    for call in (lambda: police.search_faces_by_image(CollectionId="cases", Image=image),
                 lambda: police.compare_faces(SourceImage=image, TargetImage=image),
                 lambda: police.search_faces(CollectionId="cases", FaceId="11111111-1111-4111-8111-111111111111")):
        with pytest.raises(police.exceptions.AccessDeniedException):
            call()
    # Denied before the image is read: a broken image still gets AccessDenied.
    with pytest.raises(police.exceptions.AccessDeniedException):
        police.index_faces(CollectionId="cases", Image={"Bytes": b"not an image"})
    assert len(police.detect_faces(Image=image)["FaceDetails"]) == 1
    assert police.describe_collection(CollectionId="cases")["FaceCount"] == 0
    acme = in_2020.client(key="AKIAACME000000000001", secret="acme-secret")
    acme.create_collection(CollectionId="shop")
    assert len(acme.index_faces(CollectionId="shop", Image=image)["FaceRecords"]) == 1


def test_police_served_after_the_window(tmp_path: Path, launch: Launcher) -> None:
    with _emulator(launch, tmp_path, "2022-01-01T00:00:00Z") as live:
        police = _police(live)
        police.create_collection(CollectionId="cases")
        out = police.index_faces(CollectionId="cases", Image={"Bytes": photo(identities()["barack_obama"][0])})
        assert len(out["FaceRecords"]) == 1


def test_policy_file_until_further_notice_with_exemption(tmp_path: Path, launch: Launcher) -> None:
    with _emulator(launch, tmp_path, "2026-01-01T00:00:00Z", POLICY) as live:
        police = _police(live)
        police.create_collection(CollectionId="cases")
        image = {"Bytes": photo(identities()["barack_obama"][0])}
        with pytest.raises(police.exceptions.AccessDeniedException) as err:
            police.index_faces(CollectionId="cases", Image=image)
        assert "until further notice" in err.value.response["Error"]["Message"]
        rescue = live.client(key="AKIARESCUE0000000001", secret="rescue-secret")
        rescue.create_collection(CollectionId="missing")
        assert len(rescue.index_faces(CollectionId="missing", Image=image)["FaceRecords"]) == 1


def test_organizations_tags_apply_from_the_next_request(in_2020: Target) -> None:
    acme = in_2020.client(key="AKIAACME000000000001", secret="acme-secret")
    acme.create_collection(CollectionId="shop")
    image = {"Bytes": photo(identities()["barack_obama"][0])}
    acme.index_faces(CollectionId="shop", Image=image, ExternalImageId="before")
    orgs = in_2020.client("organizations", key="AKIAACME000000000001", secret="acme-secret")
    orgs.create_organization(FeatureSet="ALL")
    try:
        orgs.tag_resource(ResourceId="222222222222", Tags=[{"Key": "sector", "Value": "law-enforcement"}])
        with pytest.raises(acme.exceptions.AccessDeniedException):
            acme.index_faces(CollectionId="shop", Image=image, ExternalImageId="after")
        orgs.untag_resource(ResourceId="222222222222", TagKeys=["sector"])
        acme.index_faces(CollectionId="shop", Image=image, ExternalImageId="after")
    finally:
        moto_bridge.reset_moto()


def test_unreadable_tags_fail_closed(in_2020: Target, monkeypatch: pytest.MonkeyPatch) -> None:
    def broken(account: str) -> dict[str, str]:
        raise RuntimeError("organizations backend unavailable")

    monkeypatch.setattr(moto_bridge, "organization_tags", broken)
    acme = in_2020.client(key="AKIAACME000000000001", secret="acme-secret")
    acme.create_collection(CollectionId="shop")
    with pytest.raises(acme.exceptions.AccessDeniedException) as err:
        acme.index_faces(CollectionId="shop", Image={"Bytes": photo(identities()["barack_obama"][0])})
    assert "could not be read" in err.value.response["Error"]["Message"]


def test_audit_trail_records_decisions(in_2020: Target) -> None:
    police = _police(in_2020)
    police.create_collection(CollectionId="cases")
    with pytest.raises(police.exceptions.AccessDeniedException):
        police.search_faces(CollectionId="cases", FaceId="11111111-1111-4111-8111-111111111111")
    data_dir = in_2020.emulator.settings.data_dir
    assert data_dir is not None
    out = subprocess.run([sys.executable, "-m", "emulator", "audit", "--data-dir", str(data_dir), "--json",
                          "--decision", "deny"], capture_output=True, text=True, check=True)
    entries = [json.loads(line) for line in out.stdout.splitlines()]
    assert entries and entries[-1]["account"] == "111111111111"
    assert entries[-1]["operation"] == "SearchFaces" and entries[-1]["rule"] == "police-moratorium-2020"
    assert entries[-1]["time"].startswith("2020-07-01")


def test_an_account_cannot_tag_itself_out_of_the_moratorium(in_2020: Target) -> None:
    police = _police(in_2020)
    police.create_collection(CollectionId="cases")
    orgs = in_2020.client("organizations", key="AKIAPOLICE0000000001", secret="police-secret")
    orgs.create_organization(FeatureSet="ALL")
    try:
        orgs.tag_resource(ResourceId="111111111111", Tags=[{"Key": "sector", "Value": "bakery"},
                                                           {"Key": "purpose", "Value": "missing-children"}])
        with pytest.raises(police.exceptions.AccessDeniedException):
            police.index_faces(CollectionId="cases", Image={"Bytes": photo(identities()["barack_obama"][0])})
    finally:
        moto_bridge.reset_moto()
