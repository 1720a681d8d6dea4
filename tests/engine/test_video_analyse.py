"""analyse() on real H.264 videos built from the face photos: who is where when, stable indices, cancellation."""

from __future__ import annotations

import threading
from collections import defaultdict

import numpy as np
import pytest

from emulator.engine import DetectedFace, Engine
from emulator.engine.video import VideoAnalysis, VideoCancelled, VideoError, VideoFace, VideoMetadata, analyse
from tests.videos import letterbox, timed_video_bytes, video_bytes

JOLIE, JOLIE_LATER = "angelina_jolie/1.jpg", "angelina_jolie/3.jpg"
TWO = "_multi/two_people_biden_obama.jpg"
#: Jolie 0-1 s, nobody 1-1.6 s, Biden and Obama 1.6-2.6 s, Jolie again (another photo) 2.6-3.4 s.
SCENES = ((JOLIE, 1.0), (None, 0.6), (TWO, 1.0), (JOLIE_LATER, 0.8))
SIZE = (640, 480)


@pytest.fixture(scope="module")
def scenes(engine: Engine) -> VideoAnalysis:
    """SCENES analysed once at the default 5 frames a second."""
    return analyse(video_bytes(SCENES, size=SIZE), engine)


def by_time(result: VideoAnalysis) -> dict[int, list[tuple[int, DetectedFace]]]:
    """(index, face) per analysed timestamp that has faces, in result order."""
    out: dict[int, list[tuple[int, DetectedFace]]] = defaultdict(list)
    for vf in result.faces:
        out[vf.timestamp_ms].append((vf.index, vf.face))
    return out


def reference(engine: Engine, photo: str) -> DetectedFace:
    """The largest face of a photo letterboxed as the video shows it, straight from the engine."""
    return engine.faces(letterbox(photo, SIZE), largest_only=True)[0]


def test_faces_at_the_right_timestamps(scenes: VideoAnalysis) -> None:
    """Sampled every 200 ms of presentation time: one face, none, two, one, each where its photo shows."""
    assert scenes.frames_analysed == 17  # 0, 200, ..., 3200 of a 3.4 s video
    assert scenes.metadata.duration_millis == 3400
    counts = {ms: len(faces) for ms, faces in by_time(scenes).items()}
    expected = {ms: 1 for ms in range(0, 1000, 200)} | {ms: 2 for ms in range(1600, 2600, 200)}
    expected |= {ms: 1 for ms in range(2600, 3400, 200)}
    assert counts == expected
    assert [vf.timestamp_ms for vf in scenes.faces] == sorted(vf.timestamp_ms for vf in scenes.faces)


def test_faces_are_the_photos_faces(engine: Engine, scenes: VideoAnalysis) -> None:
    """Each face is its photo's: box within a few pixels and descriptor within dlib's same-person distance."""
    for ms, faces in by_time(scenes).items():
        photo = JOLIE if ms < 1000 else JOLIE_LATER if ms >= 2600 else None
        if photo is None:
            continue
        ref, (_, face) = reference(engine, photo), faces[0]
        assert abs(face.left - ref.left) < 6 and abs(face.width - ref.width) < 6
        assert face.descriptor is not None and ref.descriptor is not None
        assert float(np.linalg.norm(face.descriptor - ref.descriptor)) < 0.3  # only H.264 compression between
        assert face.pose is not None


def test_indices_stable_across_frames_and_a_gap(scenes: VideoAnalysis) -> None:
    """Jolie keeps one index through her scene and gets it back after 1.6 s away, from another photo."""
    timeline = by_time(scenes)
    jolie = {timeline[ms][0][0] for ms in list(range(0, 1000, 200)) + list(range(2600, 3400, 200))}
    assert jolie == {0}


def test_two_people_in_a_frame_get_two_stable_indices(scenes: VideoAnalysis) -> None:
    """Biden and Obama: two distinct indices, not Jolie's, the same pair in every frame, largest face first."""
    pairs = [by_time(scenes)[ms] for ms in range(1600, 2600, 200)]
    first = [index for index, _ in pairs[0]]
    assert len(set(first)) == 2 and 0 not in first
    for pair in pairs:
        assert [index for index, _ in pair] == first
        assert pair[0][1].area >= pair[1][1].area


