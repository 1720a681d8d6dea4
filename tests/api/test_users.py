"""User vectors through boto3 on real photos: create, associate, list, search, delete, tokens, quota."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pytest
from botocore.exceptions import ClientError

from emulator.store import NewFace
from tests.photos import identities, photo
from tests.targets import Backend, Target

PEOPLE = ("angelina_jolie", "barack_obama", "elon_musk", "george_clooney", "jennifer_aniston")
STRANGER = "kit_harington"
ACCOUNT, REGION = "123456789012", "us-east-1"
UNKNOWN_FACE = "00000000-0000-4000-8000-000000000000"


@dataclass
class Gallery:
    """A collection with one user per person (two faces each) and two free faces of a stranger."""

    client: Any
    cid: str
    faces: dict[str, list[str]]
    stranger: str
    spare: str


def _index(client: Any, cid: str, path: str) -> str:
    """Index one photo and return the FaceId of its largest face."""
    image = {"Bytes": photo(path)}
    out = client.index_faces(CollectionId=cid, Image=image, ExternalImageId=path.split("/")[0])
    return str(out["FaceRecords"][0]["Face"]["FaceId"])


@pytest.fixture(scope="module")
def gallery(backend: Backend) -> Iterator[Gallery]:
    """Index two photos per person once, and make each person a user holding both faces."""
    with backend.active() as target:
        client, cid = target.client(), "users"
        client.create_collection(CollectionId=cid)
        faces = {name: [_index(client, cid, p) for p in identities()[name][:2]] for name in PEOPLE}
        for name, face_ids in faces.items():
            client.create_user(CollectionId=cid, UserId=name)
            out = client.associate_faces(CollectionId=cid, UserId=name, FaceIds=face_ids)
            assert [f["FaceId"] for f in out["AssociatedFaces"]] == face_ids and out["UserStatus"] == "ACTIVE"
        stranger, spare = (_index(client, cid, p) for p in identities()[STRANGER][:2])
    yield Gallery(client, cid, faces, stranger, spare)
    with backend.active():
        client.delete_collection(CollectionId=cid)


def _reasons(out: dict[str, Any]) -> dict[str, tuple[str, ...]]:
    """Return FaceId → reasons of an Associate/DisassociateFaces response's unsuccessful entries."""
    key = "UnsuccessfulFaceAssociations"
    entries: list[dict[str, Any]] = out[key] if key in out else out["UnsuccessfulFaceDisassociations"]
    return {u["FaceId"]: tuple(u["Reasons"]) for u in entries}


def test_associate_reports_each_refusal(gallery: Gallery) -> None:
    c, cid, faces = gallery.client, gallery.cid, gallery.faces
    mine, theirs = faces["angelina_jolie"][0], faces["barack_obama"][0]
    out = c.associate_faces(CollectionId=cid, UserId="angelina_jolie",
                            FaceIds=[mine, theirs, UNKNOWN_FACE, gallery.stranger])
    assert out["AssociatedFaces"] == [] and out["UserStatus"] == "ACTIVE"
    # the user's own face is in neither list
    assert _reasons(out) == {theirs: ("ASSOCIATED_TO_A_DIFFERENT_USER",), UNKNOWN_FACE: ("FACE_NOT_FOUND",),
                             gallery.stranger: ("LOW_MATCH_CONFIDENCE",)}
    entries = {u["FaceId"]: u for u in out["UnsuccessfulFaceAssociations"]}
    assert entries[theirs]["UserId"] == "barack_obama"
    low = entries[gallery.stranger]
    assert low["UserId"] == "angelina_jolie" and 0 <= low["Confidence"] < 75
    loose = c.associate_faces(CollectionId=cid, UserId="angelina_jolie", FaceIds=[gallery.stranger],
                              UserMatchThreshold=0)
    assert loose["AssociatedFaces"] == [{"FaceId": gallery.stranger}]
    listed = c.list_faces(CollectionId=cid, UserId="angelina_jolie")["Faces"]
    assert {f["FaceId"] for f in listed} == {*faces["angelina_jolie"], gallery.stranger}
    back = c.disassociate_faces(CollectionId=cid, UserId="angelina_jolie", FaceIds=[gallery.stranger])
    assert back["DisassociatedFaces"] == [{"FaceId": gallery.stranger}] and back["UserStatus"] == "ACTIVE"


