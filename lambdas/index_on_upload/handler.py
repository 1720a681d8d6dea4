"""AWS Lambda: index the faces of each photo uploaded to S3 into the Rekognition collection $COLLECTION_ID."""

# Trigger: S3 ObjectCreated notifications. Each face is stored with an ExternalImageId derived from the object
# key by `external_image_id` (reversible for keys up to 255 encoded characters, hashed beyond), so that
# delete_on_remove can find the faces again. Use one collection per bucket: the bucket is not part of the id.
# Environment: COLLECTION_ID (required), MAX_FACES (optional, 1-100), QUALITY_FILTER (default AUTO), LOG_LEVEL.
# The endpoint comes from boto3's standard AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_REKOGNITION.
# Depends on boto3 and the standard library only.

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
HASH_MARK = "::"  # never produced by the reversible encoding, where ':' is always followed by two hex digits
_SAFE = frozenset(string.ascii_letters + string.digits + "_.-")
RETRYABLE = {"ThrottlingException", "ProvisionedThroughputExceededException", "InternalServerError",
             "ServiceUnavailableException", "LimitExceededException"}

_client: Any = None


def rekognition() -> Any:
    """The Rekognition client, created once per container."""
    global _client
    if _client is None:
        _client = boto3.client("rekognition")
    return _client


def external_image_id(key: str) -> str:
    """Map an S3 key to a valid ExternalImageId ([a-zA-Z0-9_.\\-:]+, 1-255 chars), collision-resistantly."""
    encoded = "".join(
        ch if ch in _SAFE else "".join(f":{b:02X}" for b in ch.encode("utf-8", "surrogatepass")) for ch in key
    )
    if 0 < len(encoded) <= MAX_ID_LENGTH:
        return encoded  # reversible: ':XX' is one UTF-8 byte, everything else is itself
    digest = hashlib.sha256(key.encode("utf-8", "surrogatepass")).hexdigest()
    prefix = encoded[: MAX_ID_LENGTH - len(HASH_MARK) - len(digest)]
    cut = prefix.rfind(":")
    if cut > len(prefix) - 3 and cut != -1:  # do not keep half an escape
        prefix = prefix[:cut]
    return prefix + HASH_MARK + digest


def s3_objects(event: dict[str, Any], event_prefix: str) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The (bucket, key, version) of each S3 record whose eventName starts with the prefix, and the skipped."""
    wanted: list[dict[str, Any]] = []
    skipped: list[dict[str, Any]] = []
    records = event.get("Records") if isinstance(event, dict) else None
    for record in records if isinstance(records, list) else []:
        try:
            name = str(record.get("eventName", ""))
            s3 = record["s3"]
            item = {"bucket": str(s3["bucket"]["name"]), "key": unquote_plus(str(s3["object"]["key"])),
                    "version": s3["object"].get("versionId")}
        except (KeyError, TypeError, AttributeError):
            skipped.append({"status": "skipped", "reason": "not an S3 event record"})
            continue
        if not name.startswith(event_prefix):
            skipped.append({**_public(item), "status": "skipped", "reason": f"event {name or '?'}"})
        elif item["key"].endswith("/"):
            skipped.append({**_public(item), "status": "skipped", "reason": "folder placeholder"})
        else:
            wanted.append(item)
    return wanted, skipped


def _public(item: dict[str, Any]) -> dict[str, Any]:
    """The bucket and key of an object, for summaries."""
    return {"bucket": item["bucket"], "key": item["key"]}


def _max_faces() -> int | None:
    """MAX_FACES as an int in 1-100, or None (unset or invalid, which is logged)."""
    raw = os.environ.get("MAX_FACES", "").strip()
    if not raw:
        return None
    if raw.isdigit() and 1 <= int(raw) <= 100:
        return int(raw)
    logger.warning("ignoring MAX_FACES=%r: expected an integer from 1 to 100", raw)
    return None


def _index_one(collection: str, item: dict[str, Any]) -> dict[str, Any]:
    """IndexFaces for one uploaded object; a summary line, never an exception."""
    ext_id = external_image_id(item["key"])
    s3_object = {"Bucket": item["bucket"], "Name": item["key"]}
    if item.get("version"):
        s3_object["Version"] = str(item["version"])
    params: dict[str, Any] = {"CollectionId": collection, "Image": {"S3Object": s3_object},
                              "ExternalImageId": ext_id, "DetectionAttributes": ["DEFAULT"],
                              "QualityFilter": os.environ.get("QUALITY_FILTER", "AUTO")}
    max_faces = _max_faces()
    if max_faces is not None:
        params["MaxFaces"] = max_faces
    base = {**_public(item), "externalImageId": ext_id}
    try:
        response = rekognition().index_faces(**params)
    except ClientError as err:
        code = err.response.get("Error", {}).get("Code", "Unknown")
        message = err.response.get("Error", {}).get("Message", str(err))
        logger.error("IndexFaces failed for s3://%s/%s: %s: %s", item["bucket"], item["key"], code, message)
        return {**base, "status": "error", "error": {"code": code, "message": message},
                "retryable": code in RETRYABLE}
    except BotoCoreError as err:
        logger.error("IndexFaces could not reach Rekognition for s3://%s/%s: %s", item["bucket"], item["key"], err)
        return {**base, "status": "error", "error": {"code": type(err).__name__, "message": str(err)},
                "retryable": True}
    face_ids = [rec["Face"]["FaceId"] for rec in response.get("FaceRecords", [])]
    unindexed = [u.get("Reasons", []) for u in response.get("UnindexedFaces", [])]
    logger.info("indexed %d face(s) from s3://%s/%s as %s", len(face_ids), item["bucket"], item["key"], ext_id)
    return {**base, "status": "indexed" if face_ids else "no_faces", "faceIds": face_ids,
            "unindexedFaces": len(unindexed), "unindexedReasons": unindexed}


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Index every uploaded photo of an S3 ObjectCreated event; return a summary with a status."""
    collection = os.environ.get("COLLECTION_ID", "")
    if not collection:
        logger.error("COLLECTION_ID is not set")
        return {"status": "error", "error": {"code": "Configuration", "message": "COLLECTION_ID is not set"},
                "records": []}
    objects, skipped = s3_objects(event, "ObjectCreated:")
    results = [_index_one(collection, item) for item in objects] + skipped
    failures = sum(1 for r in results if r["status"] == "error")
    status = "ok" if failures == 0 else ("error" if failures == len(objects) else "partial")
    return {"status": status, "collectionId": collection, "records": results,
            "indexedFaces": sum(len(r.get("faceIds", [])) for r in results), "failed": failures}
