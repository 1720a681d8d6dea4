"""SearchFaces and SearchFacesByImage: nearest faces of a collection above a similarity threshold."""

from __future__ import annotations

from typing import Any

import numpy as np
import numpy.typing as npt

from emulator.context import RequestContext
from emulator.engine import DEFAULT_THRESHOLD, max_distance, quality_filter_reasons, similarity
from emulator.errors import InvalidParameterException
from emulator.ops.face_detail import bounding_box
from emulator.ops.faces import face_dict
from emulator.ops.images import load_image
from emulator.ops.lookups import collection_of
from emulator.ops.registry import Params, Result, operation
from emulator.ops.runtime import Runtime
from emulator.store import CollectionRecord

DEFAULT_MAX_FACES = 4096
NO_FACE = "There are no faces in the image. Should be at least 1."


def matches(rt: Runtime, record: CollectionRecord, vector: npt.NDArray[np.float32], threshold: float,
            max_faces: int, exclude: str | None = None) -> list[dict[str, Any]]:
    """Return FaceMatches at or above threshold, most similar first."""
    k = max_faces + (1 if exclude else 0)
    hits = rt.index(record).search(vector, k, max_distance(threshold))
    faces = rt.store.faces.by_labels([label for label, _ in hits])
    out: list[dict[str, Any]] = []
    for label, distance in hits:
        face = faces.get(label)
        score = similarity(distance)
        if face is None or face.face_id == exclude or score < threshold:
            continue
        out.append({"Similarity": score, "Face": face_dict(face)})
    return out[:max_faces]


@operation("SearchFaces")
def search_faces(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Search a collection with the descriptor of one of its faces, leaving that face out."""
    record = collection_of(ctx, rt, params["CollectionId"])
    face_id = params["FaceId"]
    vector = rt.store.faces.descriptor(record.pk, face_id)
    if vector is None:
        raise InvalidParameterException("faceId was not found in the collection.")
    threshold = params.get("FaceMatchThreshold", DEFAULT_THRESHOLD)
    found = matches(rt, record, vector, threshold, params.get("MaxFaces") or DEFAULT_MAX_FACES, exclude=face_id)
    return {"SearchedFaceId": face_id, "FaceMatches": found, "FaceModelVersion": record.face_model_version}


@operation("SearchFacesByImage")
def search_faces_by_image(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Search a collection with the largest face of an image."""
    record = collection_of(ctx, rt, params["CollectionId"])
    image = load_image(ctx, rt, params["Image"])
    level = params.get("QualityFilter") or "NONE"
    # The answer carries only the box and confidence: the face mesh (Pose) runs only for EXTREME_POSE.
    faces = rt.engine.faces(image.pixels, largest_only=True, descriptors=True, details=level != "NONE")
    if not faces or quality_filter_reasons(faces[0], (image.height, image.width), level):
        raise InvalidParameterException(NO_FACE)
    face = faces[0]
    assert face.descriptor is not None
    threshold = params.get("FaceMatchThreshold", DEFAULT_THRESHOLD)
    found = matches(rt, record, face.descriptor, threshold, params.get("MaxFaces") or DEFAULT_MAX_FACES)
    return {
        "SearchedFaceBoundingBox": bounding_box(face, image.width, image.height),
        "SearchedFaceConfidence": face.confidence,
        "FaceMatches": found,
        "FaceModelVersion": record.face_model_version,
    }