def test_disassociate_reports_and_ignores(gallery: Gallery) -> None:
    c, cid, faces = gallery.client, gallery.cid, gallery.faces
    theirs = faces["barack_obama"][0]
    asked = [theirs, UNKNOWN_FACE, gallery.spare]
    out = c.disassociate_faces(CollectionId=cid, UserId="elon_musk", FaceIds=asked)
    assert out["DisassociatedFaces"] == [] and out["UserStatus"] == "ACTIVE"
    assert _reasons(out) == {theirs: ("ASSOCIATED_TO_A_DIFFERENT_USER",), UNKNOWN_FACE: ("FACE_NOT_FOUND",)}
    assert out["UnsuccessfulFaceDisassociations"][0]["UserId"] == "barack_obama"


def test_statuses_follow_the_faces(gallery: Gallery) -> None:
    c, cid = gallery.client, gallery.cid
    c.create_user(CollectionId=cid, UserId="newcomer")
    users = {u["UserId"]: u["UserStatus"] for u in c.list_users(CollectionId=cid)["Users"]}
    assert users == {**{name: "ACTIVE" for name in PEOPLE}, "newcomer": "CREATED"}
    first = c.associate_faces(CollectionId=cid, UserId="newcomer", FaceIds=[gallery.stranger])
    assert first["AssociatedFaces"] == [{"FaceId": gallery.stranger}] and first["UserStatus"] == "ACTIVE"
    again = c.associate_faces(CollectionId=cid, UserId="newcomer", FaceIds=[gallery.stranger])
    assert again["AssociatedFaces"] == [] and again["UnsuccessfulFaceAssociations"] == []
    out = c.disassociate_faces(CollectionId=cid, UserId="newcomer", FaceIds=[gallery.stranger, gallery.spare])
    assert out["DisassociatedFaces"] == [{"FaceId": gallery.stranger}] and out["UserStatus"] == "CREATED"
    assert out["UnsuccessfulFaceDisassociations"] == []  # a face of nobody is ignored
    c.delete_user(CollectionId=cid, UserId="newcomer")


def test_unknown_user_collection_and_duplicate(gallery: Gallery) -> None:
    c, cid = gallery.client, gallery.cid
    with pytest.raises(c.exceptions.ConflictException):
        c.create_user(CollectionId=cid, UserId="angelina_jolie")
    nobody: dict[str, Any] = {"CollectionId": cid, "UserId": "nobody"}
    missing: dict[str, Any] = {"CollectionId": "no-such-collection"}
    calls: list[tuple[str, dict[str, Any]]] = [
        ("associate_faces", {**nobody, "FaceIds": [gallery.spare]}),
        ("disassociate_faces", {**nobody, "FaceIds": [gallery.spare]}),
        ("delete_user", nobody),
        ("create_user", {**missing, "UserId": "x"}),
        ("associate_faces", {**missing, "UserId": "x", "FaceIds": [gallery.spare]}),
        ("list_users", missing),
    ]
    for method, kwargs in calls:
        with pytest.raises(c.exceptions.ResourceNotFoundException):
            getattr(c, method)(**kwargs)


def test_list_users_pages_in_user_id_order(api: Target) -> None:
    c = api.client()
    c.create_collection(CollectionId="user-pages")
    names = [f"user-{i:02d}" for i in range(7)]
    for name in reversed(names):
        c.create_user(CollectionId="user-pages", UserId=name)
    pages = list(c.get_paginator("list_users").paginate(CollectionId="user-pages",
                                                        PaginationConfig={"PageSize": 3}))
    assert [len(p["Users"]) for p in pages] == [3, 3, 1] and "NextToken" not in pages[-1]
    assert [u["UserId"] for p in pages for u in p["Users"]] == names
    assert all(u["UserStatus"] == "CREATED" for p in pages for u in p["Users"])
    assert c.describe_collection(CollectionId="user-pages")["UserCount"] == 7
    c.delete_user(CollectionId="user-pages", UserId="user-03")
    assert c.describe_collection(CollectionId="user-pages")["UserCount"] == 6
    with pytest.raises(c.exceptions.InvalidPaginationTokenException):
        c.list_users(CollectionId="user-pages", NextToken="forged.token")
    c.delete_collection(CollectionId="user-pages")


