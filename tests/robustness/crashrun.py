"""Crash safety: stream writes at a `serve` child, SIGKILL it at random moments, restart, check nothing is lost."""

from __future__ import annotations

import json
import random
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from tests.photos import folder, identities, photo
from tests.robustness.procserver import ServerProcess

COLLECTIONS = ("crash-a", "crash-b")
# Small index parameters so Annoy segments are built, folded and replaced while the server is being killed.
INDEX_ENV = {
    "EMULATOR_INDEX_EXACT_BELOW": "6",
    "EMULATOR_INDEX_BUFFER_LIMIT": "3",
    "EMULATOR_INDEX_TOMBSTONE_FRACTION": "0.05",
    "EMULATOR_INDEX_N_TREES": "4",
}


@dataclass
class Ledger:
    """What the client knows: acknowledged faces and deletes, and writes whose outcome is unknown."""

    faces: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # face id -> (collection, ext id, photo)
    deleted: set[str] = field(default_factory=set)  # acknowledged deletes
    maybe_deleted: set[str] = field(default_factory=set)  # a DeleteFaces without an answer
    maybe_indexed: dict[str, str] = field(default_factory=dict)  # ext id of an IndexFaces without answer -> photo
    acked_writes: int = 0
    unknown_writes: int = 0

    def live(self, collection: str) -> set[str]:
        """Face ids of a collection that must be present."""
        gone = self.deleted | self.maybe_deleted
        return {f for f, (c, _, _) in self.faces.items() if c == collection and f not in gone}


@dataclass
class CrashReport:
    """Figures of one crash run."""

    kills: int = 0
    survived: int = 0  # kills after which every check passed
    generations: int = 0  # index generations (rebuilds) reached, summed over collections
    acked_writes: int = 0
    unknown_writes: int = 0
    faces_checked: int = 0
    searches_checked: int = 0
    failures: list[str] = field(default_factory=list)


def _photos() -> list[str]:
    """Single-face photos of every identity, plus the multi-face ones."""
    paths = [p for ps in identities().values() for p in ps]
    return paths + folder("_multi")


class Workload:
    """One client thread: IndexFaces with new ExternalImageIds and DeleteFaces, until stopped."""

    def __init__(self, client: Any, ledger: Ledger, rng: random.Random, epoch: int) -> None:
        self.client, self.ledger, self.rng, self.epoch = client, ledger, rng, epoch
        self.stop = threading.Event()
        self.acked_this_epoch = 0
        self.errors: list[str] = []
        self.thread = threading.Thread(target=self._run, daemon=True)
        self._n = 0

    def _run(self) -> None:
        photos = _photos()
        while not self.stop.is_set():
            self._n += 1
            coll = self.rng.choice(COLLECTIONS)
            live = sorted(self.ledger.live(coll))
            if live and self.rng.random() < 0.3:
                self._delete(coll, self.rng.sample(live, min(len(live), self.rng.randint(1, 3))))
            else:
                self._index(coll, self.rng.choice(photos), f"e{self.epoch}-{self._n}")

    def _index(self, coll: str, path: str, ext: str) -> None:
        try:
            out = self.client.index_faces(CollectionId=coll, Image={"Bytes": photo(path)}, ExternalImageId=ext)
        except BotoCoreError:
            self.ledger.maybe_indexed[ext] = path
            self.ledger.unknown_writes += 1
            self.stop.set()
            return
        except ClientError as err:
            self.errors.append(f"IndexFaces {path}: {err}")
            return
        for rec in out["FaceRecords"]:
            self.ledger.faces[rec["Face"]["FaceId"]] = (coll, ext, path)
        self.ledger.acked_writes += 1
        self.acked_this_epoch += 1

    def _delete(self, coll: str, ids: list[str]) -> None:
        try:
            out = self.client.delete_faces(CollectionId=coll, FaceIds=ids)
        except BotoCoreError:
            self.ledger.maybe_deleted.update(ids)
            self.ledger.unknown_writes += 1
            self.stop.set()
            return
        except ClientError as err:
            self.errors.append(f"DeleteFaces: {err}")
            return
        if sorted(out["DeletedFaces"]) != sorted(ids):
            self.errors.append(f"DeleteFaces of live faces {ids} answered {out}")
        self.ledger.deleted.update(out["DeletedFaces"])
        self.ledger.acked_writes += 1
        self.acked_this_epoch += 1


def _list_faces(client: Any, coll: str) -> dict[str, dict[str, Any]]:
    """Every face of a collection, through ListFaces' pagination."""
    faces: dict[str, dict[str, Any]] = {}
    for page in client.get_paginator("list_faces").paginate(CollectionId=coll, MaxResults=7):
        faces.update({f["FaceId"]: f for f in page["Faces"]})
    return faces


