#!/usr/bin/env python3
"""Benchmark stored-video face analysis on a 640x480 H.264 clip built from the face photos, as ratios.

Every figure is a ratio measured in this run (medians over rounds), so machine load cancels out:
  - analyse() at DEFAULT_SAMPLE_FPS: video duration / processing time ("x real time"; issue 21's goal >= 4
    on 2 cores), the share of that time the engine is busy, and what decoding + converting the sampled frames
    alone would add (analyse runs it ahead in a thread, overlapping the engine);
  - decode alone (every frame, no RGB): x real time, with PyAV's threaded decoding (thread_type AUTO, what
    analyse uses) against single-threaded, and with non-reference frames skipped (not usable for sampling:
    a sampled instant can fall on a skipped frame; shown for what it would save);
  - RGB conversion of only the sampled frames (analyse's way) against converting every frame.
The clip pans and carries noise (tests/videos.py motion=True, x264 veryfast: CABAC and B-frames) so decoding
costs what camera footage costs; faces show most of the time, with one two-person scene and blank gaps.
Usage: scripts/bench_video [--seconds S] [--rounds R] [--threads T] [--fps F]
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Literal

import av

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from emulator.engine import Engine  # noqa: E402
from emulator.engine.video import DEFAULT_SAMPLE_FPS, analyse, probe  # noqa: E402
from emulator.engine.video.container import open_video  # noqa: E402
from emulator.engine.video.sampling import sampled_frames  # noqa: E402
from tests.photos import identities  # noqa: E402
from tests.videos import Segment, build_video  # noqa: E402

SCENE_SECONDS = 2.0


def scenes(seconds: float) -> list[Segment]:
    """Photo scenes of SCENE_SECONDS filling `seconds`: identities in turn, a two-person scene, a blank every 6th."""
    people = [paths[0] for paths in identities().values()]
    out: list[Segment] = []
    i = 0
    while sum(s for _, s in out) < seconds:
        photo = None if i % 6 == 5 else "_multi/two_people_biden_obama.jpg" if i % 6 == 3 else people[i % len(people)]
        out.append((photo, SCENE_SECONDS))
        i += 1
    return out


SkipFrame = Literal["NONE", "DEFAULT", "NONREF", "BIDIR", "NONINTRA", "NONKEY", "ALL"]


def decode_only(path: Path, thread_type: str, skip: SkipFrame = "DEFAULT", convert: str = "none",
                interval_ms: float = 200.0) -> int:
    """Decode every frame (thread_type, skip_frame as given); convert none, the sampled ones or all to RGB."""
    if convert == "sampled":
        with open_video(path) as video:
            return sum(1 for _ in sampled_frames(video, interval_ms))
    count = 0
    with av.open(str(path)) as container:
        stream = container.streams.video[0]
        stream.thread_type = thread_type
        stream.codec_context.skip_frame = skip
        for frame in container.decode(stream):
            if convert == "all":
                frame.to_ndarray(format="rgb24")
            count += 1
    return count


def timed(fn: Callable[[], object], rounds: int) -> float:
    """Median wall seconds of fn over rounds."""
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def main() -> int:
    """Build the clip, time each contender, print ratios."""
    ap = argparse.ArgumentParser()
    ap.add_argument("--seconds", type=float, default=24.0, help="clip length")
    ap.add_argument("--rounds", type=int, default=3, help="rounds per measurement (median)")
    ap.add_argument("--threads", type=int, default=2, help="onnxruntime intra-op threads, as serve's")
    ap.add_argument("--fps", type=float, default=DEFAULT_SAMPLE_FPS, help="frames analysed per second")
    args = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        path = build_video(Path(tmp) / "bench.mp4", scenes(args.seconds), size=(640, 480), fps=25, motion=True)
        meta = probe(path)
        duration = meta.duration_millis / 1000
        print(f"clip: {meta.frame_width}x{meta.frame_height} {meta.codec} {meta.frame_rate:g} fps, {duration:.1f} s, "
              f"{path.stat().st_size / 1e6:.1f} MB; sampling {args.fps:g}/s; rounds {args.rounds}; "
              f"engine threads {args.threads}")
        engine = Engine(threads=args.threads)
        engine.warm()
        engine_seconds: list[float] = []
        real_faces = engine.faces

        def counted_faces(*a: object, **k: object) -> object:
            start = time.perf_counter()
            try:
                return real_faces(*a, **k)  # type: ignore[arg-type]
            finally:
                engine_seconds.append(time.perf_counter() - start)

        engine.faces = counted_faces  # type: ignore[method-assign,assignment]
        runs = []
        for _ in range(args.rounds):
            engine_seconds.clear()
            start = time.perf_counter()
            result = analyse(path, engine, sample_fps=args.fps)
            runs.append((time.perf_counter() - start, sum(engine_seconds)))
        total, in_engine = sorted(runs)[len(runs) // 2]
        persons = len({f.index for f in result.faces})
        print(f"analyse: {result.frames_analysed} frames, {len(result.faces)} faces, {persons} person indices")
        interval = 1000.0 / args.fps
        sampled = timed(lambda: decode_only(path, "AUTO", convert="sampled", interval_ms=interval), args.rounds)
        print(f"analyse at {args.fps:g}/s: {duration / total:.2f}x real time (goal >= 4); engine busy "
              f"{100 * in_engine / total:.0f}% of it; decode + RGB of the sampled frames alone "
              f"{100 * sampled / total:.0f}% of it (overlapped: engine + decode = {(in_engine + sampled) / total:.2f} "
              f"of analyse's time)")
        contenders = {
            "decode, threads AUTO": lambda: decode_only(path, "AUTO"),
            "decode, single thread": lambda: decode_only(path, "NONE"),
            "decode AUTO, non-reference frames skipped": lambda: decode_only(path, "AUTO", skip="NONREF"),
            "decode AUTO + RGB of sampled frames": lambda: decode_only(path, "AUTO", convert="sampled",
                                                                       interval_ms=interval),
            "decode AUTO + RGB of every frame": lambda: decode_only(path, "AUTO", convert="all"),
        }
        base = None
        for name, fn in contenders.items():
            seconds = timed(fn, args.rounds)
            base = base or seconds
            print(f"{name}: {duration / seconds:.1f}x real time ({seconds / base:.2f} of threaded decode)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