def test_sample_rate_and_descriptors_off(engine: Engine) -> None:
    """At 2 frames a second, the first 40 ms frame at or after each 500 ms step; descriptors=False drops them."""
    result = analyse(video_bytes(SCENES, size=SIZE), engine, sample_fps=2, descriptors=False)
    assert result.frames_analysed == 7  # 0, 520, 1000, 1520, 2000, 2520, 3000
    assert sorted({vf.timestamp_ms for vf in result.faces}) == [0, 520, 2000, 2520, 3000]
    assert all(vf.face.descriptor is None for vf in result.faces)
    assert {vf.index for vf in result.faces if vf.timestamp_ms in (0, 520, 3000)} == {0}


def test_attributes_pass_through(engine: Engine) -> None:
    """Asked attributes come back on every face (the engine's own estimators)."""
    result = analyse(video_bytes(((JOLIE, 0.4),), size=SIZE), engine, attributes=frozenset({"SMILE"}))
    assert result.faces and all(vf.face.attributes is not None and vf.face.attributes.smile is not None
                                for vf in result.faces)


def test_variable_frame_rate_samples_on_presentation_time(engine: Engine) -> None:
    """Frames at uneven times: the first frame at or after each 200 ms step is analysed, at its own time."""
    times = (0, 30, 90, 100, 250, 260, 430, 700, 1000)
    result = analyse(timed_video_bytes(tuple((JOLIE, ms) for ms in times), size=SIZE), engine)
    assert [vf.timestamp_ms for vf in result.faces] == [0, 250, 430, 700, 1000]
    assert result.frames_analysed == 5


@pytest.mark.parametrize("container", ["mp4", "mov", "avi"])
def test_b_frames_keep_presentation_order(engine: Engine, container: str) -> None:
    """Camera-like H.264 (B-frames reordered in decoding, panning, noise): faces at 0, 200, 400 ms in any container."""
    data = video_bytes(((JOLIE, 0.6), (None, 0.6)), size=(320, 240), container=container, motion=True)
    result = analyse(data, engine)
    assert result.frames_analysed == 6
    assert [vf.timestamp_ms for vf in result.faces] == [0, 200, 400]
    assert {vf.index for vf in result.faces} == {0}


def test_rotated_video_is_analysed_upright(engine: Engine) -> None:
    """A portrait video stored turned (display matrix 90 degrees): faces come upright, in displayed coordinates."""
    result = analyse(video_bytes(((JOLIE, 0.4),), size=(480, 640), rotate=90), engine)
    assert result.faces
    for vf in result.faces:
        assert vf.face.pose is not None and abs(vf.face.pose.roll) < 20
        assert vf.face.right <= 480 + 5 and vf.face.bottom <= 640 + 5


def test_progress_and_cancellation(engine: Engine) -> None:
    """progress() rises to the last analysed frame's share; cancelled() stops the run before the next frame."""
    data = video_bytes(SCENES, size=SIZE)
    seen: list[int] = []
    analyse(data, engine, sample_fps=1, progress=seen.append)
    assert seen == [0, 29, 58, 88]  # frames at 0, 1000, 2000 and 3000 ms of 3400
    seen.clear()
    polls = iter(range(1000))
    with pytest.raises(VideoCancelled):
        analyse(data, engine, cancelled=lambda: next(polls) >= 3, progress=seen.append)
    assert seen == [0, 5, 11]  # three frames (0, 200, 400 ms) analysed, the fourth never started
    assert not [t for t in threading.enumerate() if t.name == "video-decode"]  # the decoding thread ended


def test_corrupt_video_fails_analyse_too(engine: Engine) -> None:
    """analyse() refuses a truncated file as probe does (the job fails with AWS's message)."""
    data = video_bytes(SCENES, size=SIZE)
    with pytest.raises(VideoError) as caught:
        analyse(data[: len(data) * 2 // 3], engine)
    assert caught.value.message == "Unsupported codec/format."


def test_sink_takes_each_frame_instead_of_the_result(engine: Engine, scenes: VideoAnalysis) -> None:
    """With a sink, each analysed frame's faces go to it as they come and the result keeps none of them."""
    frames: list[tuple[int, list[int]]] = []

    def sink(meta: VideoMetadata, faces: list[VideoFace]) -> None:
        assert meta == scenes.metadata
        frames.append((faces[0].timestamp_ms if faces else -1, [vf.index for vf in faces]))
        assert all(vf.timestamp_ms == faces[0].timestamp_ms for vf in faces)

    result = analyse(video_bytes(SCENES, size=SIZE), engine, sink=sink)
    assert result.faces == [] and result.frames_analysed == scenes.frames_analysed == len(frames)
    streamed = [(ms, index) for ms, indices in frames for index in indices]
    assert streamed == [(vf.timestamp_ms, vf.index) for vf in scenes.faces]
