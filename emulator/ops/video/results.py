"""Analysed video faces to AWS's result items: FaceDetection for face detection, PersonMatch for face search."""

from __future__ import annotations

from typing import Any

from emulator.engine import DEFAULT_THRESHOLD
from emulator.engine.video import VideoFace, VideoMetadata
from emulator.ops.face_detail import bounding_box, face_detail, requested
from emulator.ops.runtime import Runtime
from emulator.ops.search import DEFAULT_MAX_FACES, matches
from emulator.store import CollectionRecord, ResultItem, VideoJob

#: FaceDetail members GetFaceDetection always leaves out (its API reference: "always null").
VIDEO_OMITS = ("FaceOccluded", "EyeDirection")


class CollectionMissing(Exception):
    """The job's collection was deleted before its faces could be searched."""


def engine_attributes(face_attributes: str | None) -> frozenset[str]:
    """The engine's attribute names for StartFaceDetection's FaceAttributes (DEFAULT or ALL), minus the omitted ones."""
    if face_attributes != "ALL":
        return frozenset()
    return requested(["ALL"]) - {"FACE_OCCLUDED", "EYE_DIRECTION"}


def metadata_dict(meta: VideoMetadata) -> dict[str, Any]:
    """AWS's VideoMetadata for the analysed video."""
    return {
        "Codec": meta.codec, "DurationMillis": meta.duration_millis, "Format": meta.format,
        "FrameRate": meta.frame_rate, "FrameHeight": meta.frame_height, "FrameWidth": meta.frame_width,
        "ColorRange": meta.color_range,
    }


def _ordered(faces: list[VideoFace]) -> list[VideoFace]:
    """Faces by timestamp, then by person index."""
    return sorted(faces, key=lambda vf: (vf.timestamp_ms, vf.index))


def _detail(vf: VideoFace, meta: VideoMetadata) -> dict[str, Any]:
    """A FaceDetail with ratios of the frame, without the members video analysis never returns."""
    detail = face_detail(vf.face, meta.frame_width, meta.frame_height)
    for member in VIDEO_OMITS:
        detail.pop(member, None)
    return detail


def detection_items(meta: VideoMetadata, faces: list[VideoFace]) -> list[ResultItem]:
    """GetFaceDetection's Faces for analysed faces: [{Timestamp, Face}] in timestamp order."""
    return [ResultItem(vf.timestamp_ms, vf.index, {"Timestamp": vf.timestamp_ms, "Face": _detail(vf, meta)})
            for vf in _ordered(faces)]


def search_collection(rt: Runtime, job: VideoJob) -> CollectionRecord:
    """The collection a face search job searches, or CollectionMissing once it is deleted."""
    record = rt.store.collections.get(job.account, job.region, job.params["CollectionId"])
    if record is None:
        raise CollectionMissing(job.params["CollectionId"])
    return record


def search_items(rt: Runtime, job: VideoJob, record: CollectionRecord, meta: VideoMetadata,
                 faces: list[VideoFace]) -> list[ResultItem]:
    """GetFaceSearch's Persons for analysed faces: every tracked face, with FaceMatches only when it matches.

    AWS leaves FaceMatches out of a person that matches no one (its own examples test `'FaceMatches' in
    personMatch`; a Java example that assumed it was always there hit a NullPointerException: awsdocs issue 5).
    """
    threshold = float(job.params.get("FaceMatchThreshold", DEFAULT_THRESHOLD))
    items = []
    for vf in _ordered(faces):
        found = [] if vf.face.descriptor is None else matches(rt, record, vf.face.descriptor, threshold,
                                                              DEFAULT_MAX_FACES)
        person = {"Index": vf.index, "BoundingBox": bounding_box(vf.face, meta.frame_width, meta.frame_height),
                  "Face": _detail(vf, meta)}
        item: dict[str, Any] = {"Timestamp": vf.timestamp_ms, "Person": person}
        if found:
            item["FaceMatches"] = found
        items.append(ResultItem(vf.timestamp_ms, vf.index, item))
    return items
