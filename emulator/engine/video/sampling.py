"""Pick the frames to analyse on the presentation timeline and turn only those into RGB arrays."""

from __future__ import annotations

import math
from collections.abc import Iterator

import av
import numpy as np

from emulator.engine.video.container import OpenVideo
from emulator.engine.video.errors import VideoError

#: Half a millisecond: a frame this close before a sampling instant counts as on it (float timestamps).
_SLACK_MS = 0.5


def sampled_frames(video: OpenVideo, interval_ms: float) -> Iterator[tuple[int, np.ndarray]]:
    """(timestamp ms, (H, W, 3) uint8 RGB) of the first frame at or after each multiple of interval_ms.

    Timestamps are the frames' presentation times (frame.time) from the stream's start, so variable frame
    rates sample evenly in time (AVI, which stores none, counts frames at its rate); every frame is decoded
    (H.264 needs its references) but only the sampled ones are converted to RGB, then turned upright per the
    container's display matrix.
    """
    next_ms = 0.0
    last_ms = -1.0
    frame_ms = 1000.0 / float(video.stream.average_rate) if video.stream.average_rate else 40.0
    try:
        for count, frame in enumerate(video.frames):
            ms = count * frame_ms if video.counted_time else _frame_ms(frame, video.start_seconds, last_ms, frame_ms)
            last_ms = ms
            if ms + _SLACK_MS < next_ms:
                continue
            next_ms = (math.floor((ms + _SLACK_MS) / interval_ms) + 1) * interval_ms
            yield max(0, round(ms)), upright(frame)
    except av.FFmpegError as exc:
        raise VideoError(detail=f"cannot decode: {exc}") from exc


def upright(frame: av.VideoFrame) -> np.ndarray:
    """The frame as an (H, W, 3) uint8 RGB array, turned as its display matrix says (counter-clockwise degrees)."""
    image = frame.to_ndarray(format="rgb24")
    turns = (frame.rotation // 90) % 4
    return np.ascontiguousarray(np.rot90(image, k=turns)) if turns else image


def _frame_ms(frame: av.VideoFrame, start_seconds: float, last_ms: float, frame_ms: float) -> float:
    """A frame's presentation time in ms from the stream's start; one frame after the last when it has none."""
    if frame.time is None:
        return last_ms + frame_ms if last_ms >= 0 else 0.0
    return (frame.time - start_seconds) * 1000.0
