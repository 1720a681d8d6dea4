"""Faces in a stored video: sample frames, run the engine on each, give every person a stable index."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from emulator.engine.engine import Engine
from emulator.engine.face import DetectedFace
from emulator.engine.video.container import VideoMetadata, open_video
from emulator.engine.video.errors import VideoCancelled
from emulator.engine.video.prefetch import prefetched
from emulator.engine.video.sampling import sampled_frames
from emulator.engine.video.tracking import Tracker

#: Frames analysed per second of video. AWS does not publish its rate; its face results come several times a
#: second, and 5/s (every 200 ms) resolves a person passing through the frame while keeping a 640x480 video
#: well within real time on 2 cores (scripts/bench_video measures the ratio).
DEFAULT_SAMPLE_FPS = 5.0


@dataclass(frozen=True)
class VideoFace:
    """One face in one analysed frame: its time, its person's index (0-based, stable across frames), the face."""

    timestamp_ms: int
    index: int
    face: DetectedFace


@dataclass(frozen=True)
class VideoAnalysis:
    """A video's metadata, its faces in timestamp order (largest first within a frame) and the frames analysed."""

    metadata: VideoMetadata
    faces: list[VideoFace]
    frames_analysed: int


def probe(source: bytes | Path) -> VideoMetadata:
    """The metadata of a video Rekognition can analyse; VideoError (VideoTooLarge past the limits) otherwise."""
    with open_video(source) as video:
        return video.metadata


def analyse(source: bytes | Path, engine: Engine, *, attributes: frozenset[str] = frozenset(),
            descriptors: bool = True, sample_fps: float = DEFAULT_SAMPLE_FPS,
            cancelled: Callable[[], bool] | None = None,
            progress: Callable[[int], None] | None = None,
            sink: Callable[[VideoMetadata, list[VideoFace]], None] | None = None) -> VideoAnalysis:
    """Detect and track the faces of a video at sample_fps frames a second (see sampling.sampled_frames).

    Decoding runs a frame or two ahead in a background thread (prefetch.py) while the engine works on the
    current one. Descriptors are always computed (the tracker needs them); descriptors=False drops them from
    the result. progress(percent) is called after each analysed frame with 0-100 of the duration done;
    cancelled() is polled (in the caller's thread) before each analysed frame and raises VideoCancelled.
    sink(metadata, faces), when given, receives each analysed frame's faces (in the caller's thread) instead of
    the result keeping them: the result's faces stay empty, so a long video's faces are never all in memory.
    Raises VideoError for a video Rekognition would fail.
    """
    if not sample_fps > 0:
        raise ValueError(f"sample_fps must be positive, got {sample_fps}")
    faces: list[VideoFace] = []
    analysed = 0
    tracker = Tracker()
    with open_video(source) as video:
        duration = video.metadata.duration_millis
        frames = prefetched(sampled_frames(video, 1000.0 / sample_fps))
        try:
            for ms, image in frames:
                if cancelled is not None and cancelled():
                    raise VideoCancelled()
                found = engine.faces(image, descriptors=True, attributes=attributes, details=True)
                boxes = [(f.left, f.top, f.width, f.height) for f in found]
                indices = tracker.assign(ms, boxes, [f.descriptor for f in found])
                frame_faces = [VideoFace(timestamp_ms=ms, index=index,
                                         face=face if descriptors else dataclasses.replace(face, descriptor=None))
                               for face, index in zip(found, indices, strict=True)]
                if sink is not None:
                    sink(video.metadata, frame_faces)
                else:
                    faces.extend(frame_faces)
                analysed += 1
                if progress is not None:
                    progress(min(100, ms * 100 // duration) if duration > 0 else 0)
        finally:
            frames.close()  # stops the decoding thread before the container closes
        return VideoAnalysis(metadata=video.metadata, faces=faces, frames_analysed=analysed)