def test_search_users_by_face_and_by_user(gallery: Gallery) -> None:
    c, cid, faces = gallery.client, gallery.cid, gallery.faces
    for name in PEOPLE:
        out = c.search_users(CollectionId=cid, FaceId=faces[name][1])
        assert out["SearchedFace"] == {"FaceId": faces[name][1]} and out["FaceModelVersion"] == "7.0"
        assert out["UserMatches"][0]["User"] == {"UserId": name, "UserStatus": "ACTIVE"}
        assert all(m["Similarity"] >= 80 for m in out["UserMatches"])
    out = c.search_users(CollectionId=cid, UserId="barack_obama", UserMatchThreshold=0, MaxUsers=10)
    assert out["SearchedUser"] == {"UserId": "barack_obama"}
    found = [m["User"]["UserId"] for m in out["UserMatches"]]
    assert sorted(found) == sorted(set(PEOPLE) - {"barack_obama"})  # the searched user is left out
    sims = [m["Similarity"] for m in out["UserMatches"]]
    assert sims == sorted(sims, reverse=True)
    assert len(c.search_users(CollectionId=cid, UserId="barack_obama", UserMatchThreshold=0,
                              MaxUsers=2)["UserMatches"]) == 2
    assert c.search_users(CollectionId=cid, UserId="barack_obama")["UserMatches"] == []
    assert c.search_users(CollectionId=cid, FaceId=gallery.spare, UserMatchThreshold=95)["UserMatches"] == []


def test_search_users_refuses_bad_probes(gallery: Gallery) -> None:
    c, cid = gallery.client, gallery.cid
    for kwargs in ({}, {"UserId": "barack_obama", "FaceId": gallery.faces["barack_obama"][0]},
                   {"UserId": "nobody"}, {"FaceId": UNKNOWN_FACE}):
        with pytest.raises(c.exceptions.InvalidParameterException):
            c.search_users(CollectionId=cid, **kwargs)
    with pytest.raises(c.exceptions.ResourceNotFoundException):
        c.search_users(CollectionId="no-such-collection", UserId="x")
    with pytest.raises(ClientError) as err:
        c.search_users(CollectionId=cid, UserId="barack_obama", MaxUsers=501)
    assert err.value.response["Error"]["Code"] == "ValidationException"


def test_search_users_by_image_finds_the_person(gallery: Gallery) -> None:
    c, cid = gallery.client, gallery.cid
    for name in ("angelina_jolie", "barack_obama", "jennifer_aniston"):
        out = c.search_users_by_image(CollectionId=cid, Image={"Bytes": photo(identities()[name][-1])})
        assert out["UserMatches"][0]["User"]["UserId"] == name, name
        assert out["UserMatches"][0]["Similarity"] >= 80
        detail = out["SearchedFace"]["FaceDetail"]
        assert 0 < detail["BoundingBox"]["Width"] <= 1 and len(detail["Landmarks"]) == 5


def test_search_users_by_image_multi_and_no_face(gallery: Gallery) -> None:
    c, cid = gallery.client, gallery.cid
    two = {"Bytes": photo("_multi/two_people_biden_obama.jpg")}
    out = c.search_users_by_image(CollectionId=cid, Image=two)
    assert "FaceDetail" in out["SearchedFace"]
    assert len(out["UnsearchedFaces"]) == 1
    assert out["UnsearchedFaces"][0]["Reasons"] == ["FACE_NOT_LARGEST"]
    assert "BoundingBox" in out["UnsearchedFaces"][0]["FaceDetails"]
    empty = c.search_users_by_image(CollectionId=cid, Image={"Bytes": photo("_noface/coffee.png")})
    assert empty["UserMatches"] == [] and "SearchedFace" not in empty
    assert empty["ResponseMetadata"]["HTTPStatusCode"] == 200


def test_delete_user_frees_faces_for_delete_faces(gallery: Gallery) -> None:
    c, cid = gallery.client, gallery.cid
    c.create_user(CollectionId=cid, UserId="holder")
    c.associate_faces(CollectionId=cid, UserId="holder", FaceIds=[gallery.spare])
    refused = c.delete_faces(CollectionId=cid, FaceIds=[gallery.spare])
    assert refused["DeletedFaces"] == []
    assert refused["UnsuccessfulFaceDeletions"] == [
        {"FaceId": gallery.spare, "UserId": "holder", "Reasons": ["ASSOCIATED_TO_AN_EXISTING_USER"]}
    ]
    c.delete_user(CollectionId=cid, UserId="holder")
    face = c.list_faces(CollectionId=cid, FaceIds=[gallery.spare])["Faces"][0]
    assert "UserId" not in face
    with pytest.raises(c.exceptions.ResourceNotFoundException):
        c.delete_user(CollectionId=cid, UserId="holder")
    assert c.delete_faces(CollectionId=cid, FaceIds=[gallery.spare])["DeletedFaces"] == [gallery.spare]


