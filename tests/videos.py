"""Test videos written with PyAV from the shared face photos: which identity shows at which timestamp is known."""

from __future__ import annotations

import functools
import io
import tempfile
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

import av
import numpy as np
from PIL import Image

from tests.conftest import faces_root

#: One stretch of a video: a photo (manifest path relative to the faces folder, or a Path) or None for a blank
#: frame, and how many seconds it shows.
Segment = tuple[str | Path | None, float]

#: Encoder per codec name given to build_video (FFmpeg's libx264 for H.264, as AWS requires).
ENCODERS = {"h264": "libx264", "mpeg4": "mpeg4", "vp9": "libvpx-vp9", "mjpeg": "mjpeg"}
#: FFmpeg muxer per container name.
MUXERS = {"mp4": "mp4", "mov": "mov", "mkv": "matroska", "webm": "webm", "avi": "avi"}


def letterbox(photo: str | Path | None, size: tuple[int, int]) -> np.ndarray:
    """An (H, W, 3) uint8 frame of `size` (width, height): the photo scaled to fit, centred on black."""
    width, height = size
    frame = np.zeros((height, width, 3), dtype=np.uint8)
    if photo is None:
        return frame
    path = photo if isinstance(photo, Path) else faces_root() / photo
    img = Image.open(path).convert("RGB")
    img.thumbnail((width, height), Image.Resampling.BILINEAR)
    left, top = (width - img.width) // 2, (height - img.height) // 2
    frame[top:top + img.height, left:left + img.width] = np.asarray(img)
    return frame


def write_video(out: Path | io.BytesIO, segments: Sequence[Segment], size: tuple[int, int] = (640, 480),
                fps: int | Fraction = 25, container: str = "mp4", codec: str = "h264", rotate: int = 0,
                full_range: bool = False, motion: bool = False) -> None:
    """Encode the segments into `out`: every photo letterboxed into `size` for its seconds, at a constant fps.

    motion: each frame pans a few pixels and carries sensor-like noise, so the encoder cannot skip static
    frames and decoding costs what camera footage costs (for benchmarks; tests keep still pictures).

    rotate (a multiple of 90, counter-clockwise as PyAV's VideoFrame.rotation): the pictures are stored turned
    the other way and the container's display matrix says to turn them back, as phones record portrait video;
    `size` is then the displayed size.
    """
    turns = (rotate // 90) % 4
    # A file gets its index (moov) up front as most tools write MP4/MOV for upload; FFmpeg needs a file for that.
    options = {"movflags": "faststart"} if isinstance(out, Path) and container in ("mp4", "mov") else {}
    with av.open(out, mode="w", format=MUXERS[container], options=options) as output:
        stream = output.add_stream(ENCODERS[codec], rate=fps)
        assert isinstance(stream, av.VideoStream)  # a video encoder's stream
        stream.width, stream.height = size if turns % 2 == 0 else size[::-1]
        stream.pix_fmt = "yuvj420p" if codec == "mjpeg" else "yuv420p"
        stream.time_base = 1 / Fraction(fps)
        if full_range:
            stream.codec_context.color_range = 2  # AVCOL_RANGE_JPEG: 0-255 samples, flagged in the H.264 VUI
        if codec == "h264":
            # veryfast keeps CABAC and B-frames, as cameras and phones write (decoding costs what theirs cost)
            stream.options = {"preset": "veryfast" if motion else "ultrafast", "crf": "20"}
        if rotate:
            stream.set_display_rotation(rotate)
        index = 0
        noise = np.random.default_rng(0)
        for photo, seconds in segments:
            image = np.ascontiguousarray(np.rot90(letterbox(photo, size), k=-turns))
            for _ in range(round(seconds * fps)):
                picture = _moved(image, index, noise) if motion else image
                frame = av.VideoFrame.from_ndarray(picture, format="rgb24")
                frame.pts = index
                index += 1
                output.mux(stream.encode(frame))
        output.mux(stream.encode(None))


def _moved(image: np.ndarray, index: int, noise: np.random.Generator) -> np.ndarray:
    """The frame panned sideways (a slow sway of up to 12 px) with +-4 levels of noise."""
    shifted = np.roll(image, int(round(12 * np.sin(index / 15))), axis=1)
    grain = noise.integers(-4, 5, size=image.shape[:2] + (1,), dtype=np.int16)
    moved: np.ndarray = np.clip(shifted.astype(np.int16) + grain, 0, 255).astype(np.uint8)
    return moved


def build_video(path: Path, segments: Sequence[Segment], size: tuple[int, int] = (640, 480),
                fps: int | Fraction = 25, container: str = "mp4", codec: str = "h264", rotate: int = 0,
                full_range: bool = False, motion: bool = False) -> Path:
    """Write a video file at `path` (see write_video) and return the path."""
    write_video(path, segments, size, fps, container, codec, rotate, full_range, motion)
    return path


@functools.cache
def video_bytes(segments: tuple[Segment, ...], size: tuple[int, int] = (640, 480), fps: int | Fraction = 25,
                container: str = "mp4", codec: str = "h264", rotate: int = 0, full_range: bool = False,
                motion: bool = False) -> bytes:
    """The bytes of a video file (see write_video), built once per argument set for the session."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / f"video.{container}"
        write_video(path, segments, size, fps, container, codec, rotate, full_range, motion)
        return path.read_bytes()


@functools.cache
def timed_video_bytes(frames: tuple[tuple[str | Path | None, int], ...], size: tuple[int, int] = (640, 480)) -> bytes:
    """An H.264 MP4 whose frames (photo or None, presentation time in ms) come at the given, uneven times."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "timed.mp4"
        with av.open(path, mode="w", format="mp4", options={"movflags": "faststart"}) as output:
            stream = output.add_stream("libx264", rate=25)
            stream.width, stream.height = size
            stream.pix_fmt = "yuv420p"
            stream.time_base = Fraction(1, 1000)
            stream.codec_context.time_base = Fraction(1, 1000)
            stream.options = {"preset": "ultrafast", "crf": "20", "bf": "0"}
            for photo, ms in frames:
                frame = av.VideoFrame.from_ndarray(letterbox(photo, size), format="rgb24")
                frame.pts = ms
                frame.time_base = Fraction(1, 1000)
                output.mux(stream.encode(frame))
            output.mux(stream.encode(None))
        return path.read_bytes()


def audio_bytes(seconds: float = 1.0, container: str = "mp4") -> bytes:
    """An audio-only file (AAC, a 440 Hz tone) in `container`: no video stream at all."""
    rate = 44100
    buf = io.BytesIO()
    with av.open(buf, mode="w", format=MUXERS[container]) as output:
        stream = output.add_stream("aac", rate=rate)
        samples = int(seconds * rate)
        tone = (0.2 * np.sin(2 * np.pi * 440 * np.arange(samples) / rate)).astype(np.float32)
        for start in range(0, samples, 1024):
            chunk = tone[start:start + 1024].reshape(1, -1)
            frame = av.AudioFrame.from_ndarray(chunk, format="fltp", layout="mono")
            frame.sample_rate = rate
            frame.pts = start
            output.mux(stream.encode(frame))
        output.mux(stream.encode(None))
    return buf.getvalue()
