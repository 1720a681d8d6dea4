"""Shared helpers of the stored-video API tests: videos of known identities in S3, and polling a job to its end."""

from __future__ import annotations

import io
import time
from fractions import Fraction
from typing import Any

import av
import numpy as np

from tests.videos import Segment, video_bytes

#: Identity A (indexed into collections from another photo), identity B (never indexed), and a blank frame.
A_PHOTO = "barack_obama/1.jpg"
A_INDEXED = "barack_obama/3.jpg"
B_PHOTO = "angelina_jolie/1.jpg"
SIZE = (320, 240)
SEGMENT_S = 1.2
#: A, then B, then A again, 1.2 s each: A's windows are [0, 1200) and [2400, 3600) ms.
A_B_A: tuple[Segment, ...] = ((A_PHOTO, SEGMENT_S), (B_PHOTO, SEGMENT_S), (A_PHOTO, SEGMENT_S))
#: A short clip of A alone.
SHORT: tuple[Segment, ...] = ((A_PHOTO, 0.6),)
DEADLINE_S = 180.0
POLL_S = 0.2


def put_video(s3: Any, bucket: str, key: str, segments: tuple[Segment, ...], container: str = "mp4") -> None:
    """Store a video built from the face photos (the bucket is created if needed)."""
    if bucket not in {b["Name"] for b in s3.list_buckets()["Buckets"]}:
        s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key=key, Body=video_bytes(segments, SIZE, container=container))


def wait_for(get: Any, job_id: str, **kwargs: Any) -> dict[str, Any]:
    """Poll a Get* operation until the job leaves IN_PROGRESS (bounded); return that answer."""
    deadline = time.monotonic() + DEADLINE_S
    while True:
        answer: dict[str, Any] = get(JobId=job_id, **kwargs)
        if answer["JobStatus"] != "IN_PROGRESS":
            return answer
        if time.monotonic() > deadline:
            raise AssertionError(f"job {job_id} still IN_PROGRESS after {DEADLINE_S} s")
        time.sleep(POLL_S)


def all_pages(get: Any, job_id: str, key: str, **kwargs: Any) -> list[dict[str, Any]]:
    """Every result item of a finished job, following NextToken."""
    items: list[dict[str, Any]] = []
    token: str | None = None
    while True:
        page = get(JobId=job_id, **kwargs, **({"NextToken": token} if token else {}))
        items.extend(page[key])
        token = page.get("NextToken")
        if not token:
            return items


def in_window(timestamp: int, start: float, end: float, margin: int = 100) -> bool:
    """Whether a timestamp (ms) lies inside [start, end) seconds, away from the cuts by margin ms."""
    return start * 1000 + margin <= timestamp < end * 1000 - margin


def seven_hour_video() -> bytes:
    """A tiny H.264 MP4 whose two frames are 7 hours apart: longer than Rekognition Video's 6 hours."""
    buf = io.BytesIO()
    with av.open(buf, mode="w", format="mp4") as output:
        stream = output.add_stream("libx264", rate=1)
        stream.width, stream.height = 96, 96
        stream.pix_fmt = "yuv420p"
        stream.time_base = Fraction(1, 1)
        stream.options = {"preset": "ultrafast"}
        for pts in (0, 7 * 3600):
            frame = av.VideoFrame.from_ndarray(np.zeros((96, 96, 3), np.uint8), format="rgb24")
            frame.pts = pts
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
    return buf.getvalue()
