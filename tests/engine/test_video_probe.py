"""Video probing: AWS VideoMetadata from real H.264 files, and AWS's failures for what Rekognition cannot read."""

from __future__ import annotations

from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest

from emulator.engine.video import (
    MAX_VIDEO_BYTES,
    TOO_LARGE_MESSAGE,
    UNSUPPORTED_MESSAGE,
    VideoError,
    VideoTooLarge,
    check_size,
    probe,
)
from tests.conftest import faces_root
from tests.videos import audio_bytes, build_video, timed_video_bytes, video_bytes

JOLIE = "angelina_jolie/1.jpg"
SHORT = ((JOLIE, 0.4),)


def test_mp4_metadata_is_awss() -> None:
    """Codec, FFmpeg's format name as AWS reports it, duration, rate, size and colour range of an MP4."""
    meta = probe(video_bytes(((JOLIE, 1.0), (None, 0.6)), size=(640, 480), fps=25))
    assert (meta.codec, meta.format, meta.frame_width, meta.frame_height) == ("h264", "QuickTime / MOV", 640, 480)
    assert meta.duration_millis == 1600  # 40 frames of 40 ms
    assert meta.frame_rate == 25.0
    assert meta.color_range == "LIMITED"


def test_mov_and_ntsc_rate() -> None:
    """A MOV reads alike; 30000/1001 fps comes back float32-rounded as AWS shows it (29.970029830932617)."""
    meta = probe(video_bytes(SHORT, size=(320, 240), fps=Fraction(30000, 1001), container="mov"))
    assert (meta.codec, meta.format, meta.frame_width, meta.frame_height) == ("h264", "QuickTime / MOV", 320, 240)
    assert meta.frame_rate == pytest.approx(29.970029830932617, abs=1e-12)
    assert meta.duration_millis == 400


def test_full_range_and_file_path(tmp_path: Path) -> None:
    """A full-range H.264 stream says FULL; a Path source reads like bytes."""
    path = build_video(tmp_path / "full.mp4", SHORT, full_range=True)
    assert probe(path).color_range == "FULL"
    assert probe(path) == probe(path.read_bytes())


def test_rotated_video_reports_displayed_size() -> None:
    """A portrait phone-style video (stored landscape, display matrix 90 degrees) reports its displayed size."""
    meta = probe(video_bytes(SHORT, size=(240, 320), rotate=90))
    assert (meta.frame_width, meta.frame_height) == (240, 320)


def test_avi_with_h264_is_accepted() -> None:
    """AVI is among the API reference's formats (.mp4, .mov and .avi)."""
    meta = probe(video_bytes(SHORT, size=(320, 240), container="avi"))
    assert meta.codec == "h264" and meta.format.startswith("AVI")


def _unreadable() -> dict[str, bytes]:
    """Inputs Rekognition Video cannot analyse, by name."""
    good = video_bytes(((JOLIE, 1.0), ("angelina_jolie/3.jpg", 1.0)))
    return {
        "empty": b"",
        "random": np.random.default_rng(7).integers(0, 256, 50_000, dtype=np.uint8).tobytes(),
        "jpeg": (faces_root() / JOLIE).read_bytes(),
        "truncated-half": good[: len(good) // 2],
        "truncated-tail": good[:-100],
        "header-only": good[:64],
        "audio-only": audio_bytes(),
        "mpeg4-in-mp4": video_bytes(SHORT, size=(320, 240), codec="mpeg4"),
        "vp9-in-webm": video_bytes(SHORT, size=(320, 240), codec="vp9", container="webm"),
        "h264-in-mkv": video_bytes(SHORT, size=(320, 240), container="mkv"),
        "mjpeg-in-avi": video_bytes(SHORT, size=(320, 240), codec="mjpeg", container="avi"),
    }


UNREADABLE = ("empty", "random", "jpeg", "truncated-half", "truncated-tail", "header-only", "audio-only",
              "mpeg4-in-mp4", "vp9-in-webm", "h264-in-mkv", "mjpeg-in-avi")


@pytest.mark.parametrize("name", UNREADABLE)
def test_unreadable_video_fails_with_awss_status_message(name: str) -> None:
    """Not a video, a corrupt one, or not H.264 in MP4/MOV/AVI: VideoError whose message AWS's failed job shows."""
    with pytest.raises(VideoError) as caught:
        probe(_unreadable()[name])
    assert caught.value.message == UNSUPPORTED_MESSAGE == "Unsupported codec/format."
    assert not isinstance(caught.value, VideoTooLarge)


def test_longer_than_six_hours_is_too_large() -> None:
    """Two frames 6 h 1 s apart: over the duration limit, with VideoTooLargeException's text."""
    with pytest.raises(VideoTooLarge) as caught:
        probe(timed_video_bytes(((None, 0), (None, 6 * 3600 * 1000 + 1000)), size=(160, 120)))
    assert caught.value.message == TOO_LARGE_MESSAGE
    assert "10GB" in caught.value.message and "6 hours" in caught.value.message


def test_size_limit_is_ten_gigabytes() -> None:
    """check_size (what Start* runs on the S3 object's size) refuses past 10 GB and takes up to it."""
    check_size(MAX_VIDEO_BYTES)
    with pytest.raises(VideoTooLarge):
        check_size(MAX_VIDEO_BYTES + 1)
