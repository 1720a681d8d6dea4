"""Stored video for the face engine: probe a video's metadata, analyse its sampled frames, track each person."""

from __future__ import annotations

from emulator.engine.video.analyse import DEFAULT_SAMPLE_FPS, VideoAnalysis, VideoFace, analyse, probe
from emulator.engine.video.container import (
    MAX_DURATION_MILLIS,
    MAX_VIDEO_BYTES,
    VideoMetadata,
    check_size,
)
from emulator.engine.video.errors import (
    TOO_LARGE_MESSAGE,
    UNSUPPORTED_MESSAGE,
    VideoCancelled,
    VideoError,
    VideoTooLarge,
)

__all__ = [
    "DEFAULT_SAMPLE_FPS",
    "MAX_DURATION_MILLIS",
    "MAX_VIDEO_BYTES",
    "TOO_LARGE_MESSAGE",
    "UNSUPPORTED_MESSAGE",
    "VideoAnalysis",
    "VideoCancelled",
    "VideoError",
    "VideoFace",
    "VideoMetadata",
    "VideoTooLarge",
    "analyse",
    "check_size",
    "probe",
]
