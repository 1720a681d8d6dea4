"""16 client threads mixing face and collection operations on one live server; the end state matches an oracle.

Each thread owns a collection and its own ExternalImageIds in one shared collection, so whatever the
interleaving, the final state equals running the threads one after the other (the sequential oracle).
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from botocore.exceptions import ClientError

from emulator.config import Settings
from emulator.engine import Engine
from tests.photos import identities, photo
from tests.support import LiveServer, start_live_server

THREADS = 16
SHARED = "conc-shared"
NO_FACE = "_noface/chelsea.png"


@dataclass
class Outcome:
    """What one thread saw: requests made, faces it owns at the end, unexpected answers."""

    requests: int = 0
    own: set[str] = field(default_factory=set)
    shared: set[str] = field(default_factory=set)
    problems: list[str] = field(default_factory=list)


def _small_photos(name: str) -> list[str]:
    """An identity's photos, two of them (for speed, the first two by path)."""
    return identities()[name][:2]


class Client:
    """One thread's calls: every answer is a 200 or the error the step expects."""

    def __init__(self, boto: Any, out: Outcome) -> None:
        self.boto, self.out = boto, out

    def call(self, op: str, expect: str | None = None, **params: Any) -> dict[str, Any]:
        self.out.requests += 1
        try:
            result: dict[str, Any] = getattr(self.boto, op)(**params)
        except ClientError as err:
            code = err.response["Error"]["Code"]
            if code != expect:
                self.out.problems.append(f"{op}: unexpected {code}: {err}")
            return {}
        if expect is not None:
            self.out.problems.append(f"{op}: expected {expect}, got 200")
        return result


def worker(n: int, boto: Any, start: threading.Barrier, out: Outcome) -> None:
    """One thread's fixed script of 14 requests on its own collection and its own faces of the shared one."""
    c = Client(boto, out)
    own, tmp = f"conc-{n}", f"conc-{n}-tmp"
    name = sorted(identities())[n % len(identities())]
    a, b = _small_photos(name)
    start.wait()
    c.call("create_collection", CollectionId=own)
    c.call("create_collection", "ResourceAlreadyExistsException", CollectionId=own)
    first = [r["Face"]["FaceId"] for r in c.call("index_faces", CollectionId=own, Image={"Bytes": photo(a)},
                                                 ExternalImageId=f"t{n}-a").get("FaceRecords", [])]
    shared = [r["Face"]["FaceId"] for r in c.call("index_faces", CollectionId=SHARED, Image={"Bytes": photo(b)},
                                                  ExternalImageId=f"t{n}-b").get("FaceRecords", [])]
    found = c.call("search_faces_by_image", CollectionId=SHARED, Image={"Bytes": photo(b)}, FaceMatchThreshold=99)
    if shared and shared[0] not in {m["Face"]["FaceId"] for m in found.get("FaceMatches", [])}:
        out.problems.append(f"thread {n}: its own shared face was not found by SearchFacesByImage")
    if first:
        c.call("search_faces", CollectionId=own, FaceId=first[0])
    second = [r["Face"]["FaceId"] for r in c.call("index_faces", CollectionId=own, Image={"Bytes": photo(b)},
                                                  ExternalImageId=f"t{n}-c").get("FaceRecords", [])]
    listed = {f["FaceId"] for f in c.call("list_faces", CollectionId=own).get("Faces", [])}
    if listed != set(first + second):
        out.problems.append(f"thread {n}: ListFaces {sorted(listed)} != indexed {sorted(first + second)}")
    deleted = c.call("delete_faces", CollectionId=own, FaceIds=first[:1] or ["0" * 8 + "-0000-0000-0000-" + "0" * 12])
    c.call("search_faces_by_image", "InvalidParameterException", CollectionId=own, Image={"Bytes": photo(NO_FACE)})
    c.call("create_collection", CollectionId=tmp)
    if own not in c.call("list_collections", MaxResults=4096).get("CollectionIds", []):
        out.problems.append(f"thread {n}: ListCollections lacks {own}")
    c.call("delete_collection", CollectionId=tmp)
    c.call("describe_collection", "ResourceNotFoundException", CollectionId=tmp)
    out.own = set(first + second) - set(deleted.get("DeletedFaces", []))
    out.shared = set(shared)


@pytest.fixture(scope="module")
def live(tmp_path_factory: pytest.TempPathFactory, engine: Engine) -> Iterator[LiveServer]:
    """A live server of its own, with a data dir, sharing the session's engine."""
    server = start_live_server(Settings(port=0, data_dir=Path(tmp_path_factory.mktemp("concurrency"))), engine)
    yield server
    server.stop()


def test_sixteen_threads_end_in_the_sequential_state(live: LiveServer) -> None:
    setup = live.client()
    setup.create_collection(CollectionId=SHARED)
    clients = [live.client() for _ in range(THREADS)]
    outcomes = [Outcome() for _ in range(THREADS)]
    start = threading.Barrier(THREADS)
    threads = [threading.Thread(target=worker, args=(n, clients[n], start, outcomes[n])) for n in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=300)
    assert not any(t.is_alive() for t in threads)
    assert [p for o in outcomes for p in o.problems] == []
    assert sum(o.requests for o in outcomes) == THREADS * 14
    # The oracle: each thread's faces, whatever the interleaving.
    for n, out in enumerate(outcomes):
        own = {f["FaceId"] for f in setup.list_faces(CollectionId=f"conc-{n}")["Faces"]}
        assert own == out.own and len(own) == 1
        assert setup.describe_collection(CollectionId=f"conc-{n}")["FaceCount"] == 1
    shared = {f["FaceId"]: f["ExternalImageId"] for f in setup.list_faces(CollectionId=SHARED)["Faces"]}
    assert set(shared) == set().union(*(o.shared for o in outcomes))
    assert sorted(shared.values()) == sorted(f"t{n}-b" for n in range(THREADS))
    assert setup.describe_collection(CollectionId=SHARED)["FaceCount"] == THREADS
    ids = setup.list_collections(MaxResults=4096)["CollectionIds"]
    assert {f"conc-{n}" for n in range(THREADS)} <= set(ids)
    assert not any(i.endswith("-tmp") for i in ids)
