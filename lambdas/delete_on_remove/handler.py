"""AWS Lambda: delete from $COLLECTION_ID the faces that index_on_upload indexed from each removed S3 object."""

# Trigger: S3 ObjectRemoved notifications (Delete and DeleteMarkerCreated). The faces are found by their
# ExternalImageId (the same `external_image_id` mapping as index_on_upload's; keep the two copies identical):
# ListFaces has no such filter, so the whole collection is listed once per event (paginated) and filtered here,
# then DeleteFaces runs in batches of 4096 ids. Environment: COLLECTION_ID (required), LOG_LEVEL; the endpoint
# comes from boto3's standard AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_REKOGNITION. boto3 and stdlib only.

from __future__ import annotations

import hashlib
import logging
import os
import string
from typing import Any
from urllib.parse import unquote_plus

import boto3
from botocore.exceptions import BotoCoreError, ClientError

logger = logging.getLogger(__name__)
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())

MAX_ID_LENGTH = 255
HASH_MARK = "::"
DELETE_BATCH = 4096  # DeleteFaces takes at most 4096 ids
LIST_PAGE = 4096  # ListFaces returns at most 4096 faces a page
_SAFE = frozenset(string.ascii_letters + string.digits + "_.-")

_client: Any = None


def rekognition() -> Any:
    """The Rekognition client, created once per container."""
    global _client
    if _client is None:
        _client = boto3.client("rekognition")
    return _client


def external_image_id(key: str) -> str:
    """Map an S3 key to a valid ExternalImageId exactly as index_on_upload does."""
    encoded = "".join(
        ch if ch in _SAFE else "".join(f":{b:02X}" for b in ch.encode("utf-8", "surrogatepass")) for ch in key
    )
    if 0 < len(encoded) <= MAX_ID_LENGTH:
        return encoded
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    prefix = encoded[: MAX_ID_LENGTH - len(HASH_MARK) - len(digest)]
    cut = prefix.rfind(":")
    if cut > len(prefix) - 3 and cut != -1:
        prefix = prefix[:cut]
    return prefix + HASH_MARK + digest


def removed_objects(event: dict[str, Any]) -> tuple[list[dict[str, str]], list[dict[str, Any]]]:
    """The bucket and key of each ObjectRemoved record, and the records skipped."""
    wanted: list[dict[str, str]] = []
    skipped: list[dict[str, Any]] = []
    records = event.get("Records") if isinstance(event, dict) else None
    for record in records if isinstance(records, list) else []:
        try:
            name = str(record.get("eventName", ""))
            item = {"bucket": str(record["s3"]["bucket"]["name"]),
                    "key": unquote_plus(str(record["s3"]["object"]["key"]))}
        except (KeyError, TypeError, AttributeError):
            skipped.append({"status": "skipped", "reason": "not an S3 event record"})
            continue
        if name.startswith("ObjectRemoved:"):
            wanted.append(item)
        else:
            skipped.append({**item, "status": "skipped", "reason": f"event {name or '?'}"})
    return wanted, skipped


def faces_by_external_id(collection: str, wanted: set[str]) -> dict[str, list[str]]:
    """FaceIds of the collection's faces whose ExternalImageId is wanted (ListFaces, every page)."""
    found: dict[str, list[str]] = {ext_id: [] for ext_id in wanted}
    paginator = rekognition().get_paginator("list_faces")
    for page in paginator.paginate(CollectionId=collection, PaginationConfig={"PageSize": LIST_PAGE}):
        for face in page.get("Faces", []):
            ext_id = face.get("ExternalImageId")
            if ext_id in found:
                found[ext_id].append(face["FaceId"])
    return found


def delete_faces(collection: str, face_ids: list[str]) -> tuple[list[str], list[dict[str, Any]]]:
    """DeleteFaces in batches; the deleted ids and the unsuccessful deletions."""
    deleted: list[str] = []
    failed: list[dict[str, Any]] = []
    for start in range(0, len(face_ids), DELETE_BATCH):
        response = rekognition().delete_faces(CollectionId=collection, FaceIds=face_ids[start:start + DELETE_BATCH])
        deleted.extend(response.get("DeletedFaces", []))
        failed.extend(response.get("UnsuccessfulFaceDeletions", []))
    return deleted, failed


def _error(exc: Exception) -> dict[str, str]:
    """A ClientError or BotoCoreError as {code, message}."""
    if isinstance(exc, ClientError):
        info = exc.response.get("Error", {})
        return {"code": str(info.get("Code", "Unknown")), "message": str(info.get("Message", exc))}
    return {"code": type(exc).__name__, "message": str(exc)}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Delete the faces of every removed object of an S3 ObjectRemoved event; return a summary with a status."""
    collection = os.environ.get("COLLECTION_ID", "")
    if not collection:
        logger.error("COLLECTION_ID is not set")
        return {"status": "error", "error": {"code": "Configuration", "message": "COLLECTION_ID is not set"},
                "records": []}
    objects, skipped = removed_objects(event)
    if not objects:
        return {"status": "ok", "collectionId": collection, "records": skipped, "deletedFaces": 0}
    ids = {external_image_id(o["key"]) for o in objects}
    try:
        found = faces_by_external_id(collection, ids)
    except (ClientError, BotoCoreError) as exc:
        error = _error(exc)
        logger.error("ListFaces failed on %s: %s: %s", collection, error["code"], error["message"])
        return {"status": "error", "collectionId": collection, "error": error, "deletedFaces": 0,
                "records": [{**o, "status": "error", "error": error} for o in objects] + skipped}
    results: list[dict[str, Any]] = []
    done: dict[str, dict[str, Any]] = {}
    for item in objects:
        ext_id = external_image_id(item["key"])
        if ext_id not in done:
            done[ext_id] = _delete_for(collection, ext_id, found[ext_id])
        results.append({**item, "externalImageId": ext_id, **done[ext_id]})
    failures = sum(1 for r in results if r["status"] == "error")
    status = "ok" if failures == 0 else ("error" if failures == len(results) else "partial")
    return {"status": status, "collectionId": collection, "records": results + skipped,
            "deletedFaces": sum(len(r["faceIds"]) for r in done.values()), "failed": failures}


def _delete_for(collection: str, ext_id: str, face_ids: list[str]) -> dict[str, Any]:
    """Delete one object's faces; its summary fields."""
    if not face_ids:
        logger.info("no faces indexed as %s", ext_id)
        return {"status": "no_faces", "faceIds": []}
    try:
        deleted, unsuccessful = delete_faces(collection, face_ids)
    except (ClientError, BotoCoreError) as exc:
        error = _error(exc)
        logger.error("DeleteFaces failed for %s: %s: %s", ext_id, error["code"], error["message"])
        return {"status": "error", "faceIds": [], "error": error}
    logger.info("deleted %d face(s) indexed as %s", len(deleted), ext_id)
    status = "deleted" if not unsuccessful else "partial"
    return {"status": status, "faceIds": deleted, "unsuccessful": unsuccessful}
