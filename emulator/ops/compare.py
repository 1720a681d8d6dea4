"""CompareFaces: the largest source face against each of the target's faces."""

from __future__ import annotations

from typing import Any

import numpy as np

from emulator.context import RequestContext
from emulator.engine import DEFAULT_THRESHOLD, MAX_FACES, quality_filter_reasons, similarity
from emulator.errors import InvalidParameterException
from emulator.ops.face_detail import COMPARED_ATTRIBUTES, bounding_box, compared_face
from emulator.ops.images import load_image
from emulator.ops.registry import Params, Result, operation
from emulator.ops.runtime import Runtime


@operation("CompareFaces")
def compare_faces(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Compare the largest face of the source image with the faces of the target image."""
    level = params.get("QualityFilter") or "NONE"
    threshold = params.get("SimilarityThreshold", DEFAULT_THRESHOLD)
    source = load_image(ctx, rt, params["SourceImage"])
    target = load_image(ctx, rt, params["TargetImage"])
    src_faces = [f for f in rt.engine.faces(source.pixels, largest_only=True, descriptors=True)
                 if not quality_filter_reasons(f, (source.height, source.width), level)]
    if not src_faces:
        raise InvalidParameterException("There are no faces in the source image. Should be at least 1.")
    tgt_faces = [f for f in rt.engine.faces(target.pixels, descriptors=True, limit=MAX_FACES,
                                            attributes=COMPARED_ATTRIBUTES)
                 if not quality_filter_reasons(f, (target.height, target.width), level)]
    if not tgt_faces:
        raise InvalidParameterException("There are no faces in the target image. Should be at least 1.")
    probe = src_faces[0]
    assert probe.descriptor is not None
    vectors = np.stack([np.asarray(f.descriptor, dtype=np.float32) for f in tgt_faces])
    distances = np.linalg.norm(vectors - probe.descriptor, axis=1)
    matched: list[dict[str, Any]] = []
    unmatched: list[dict[str, Any]] = []
    for face, distance in zip(tgt_faces, distances, strict=True):
        score = similarity(float(distance))
        shaped = compared_face(face, target.width, target.height)
        if score >= threshold:
            matched.append({"Similarity": score, "Face": shaped})
        else:
            unmatched.append(shaped)
    matched.sort(key=lambda m: float(m["Similarity"]), reverse=True)
    return {
        "SourceImageFace": {"BoundingBox": bounding_box(probe, source.width, source.height),
                            "Confidence": probe.confidence},
        "FaceMatches": matched,
        "UnmatchedFaces": unmatched,
    }