def verify(client: Any, ledger: Ledger, rng: random.Random, report: CrashReport) -> None:
    """Check the restarted server against the ledger; settle unknown writes by what the server now holds."""
    fail = report.failures.append
    for coll in COLLECTIONS:
        listed = _list_faces(client, coll)
        for face_id in ledger.live(coll) - listed.keys():
            fail(f"{coll}: acknowledged face {face_id} {ledger.faces[face_id]} is missing")
        for face_id in ledger.deleted & listed.keys():
            fail(f"{coll}: acknowledged delete {face_id} came back")
        for face_id, face in listed.items():
            if face_id in ledger.faces:
                continue
            ext = face.get("ExternalImageId", "")
            if ext in ledger.maybe_indexed:  # an unanswered IndexFaces that committed: now known
                ledger.faces[face_id] = (coll, ext, ledger.maybe_indexed[ext])
            else:
                fail(f"{coll}: face {face_id} ({ext}) was never written")
        unsure = {f for f in ledger.maybe_deleted if ledger.faces.get(f, ("",))[0] == coll}
        ledger.deleted |= unsure - listed.keys()  # unanswered deletes that committed; the others did not
        ledger.maybe_deleted -= unsure
        ledger.faces = {f: v for f, v in ledger.faces.items() if v[0] != coll or f in listed or f in ledger.deleted}
        count = client.describe_collection(CollectionId=coll)["FaceCount"]
        if count != len(listed):
            fail(f"{coll}: DescribeCollection FaceCount {count} != ListFaces {len(listed)}")
        report.faces_checked += len(listed)
        _check_searches(client, coll, listed, ledger, rng, report)
    ledger.maybe_indexed.clear()


def _check_searches(client: Any, coll: str, listed: dict[str, dict[str, Any]], ledger: Ledger,
                    rng: random.Random, report: CrashReport) -> None:
    """SearchFaces and SearchFacesByImage return only listed faces, and find a known face from its photo."""
    fail = report.failures.append
    if not listed:
        return
    probes = rng.sample(sorted(listed), min(3, len(listed)))
    for face_id in probes:
        out = client.search_faces(CollectionId=coll, FaceId=face_id, FaceMatchThreshold=0, MaxFaces=4096)
        extra = {m["Face"]["FaceId"] for m in out["FaceMatches"]} - listed.keys()
        if extra:
            fail(f"{coll}: SearchFaces returned faces not in ListFaces: {sorted(extra)}")
        report.searches_checked += 1
    single = [f for f in probes if ledger.faces.get(f, ("", "", "_"))[2][:1] != "_"]
    if single:
        face_id = single[0]
        out = client.search_faces_by_image(CollectionId=coll, Image={"Bytes": photo(ledger.faces[face_id][2])},
                                           FaceMatchThreshold=0, MaxFaces=4096)
        found = {m["Face"]["FaceId"] for m in out["FaceMatches"]}
        if face_id not in found:
            fail(f"{coll}: SearchFacesByImage with the photo of {face_id} did not find it")
        if found - listed.keys():
            fail(f"{coll}: SearchFacesByImage returned faces not in ListFaces: {sorted(found - listed.keys())}")
        report.searches_checked += 1


def _generations(data_dir: Path) -> int:
    """Sum of the index generations the collections' manifests record (how many rebuilds were published)."""
    total = 0
    for manifest in (data_dir / "index").glob("*/manifest.json"):
        total += int(json.loads(manifest.read_text())["generation"])
    return total


def run(kills: int, workdir: Path, seed: int = 0, max_delay: float = 3.0,
        say: Callable[[str], None] = lambda _: None) -> CrashReport:
    """Run ``kills`` SIGKILL/restart cycles on one data dir and return the figures."""
    rng = random.Random(seed)
    ledger, report = Ledger(), CrashReport()
    server = ServerProcess(workdir / "data", env=INDEX_ENV)
    server.start()
    client = server.client()
    for coll in COLLECTIONS:
        client.create_collection(CollectionId=coll)
    try:
        for epoch in range(kills):
            work = Workload(server.client(), ledger, rng, epoch)
            work.thread.start()
            deadline = time.monotonic() + 120
            while work.acked_this_epoch == 0 and work.thread.is_alive() and time.monotonic() < deadline:
                time.sleep(0.05)
            time.sleep(rng.uniform(0.0, max_delay))  # not a wait for anything: the kill lands at a random moment
            server.kill()
            work.stop.set()
            work.thread.join(timeout=150)
            report.failures.extend(work.errors)
            report.kills += 1
            server.start()
            client = server.client()
            before = len(report.failures)
            verify(client, ledger, rng, report)
            report.survived += len(report.failures) == before
            say(f"kill {epoch + 1}/{kills}: {len(ledger.faces)} faces known, "
                f"{ledger.acked_writes} acked writes, {ledger.unknown_writes} unknown, "
                f"{len(report.failures)} failures")
    finally:
        server.kill()
    report.generations = _generations(workdir / "data")
    report.acked_writes, report.unknown_writes = ledger.acked_writes, ledger.unknown_writes
    return report