def test_client_request_tokens_replay_or_refuse(gallery: Gallery) -> None:
    c, cid = gallery.client, gallery.cid
    token = uuid.uuid4().hex
    assert c.create_user(CollectionId=cid, UserId="idem", ClientRequestToken=token)["ResponseMetadata"]
    c.create_user(CollectionId=cid, UserId="idem", ClientRequestToken=token)  # replayed, no ConflictException
    with pytest.raises(c.exceptions.IdempotentParameterMismatchException) as err:
        c.create_user(CollectionId=cid, UserId="idem-2", ClientRequestToken=token)
    assert err.value.response["Error"]["Message"] == (
        f"The ClientRequestToken: {token} you have supplied is already in use.")
    with pytest.raises(c.exceptions.ConflictException):
        c.create_user(CollectionId=cid, UserId="idem")  # boto3 fills in a fresh token
    ask = {"CollectionId": cid, "UserId": "idem", "FaceIds": [gallery.stranger], "ClientRequestToken": token}
    first = c.associate_faces(**ask)
    replay = c.associate_faces(**ask)  # the face is now the user's: a fresh run would associate nothing
    assert replay["AssociatedFaces"] == first["AssociatedFaces"] == [{"FaceId": gallery.stranger}]
    with pytest.raises(c.exceptions.IdempotentParameterMismatchException):
        c.associate_faces(**ask, UserMatchThreshold=90)
    c.disassociate_faces(CollectionId=cid, UserId="idem", FaceIds=[gallery.stranger])
    c.delete_user(CollectionId=cid, UserId="idem", ClientRequestToken=token)
    c.delete_user(CollectionId=cid, UserId="idem", ClientRequestToken=token)  # replayed, no ResourceNotFound
    with pytest.raises(c.exceptions.ResourceNotFoundException):
        c.delete_user(CollectionId=cid, UserId="idem")


def test_a_user_holds_at_most_100_faces(api: Target) -> None:
    c, cid = api.client(), "user-quota"
    c.create_collection(CollectionId=cid)
    runtime = api.emulator.runtime
    record = runtime.store.collections.get(ACCOUNT, REGION, cid)
    base = np.random.default_rng(7).normal(size=128).astype(np.float32)
    vectors = [base + np.float32(0.001) * i for i in range(102)]
    new = [NewFace(str(uuid.uuid4()), str(uuid.uuid4()), None, 0.1, 0.1, 0.5, 0.5, 99.9, v, "7.0")
           for v in vectors]
    stored = runtime.store.faces.insert(record.pk, new)
    runtime.index(record).add(np.array([s.label for s in stored], dtype=np.int64), np.stack(vectors))
    ids = [s.face_id for s in stored]
    c.create_user(CollectionId=cid, UserId="crowd")
    assert len(c.associate_faces(CollectionId=cid, UserId="crowd", FaceIds=ids[:60])["AssociatedFaces"]) == 60
    with pytest.raises(c.exceptions.ServiceQuotaExceededException):
        c.associate_faces(CollectionId=cid, UserId="crowd", FaceIds=ids[60:101])  # would make 101
    assert len(c.list_faces(CollectionId=cid, UserId="crowd")["Faces"]) == 60
    out = c.associate_faces(CollectionId=cid, UserId="crowd", FaceIds=ids[60:100])
    assert len(out["AssociatedFaces"]) == 40 and out["UserStatus"] == "ACTIVE"
    with pytest.raises(c.exceptions.ServiceQuotaExceededException):
        c.associate_faces(CollectionId=cid, UserId="crowd", FaceIds=[ids[100]])
    c.create_user(CollectionId=cid, UserId="other")
    c.associate_faces(CollectionId=cid, UserId="other", FaceIds=[ids[101]])
    out = c.search_users(CollectionId=cid, UserId="other", MaxUsers=5)
    assert [m["User"]["UserId"] for m in out["UserMatches"]] == ["crowd"]
    c.delete_collection(CollectionId=cid)
