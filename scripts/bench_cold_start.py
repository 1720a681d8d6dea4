#!/usr/bin/env python3
"""Cold start to first answer: `serve` in a child process, with and without its background model warm-up.

For each mode, and for a first request sent as soon as the server prints `listening on` and one sent
--delay seconds later (a client that first sets things up), prints: seconds from spawn to `listening on`,
the first DetectFaces (Attributes=ALL) request's own latency, and spawn to its answer. Modes alternate
within each run so machine load hits them alike; medians over --runs.
Usage: scripts/bench_cold_start [--delay SECONDS] [--runs N]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from tests.photos import identities, photo  # noqa: E402
from tests.robustness.procserver import ServerProcess  # noqa: E402


def once(warm: bool, delay: float) -> tuple[float, float, float]:
    """(spawn -> listening, first request latency, spawn -> first answer) in seconds for one fresh server."""
    image = {"Bytes": photo(identities()["barack_obama"][0])}
    with tempfile.TemporaryDirectory() as tmp:
        server = ServerProcess(Path(tmp) / "data", [] if warm else ["--no-warm-up"])
        spawned = time.perf_counter()
        server.start()
        listening = time.perf_counter()
        try:
            client = server.client()
            time.sleep(delay)
            sent = time.perf_counter()
            client.detect_faces(Image=image, Attributes=["ALL"])
            answered = time.perf_counter()
        finally:
            server.terminate()
            server.wait(timeout=60)
    return listening - spawned, answered - sent, answered - spawned


def main() -> int:
    """Run each mode --runs times, interleaved, and print medians."""
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--delay", type=float, default=5.0)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    results: dict[tuple[bool, float], list[tuple[float, float, float]]] = {}
    for _ in range(args.runs):
        for delay in (0.0, args.delay):
            for warm in (True, False):
                results.setdefault((warm, delay), []).append(once(warm, delay))
    print("| warm-up | first request sent | spawn -> listening (s) | first request latency (s) | spawn -> answer (s) |")
    print("|---|---|---|---|---|")
    for (warm, delay), runs in results.items():
        med = [statistics.median(r[i] for r in runs) for i in range(3)]
        when = "at listening" if delay == 0 else f"{delay:g} s later"
        print(f"| {'on' if warm else 'off'} | {when} | {med[0]:.2f} | {med[1]:.2f} | {med[2]:.2f} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
