"""IndexFaces, ListFaces and DeleteFaces."""

from __future__ import annotations

import threading
import uuid
from typing import Any

import numpy as np

from emulator.context import RequestContext
from emulator.engine import MAX_FACES, DetectedFace, quality_filter_reasons
from emulator.errors import ServiceQuotaExceededException
from emulator.ops.face_detail import face_detail, requested
from emulator.ops.images import load_image
from emulator.ops.lookups import collection_missing, collection_of
from emulator.ops.pagination import paginate
from emulator.ops.registry import Params, Result, operation
from emulator.ops.runtime import FACE_MODEL_VERSION, Runtime
from emulator.store import CollectionGone, CollectionRecord, FaceRecord, NewFace

_IMAGE_LOCKS = tuple(threading.Lock() for _ in range(64))
DEFAULT_PAGE = 1000


def face_dict(rec: FaceRecord) -> dict[str, Any]:
    """Return the Face shape of a stored face."""
    out: dict[str, Any] = {
        "FaceId": rec.face_id,
        "BoundingBox": {"Width": rec.width, "Height": rec.height, "Left": rec.left, "Top": rec.top},
        "ImageId": rec.image_id,
        "ExternalImageId": rec.external_image_id,
        "Confidence": rec.confidence,
        "IndexFacesModelVersion": rec.model_version,
    }
    if rec.user_id is not None:
        out["UserId"] = rec.user_id
    return out


def _select(faces: list[DetectedFace], shape: tuple[int, int], level: str, max_faces: int
            ) -> tuple[list[DetectedFace], list[tuple[DetectedFace, list[str]]]]:
    """Split faces into those to index and those refused with their reasons."""
    passed: list[DetectedFace] = []
    refused: list[tuple[DetectedFace, list[str]]] = []
    for face in faces:
        reasons = quality_filter_reasons(face, shape, level)
        if reasons:
            refused.append((face, reasons))
        else:
            passed.append(face)
    # Over MaxFaces: the lowest-quality faces go first, then the smallest (AWS's documented order).
    ranked = sorted(passed, key=lambda f: (not quality_filter_reasons(f, shape, "LOW"), f.area), reverse=True)
    keep = {id(f) for f in ranked[:max_faces]}
    refused.extend((f, ["EXCEEDS_MAX_FACES"]) for f in passed if id(f) not in keep)
    return [f for f in passed if id(f) in keep], refused


@operation("IndexFaces")
def index_faces(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Detect faces in an image and store the qualifying ones, largest first."""
    record = collection_of(ctx, rt, params["CollectionId"])
    image = load_image(ctx, rt, params["Image"])
    w, h = image.width, image.height
    faces = rt.engine.faces(image.pixels, descriptors=True, limit=MAX_FACES,
                            attributes=requested(params.get("DetectionAttributes")))
    max_faces = min(params.get("MaxFaces") or MAX_FACES, MAX_FACES)
    chosen, refused = _select(faces, (h, w), params.get("QualityFilter") or "AUTO", max_faces)
    stored = _store(rt, record, image.image_id, params.get("ExternalImageId"), chosen, (w, h))
    return {
        "FaceRecords": [
            {"Face": face_dict(rec), "FaceDetail": face_detail(face, w, h)}
            for rec, face in zip(stored, chosen, strict=True)
        ],
        "FaceModelVersion": record.face_model_version,
        "UnindexedFaces": [{"Reasons": reasons, "FaceDetail": face_detail(face, w, h)}
                           for face, reasons in refused],
    }


def _store(rt: Runtime, record: CollectionRecord, image_id: str, external: str | None,
           chosen: list[DetectedFace], size: tuple[int, int]) -> list[FaceRecord]:
    """Store the chosen faces not yet stored from this image and external id; return one record per face."""
    w, h = size
    boxes = [(f.left / w, f.top / h, f.width / w, f.height / h) for f in chosen]
    # One writer per image at a time, so two identical requests cannot both store the same faces.
    with _IMAGE_LOCKS[hash((record.pk, image_id, external)) % len(_IMAGE_LOCKS)]:
        # Same image and ExternalImageId again: a face already stored (same box) is returned, not stored twice.
        existing = {_box_key(r.left, r.top, r.width, r.height): r
                    for r in rt.store.faces.of_image(record.pk, image_id, external)}
        fresh = [(f, b) for f, b in zip(chosen, boxes, strict=True) if _box_key(*b) not in existing]
        if fresh and not rt.quotas.faces_fit(len(rt.index(record)), len(fresh)):
            raise ServiceQuotaExceededException(
                f"The collection {record.collection_id} cannot hold more than {rt.quotas.faces_per_collection} faces."
            )
        new = [NewFace(str(uuid.uuid4()), image_id, external, *b, f.confidence, _descriptor(f), FACE_MODEL_VERSION)
               for f, b in fresh]
        try:
            inserted = rt.store.faces.insert(record.pk, new) if new else []
        except CollectionGone:
            raise collection_missing(record.collection_id) from None
        if inserted:
            rt.index(record).add(np.array([s.label for s in inserted], dtype=np.int64),
                                 np.stack([n.descriptor for n in new]))
    fresh_records = iter(inserted)
    return [existing.get(_box_key(*b)) or next(fresh_records) for b in boxes]


def _box_key(left: float, top: float, width: float, height: float) -> tuple[float, ...]:
    """Return a bounding box (ratios) rounded so that the same detection compares equal."""
    return tuple(round(v, 6) for v in (left, top, width, height))


def _descriptor(face: DetectedFace) -> np.ndarray[Any, np.dtype[np.float32]]:
    """Return a face's descriptor, which IndexFaces always asks the engine for."""
    assert face.descriptor is not None
    return np.asarray(face.descriptor, dtype=np.float32)


@operation("ListFaces")
def list_faces(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """List a collection's faces by FaceId, a page at a time, optionally filtered by user or ids."""
    record = collection_of(ctx, rt, params["CollectionId"])
    user_id, face_ids = params.get("UserId"), params.get("FaceIds")
    page, token = paginate(rt.tokens, f"ListFaces/{record.pk}/{user_id}/{','.join(face_ids or [])}", params,
                           DEFAULT_PAGE, lambda after, n: rt.store.faces.page(record.pk, after, n, user_id, face_ids),
                           lambda f: f.face_id)
    return {"Faces": [face_dict(f) for f in page], "FaceModelVersion": record.face_model_version, "NextToken": token}


@operation("DeleteFaces")
def delete_faces(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Delete faces; unknown and user-associated ones are reported, not errors."""
    record = collection_of(ctx, rt, params["CollectionId"])
    wanted = list(dict.fromkeys(params["FaceIds"]))
    known = rt.store.faces.by_face_ids(record.pk, wanted)
    deleted = rt.store.faces.delete(record.pk, [f for f in wanted if f in known])
    if deleted:
        rt.index(record).remove([f.label for f in deleted])
    gone = {f.face_id for f in deleted}
    unsuccessful: list[dict[str, Any]] = []
    for face_id in wanted:
        if face_id not in known or (face_id not in gone and known[face_id].user_id is None):
            unsuccessful.append({"FaceId": face_id, "Reasons": ["FACE_NOT_FOUND"]})
        elif face_id not in gone:
            unsuccessful.append({"FaceId": face_id, "UserId": known[face_id].user_id,
                                 "Reasons": ["ASSOCIATED_TO_AN_EXISTING_USER"]})
    return {"DeletedFaces": [f for f in wanted if f in gone], "UnsuccessfulFaceDeletions": unsuccessful}
