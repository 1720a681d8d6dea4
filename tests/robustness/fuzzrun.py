"""Run the hostile-request strategies against a live endpoint with Hypothesis, collecting bad answers."""

from __future__ import annotations

import base64
import json
from collections import Counter
from dataclasses import dataclass, field

from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st

from tests.robustness.fuzzgen import FUZZ_COLLECTION, Hints, judge, requests, send


@dataclass
class FuzzReport:
    """Figures of one fuzz run."""

    requests: int = 0
    statuses: Counter[int] = field(default_factory=Counter)
    codes: Counter[str] = field(default_factory=Counter)
    problems: list[str] = field(default_factory=list)


def prepare(endpoint: str) -> Hints:
    """Create the fuzz collection with one face, so that fuzzed requests reach past the lookups."""
    hints = Hints()
    send(endpoint, "RekognitionService.CreateCollection", b'{"CollectionId": "%s"}' % FUZZ_COLLECTION.encode())
    body = json.dumps({"CollectionId": FUZZ_COLLECTION, "ExternalImageId": "seed",
                       "Image": {"Bytes": base64.b64encode(hints.images["real_jpeg"]).decode()}}).encode()
    status, answer = send(endpoint, "RekognitionService.IndexFaces", body)
    if status == 200:
        hints.face_ids = [r["Face"]["FaceId"] for r in json.loads(answer)["FaceRecords"]]
    return hints


def fuzz(endpoint: str, count: int, run_seed: int = 0) -> FuzzReport:
    """Send ``count`` generated requests; every answer must be a 200 or a modeled 4xx error."""
    report = FuzzReport()
    hints = prepare(endpoint)
    strategy = requests(hints)

    @seed(run_seed)
    @settings(max_examples=count, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(st.data())
    def one(data: st.DataObject) -> None:
        target, body = data.draw(strategy)
        try:
            status, answer = send(endpoint, target, body)
        except OSError as exc:
            report.problems.append(f"{target}: no answer ({exc!r}) to a {len(body)}-byte body")
            return
        finally:
            report.requests += 1
        report.statuses[status] += 1
        report.codes[json.loads(answer).get("__type", "200") if status != 200 else "200"] += 1
        problem = judge(target, status, answer)
        if problem is not None:
            report.problems.append(problem)

    one()
    return report
