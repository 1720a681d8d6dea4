"""A restart on the same data dir honours the NextTokens issued before it, and sweeps orphaned index files."""

from __future__ import annotations

import stat
from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from emulator.config import INDEX_DIR, TOKEN_SECRET_FILE
from emulator.store import Store
from tests.photos import identities, photo
from tests.targets import Launcher


def test_next_tokens_survive_a_restart(tmp_path: Path, launch: Launcher) -> None:
    with launch(data_dir=tmp_path / "data") as first:
        client = first.client()
        for name in ("alpha", "bravo", "charlie"):
            client.create_collection(CollectionId=name)
        for user in ("u1", "u2", "u3"):
            client.create_user(CollectionId="alpha", UserId=user)
        page = client.list_collections(MaxResults=1)
        users = client.list_users(CollectionId="alpha", MaxResults=2)
    assert page["CollectionIds"] == ["alpha"]
    with launch(data_dir=tmp_path / "data") as second:
        client = second.client()
        assert client.list_collections(NextToken=page["NextToken"])["CollectionIds"] == ["bravo", "charlie"]
        rest = client.list_users(CollectionId="alpha", NextToken=users["NextToken"])["Users"]
        assert [u["UserId"] for u in rest] == ["u3"]


def test_the_secret_is_the_data_dirs_own_and_only_its_owner_reads_it(tmp_path: Path, launch: Launcher) -> None:
    with launch(data_dir=tmp_path / "data") as first:
        client = first.client()
        client.create_collection(CollectionId="one")
        client.create_collection(CollectionId="two")
        token = client.list_collections(MaxResults=1)["NextToken"]
    secret = tmp_path / "data" / TOKEN_SECRET_FILE
    assert stat.S_IMODE(secret.stat().st_mode) == 0o600
    assert len(secret.read_bytes()) == 32
    with launch(data_dir=tmp_path / "other") as other:
        other.client().create_collection(CollectionId="one")
        with pytest.raises(ClientError) as exc:
            other.client().list_collections(NextToken=token)
        assert exc.value.response["Error"]["Code"] == "InvalidPaginationTokenException"
    assert (tmp_path / "other" / TOKEN_SECRET_FILE).read_bytes() != secret.read_bytes()


def test_start_up_removes_index_files_of_collections_the_store_no_longer_has(tmp_path: Path,
                                                                             launch: Launcher) -> None:
    data_dir = tmp_path / "data"
    jolie = identities()["angelina_jolie"]
    with launch(data_dir=data_dir) as first:
        client = first.client()
        for name in ("kept", "gone"):
            client.create_collection(CollectionId=name)
            client.index_faces(CollectionId=name, Image={"Bytes": photo(jolie[0])})
    store = Store(data_dir)
    try:  # a crash inside DeleteCollection, after the store's delete and before the index files went
        kept = store.collections.get("123456789012", "us-east-1", "kept")
        gone = store.collections.get("123456789012", "us-east-1", "gone")
        assert kept is not None and gone is not None
        assert store.collections.delete(gone.pk)
    finally:
        store.close()
    index_root = data_dir / INDEX_DIR
    assert (index_root / str(gone.pk)).is_dir() and (index_root / str(kept.pk)).is_dir()
    with launch(data_dir=data_dir) as second:
        assert not (index_root / str(gone.pk)).exists()
        assert (index_root / str(kept.pk)).is_dir()
        found = second.client().search_faces_by_image(CollectionId="kept", Image={"Bytes": photo(jolie[1])})
        assert len(found["FaceMatches"]) == 1
