"""Open a stored video with PyAV, check it against Rekognition Video's formats and limits, read its metadata."""

from __future__ import annotations

import io
import itertools
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import av
import av.container
import av.video.stream
import numpy as np

from emulator.engine.video.errors import VideoError, VideoTooLarge

#: Largest stored video Rekognition accepts (10 GB, taken as GiB: the larger reading, so nothing AWS takes is refused).
MAX_VIDEO_BYTES = 10 * 1024 ** 3
#: Longest stored video Rekognition accepts: 6 hours.
MAX_DURATION_MILLIS = 6 * 3600 * 1000
#: FFmpeg demuxers of the containers Rekognition Video reads: MPEG-4 and MOV (one demuxer), and AVI, which the
#: API reference's Video shape lists beside them (".mp4, .mov and .avi").
SUPPORTED_DEMUXERS = frozenset({"mov,mp4,m4a,3gp,3g2,mj2", "avi"})
#: The only video codec Rekognition Video decodes.
SUPPORTED_CODECS = frozenset({"h264"})
#: FFmpeg's AVCOL_RANGE_JPEG: full-range (0-255) samples; anything else is taken as limited (TV) range.
_FULL_RANGE = 2
#: Demuxers that store no presentation times (AVI keeps decode order only; its frames' pts are unusable once
#: B-frames reorder them): time there is the frame count over the frame rate.
_NO_PTS_DEMUXERS = frozenset({"avi"})
#: Index entries checked at the end of the sample table for a truncated file.
_INDEX_TAIL = 64


@dataclass(frozen=True)
class VideoMetadata:
    """AWS VideoMetadata: Codec, DurationMillis, Format, FrameRate, FrameHeight, FrameWidth, ColorRange.

    Format is FFmpeg's demuxer name as AWS reports it ("QuickTime / MOV" for MP4 and MOV); FrameRate is the
    stream's average rate rounded to float32 as AWS's answers show (29.970029830932617); the frame size is the
    displayed one (width and height swapped when the container says to turn the picture by 90 degrees).
    """

    codec: str
    duration_millis: int
    format: str
    frame_rate: float
    frame_height: int
    frame_width: int
    color_range: str  # "FULL" | "LIMITED"


@dataclass
class OpenVideo:
    """An opened, checked video: its video stream, metadata, where its timeline starts, and its decoded frames."""

    stream: av.video.stream.VideoStream
    metadata: VideoMetadata
    start_seconds: float
    frames: Iterator[av.VideoFrame]  # every frame in presentation order, the probed first one included
    counted_time: bool = False  # AVI: no presentation times stored, frame n shows at n / frame rate


def source_size(source: bytes | Path) -> int:
    """The size in bytes of a video given as bytes or a file path."""
    return len(source) if isinstance(source, bytes | bytearray | memoryview) else Path(source).stat().st_size


def check_size(size: int) -> None:
    """Raise VideoTooLarge past the 10 GB limit."""
    if size > MAX_VIDEO_BYTES:
        raise VideoTooLarge(f"{size} bytes")


@contextmanager
def open_video(source: bytes | Path) -> Iterator[OpenVideo]:
    """Open and check a video (size, container, codec, duration, a first decodable frame); close it after."""
    check_size(source_size(source))
    try:
        container = av.open(io.BytesIO(source) if isinstance(source, bytes) else str(source), mode="r")
    except (av.FFmpegError, OSError, UnicodeDecodeError) as exc:
        raise VideoError(detail=f"cannot open: {exc}") from exc
    try:
        yield _checked(container)
    finally:
        container.close()


def _checked(container: av.container.InputContainer) -> OpenVideo:
    """The OpenVideo of a just-opened container, or VideoError/VideoTooLarge."""
    if container.format.name not in SUPPORTED_DEMUXERS:
        raise VideoError(detail=f"container {container.format.name}")
    if not container.streams.video:
        raise VideoError(detail="no video stream")
    stream = container.streams.video[0]
    codec = stream.codec_context.name
    if codec not in SUPPORTED_CODECS:
        raise VideoError(detail=f"codec {codec}")
    _check_complete(container, stream)
    stream.thread_type = "AUTO"  # frame and slice threads: set before the decoder opens on the first packet
    decoded = container.decode(stream)
    first = _first_frame(decoded)
    start = float(stream.start_time * stream.time_base) if stream.start_time is not None and stream.time_base else 0.0
    duration = _duration_millis(container, stream)
    if duration > MAX_DURATION_MILLIS:
        raise VideoTooLarge(f"{duration} ms")
    turned = (first.rotation // 90) % 2 == 1
    width, height = (first.height, first.width) if turned else (first.width, first.height)
    rate = stream.average_rate or stream.guessed_rate or stream.base_rate
    metadata = VideoMetadata(
        codec=codec, duration_millis=duration, format=container.format.long_name,
        frame_rate=float(np.float32(rate)) if rate else 0.0, frame_height=height, frame_width=width,
        color_range="FULL" if int(first.color_range) == _FULL_RANGE or first.format.name.startswith("yuvj")
        else "LIMITED")
    counted = container.format.name in _NO_PTS_DEMUXERS
    return OpenVideo(stream, metadata, 0.0 if counted else start, itertools.chain([first], decoded), counted)


def _check_complete(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> None:
    """Raise VideoError when the container's sample index points past the end of the file (a truncated upload)."""
    entries = stream.index_entries
    size = container.size
    if size <= 0 or len(entries) == 0:
        return
    tail = entries[max(0, len(entries) - _INDEX_TAIL):]
    end = max(entry.pos + entry.size for entry in tail)
    if end > size:
        raise VideoError(detail=f"truncated: the index reaches byte {end} of {size}")


def _first_frame(decoded: Iterator[av.VideoFrame]) -> av.VideoFrame:
    """Decode the first frame (the video is unusable without one)."""
    try:
        return next(decoded)
    except StopIteration:
        raise VideoError(detail="no decodable frame") from None
    except av.FFmpegError as exc:
        raise VideoError(detail=f"cannot decode: {exc}") from exc


def _duration_millis(container: av.container.InputContainer, stream: av.video.stream.VideoStream) -> int:
    """The video stream's duration in ms, else the container's; 0 when neither is known."""
    if stream.duration is not None and stream.time_base:
        return int(round(float(stream.duration * stream.time_base) * 1000))
    if container.duration is not None:
        return int(round(container.duration / 1000))  # container.duration is in AV_TIME_BASE (microseconds)
    return 0
