"""Quotas and the opt-in throttle: pure behaviour, and their AWS answers through a live server."""

from __future__ import annotations

from pathlib import Path

import pytest
from botocore.exceptions import ClientError

from emulator.config import Settings
from emulator.engine import Engine
from emulator.limits import MAX_FACES_PER_COLLECTION, THROTTLE_MESSAGE, Quotas, Throttle
from tests.photos import identities, photo
from tests.support import start_live_server


def test_quota_defaults_and_fit() -> None:
    q = Quotas()
    assert q.faces_per_collection == MAX_FACES_PER_COLLECTION == 20_000_000
    assert Quotas(faces_per_collection=2).faces_fit(1, 1) and not Quotas(faces_per_collection=2).faces_fit(2, 1)
    assert Quotas(faces_per_collection=0).faces_fit(5, 0)


def test_throttle_refills_at_its_rate_per_key() -> None:
    now = [0.0]
    t = Throttle(2.0, clock=lambda: now[0])
    assert [t.allow("a", "r", "Op") for _ in range(3)] == [True, True, False]
    assert t.allow("a", "r", "Other") and t.allow("b", "r", "Op")
    now[0] = 0.5
    assert t.allow("a", "r", "Op") and not t.allow("a", "r", "Op")
    with pytest.raises(ValueError):
        Throttle(0)


def test_live_quota_and_throttle_answers(engine: Engine, faces_dir: Path) -> None:
    del faces_dir
    live = start_live_server(Settings(port=0, data_dir=None, quotas=Quotas(faces_per_collection=1)), engine)
    try:
        client = live.client()
        client.create_collection(CollectionId="quota")
        one, two = (photo(ps[0]) for ps in list(identities().values())[:2])
        client.index_faces(CollectionId="quota", Image={"Bytes": one}, ExternalImageId="one")
        with pytest.raises(ClientError) as err:
            client.index_faces(CollectionId="quota", Image={"Bytes": two}, ExternalImageId="two")
        assert err.value.response["Error"]["Code"] == "ServiceQuotaExceededException"
        assert client.describe_collection(CollectionId="quota")["FaceCount"] == 1
    finally:
        live.stop()
    # 0.05 a second: the bucket refills in 20 s, so a stalled host cannot refill it between the two calls.
    live = start_live_server(Settings(port=0, data_dir=None, throttle_tps=0.05), engine)
    try:
        client = live.client()
        client.create_collection(CollectionId="quota")
        client.describe_collection(CollectionId="quota")
        with pytest.raises(ClientError) as err:
            client.describe_collection(CollectionId="quota")
        assert err.value.response["Error"]["Code"] == "ProvisionedThroughputExceededException"
        assert err.value.response["Error"]["Message"] == THROTTLE_MESSAGE
        assert err.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
    finally:
        live.stop()
