"""AWS Lambda behind API Gateway (REST v1 or HTTP API v2 payloads): search $COLLECTION_ID by a face photo."""

# Request: POST with either
#   * a JSON body {"image": "<base64 JPEG/PNG>", "threshold": 80, "maxFaces": 10} (a data: URL prefix is
#     accepted; the body may itself arrive base64-encoded), or
#   * the raw image bytes with Content-Type image/* or application/octet-stream, which API Gateway delivers
#     base64-encoded (isBase64Encoded, binary media types); threshold and maxFaces then come from the query.
# Response: 200 {"matches": [...], "searchedFace": {...}}; 400 bad JSON, missing or non-base64 image, invalid
# image or parameters; 413 image over 5 MB; 422 no face in the image; 403 Rekognition refused the account;
# 405 not POST; 503 throttled; 500/502 only for server-side failures. Error bodies: {"error", "message"}.
# Environment: COLLECTION_ID (required), FACE_MATCH_THRESHOLD (default 80), MAX_FACES (default 10), LOG_LEVEL;
# the endpoint comes from boto3's standard AWS_ENDPOINT_URL / AWS_ENDPOINT_URL_REKOGNITION. boto3 and stdlib only.

from __future__ import annotations

import base64
import binascii
import json
import logging
import os
from typing import Any

import boto3
from botocore.exceptions import BotoCoreError, ClientError

logger = logging.getLogger(__name__)
logger.setLevel(os.environ.get("LOG_LEVEL", "INFO").upper())

MAX_IMAGE_BYTES = 5 * 1024 * 1024  # Rekognition's limit for Image.Bytes
HASH_MARK = "::"
_URLSAFE = str.maketrans("-_", "+/")  # accept the URL-safe alphabet too
BINARY_TYPES = ("image/", "application/octet-stream")
# Rekognition error code -> (HTTP status, public error name) for answers that are the caller's fault.
CLIENT_ERRORS = {
    "InvalidImageFormatException": (400, "InvalidImageFormat"),
    "InvalidParameterException": (400, "InvalidParameter"),
    "ImageTooLargeException": (413, "ImageTooLarge"),
    "AccessDeniedException": (403, "AccessDenied"),
    "ThrottlingException": (503, "Throttled"),
    "ProvisionedThroughputExceededException": (503, "Throttled"),
    "LimitExceededException": (503, "Throttled"),
}

_client: Any = None


class BadRequest(Exception):
    """A request the handler refuses, with its HTTP status."""

    def __init__(self, status: int, error: str, message: str) -> None:
        super().__init__(message)
        self.status, self.error, self.message = status, error, message


def rekognition() -> Any:
    """The Rekognition client, created once per container."""
    global _client
    if _client is None:
        _client = boto3.client("rekognition")
    return _client


def s3_key_of(external_image_id: str) -> str | None:
    """The S3 key index_on_upload encoded into an ExternalImageId; None when hashed or not of that form."""
    if HASH_MARK in external_image_id:
        return None
    out = bytearray()
    i = 0
    try:
        while i < len(external_image_id):
            if external_image_id[i] == ":":
                out.append(int(external_image_id[i + 1:i + 3], 16))
                i += 3
            else:
                out += external_image_id[i].encode("ascii")
                i += 1
        return out.decode("utf-8", "surrogatepass")
    except (ValueError, UnicodeError):
        return None


def respond(status: int, payload: dict[str, Any], headers: dict[str, str] | None = None) -> dict[str, Any]:
    """An API Gateway proxy response (valid for REST v1 and HTTP API v2) with a JSON body."""
    return {"statusCode": status, "headers": {"Content-Type": "application/json", **(headers or {})},
            "body": json.dumps(payload), "isBase64Encoded": False}


def _b64(text: str, what: str) -> bytes:
    """Strict base64 (standard or URL-safe alphabet), or BadRequest."""
    cleaned = "".join(text.split())
    if cleaned.startswith("data:") and "," in cleaned:
        cleaned = cleaned.split(",", 1)[1]
    cleaned = cleaned.translate(_URLSAFE) + "=" * (-len(cleaned) % 4)
    try:
        return base64.b64decode(cleaned, validate=True)
    except (binascii.Error, ValueError) as exc:
        raise BadRequest(400, "InvalidBase64", f"{what} is not valid base64") from exc


def _number(value: Any, name: str, low: float, high: float, integer: bool) -> float:
    """A bounded number from the request, or BadRequest."""
    if isinstance(value, str):
        try:
            value = int(value) if integer else float(value)
        except ValueError:
            value = None
    if isinstance(value, bool) or not isinstance(value, int | float) or (integer and not isinstance(value, int)):
        raise BadRequest(400, "InvalidParameter", f"{name} must be a{'n integer' if integer else ' number'}")
    if not low <= value <= high:
        raise BadRequest(400, "InvalidParameter", f"{name} must be between {low:g} and {high:g}")
    return float(value)


def parse_request(event: dict[str, Any]) -> tuple[bytes, float, int]:
    """The image bytes, threshold and maxFaces of a search request, or BadRequest."""
    headers = {str(k).lower(): str(v) for k, v in (event.get("headers") or {}).items()}
    body = event.get("body")
    if not isinstance(body, str) or not body.strip():
        raise BadRequest(400, "MissingImage", 'send JSON {"image": "<base64>"} or the image bytes')
    raw = _b64(body, "the body") if event.get("isBase64Encoded") else body.encode("utf-8")
    options: dict[str, Any] = dict(event.get("queryStringParameters") or {})
    content_type = headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type.startswith(BINARY_TYPES):
        if not event.get("isBase64Encoded"):
            raise BadRequest(400, "InvalidBody", "binary bodies must arrive base64-encoded (binary media types)")
        image = raw
    else:
        try:
            doc = json.loads(raw)
        except (ValueError, UnicodeDecodeError) as exc:
            raise BadRequest(400, "InvalidJSON", "the body is not valid JSON") from exc
        if not isinstance(doc, dict):
            raise BadRequest(400, "InvalidJSON", "the body must be a JSON object")
        if not isinstance(doc.get("image"), str) or not doc["image"].strip():
            raise BadRequest(400, "MissingImage", 'the JSON body has no "image" (base64 string)')
        image = _b64(doc["image"], '"image"')
        options.update({k: doc[k] for k in ("threshold", "maxFaces") if k in doc})
    if not image:
        raise BadRequest(400, "MissingImage", "the image is empty")
    if len(image) > MAX_IMAGE_BYTES:
        raise BadRequest(413, "ImageTooLarge", "the image is larger than 5 MB")
    threshold = _number(options.get("threshold", os.environ.get("FACE_MATCH_THRESHOLD", 80)), "threshold", 0, 100,
                        False)
    max_faces = _number(options.get("maxFaces", os.environ.get("MAX_FACES", 10)), "maxFaces", 1, 4096, True)
    return image, threshold, int(max_faces)


def _match(m: dict[str, Any]) -> dict[str, Any]:
    """One FaceMatch as the API's JSON."""
    face = m.get("Face", {})
    ext_id = face.get("ExternalImageId")
    return {"faceId": face.get("FaceId"), "similarity": m.get("Similarity"), "externalImageId": ext_id,
            "s3Key": s3_key_of(ext_id) if ext_id else None, "imageId": face.get("ImageId"),
            "confidence": face.get("Confidence"), "boundingBox": face.get("BoundingBox")}


def _client_error(err: ClientError, request_id: str) -> dict[str, Any]:
    """Map a Rekognition error to an HTTP answer; only server-side failures become 5xx."""
    code = str(err.response.get("Error", {}).get("Code", "Unknown"))
    message = str(err.response.get("Error", {}).get("Message", ""))
    if code == "InvalidParameterException" and "no faces" in message.lower():
        return respond(422, {"error": "NoFaceDetected", "message": "no face was found in the image"})
    if code in CLIENT_ERRORS:
        status, name = CLIENT_ERRORS[code]
        logger.warning("SearchFacesByImage refused: %s: %s", code, message)
        return respond(status, {"error": name, "message": message},
                       {"Retry-After": "1"} if status == 503 else None)
    logger.error("SearchFacesByImage failed: %s: %s", code, message)
    status = 500 if code == "ResourceNotFoundException" else 502  # missing collection: our misconfiguration
    return respond(status, {"error": "ServerError", "message": "the search failed", "requestId": request_id})


def handler(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """Answer one API Gateway proxy request."""
    request_id = str(getattr(context, "aws_request_id", ""))
    method = event.get("httpMethod") or (event.get("requestContext") or {}).get("http", {}).get("method", "POST")
    if str(method).upper() != "POST":
        return respond(405, {"error": "MethodNotAllowed", "message": "use POST"}, {"Allow": "POST"})
    collection = os.environ.get("COLLECTION_ID", "")
    if not collection:
        logger.error("COLLECTION_ID is not set")
        return respond(500, {"error": "ServerError", "message": "not configured", "requestId": request_id})
    try:
        image, threshold, max_faces = parse_request(event)
        response = rekognition().search_faces_by_image(CollectionId=collection, Image={"Bytes": image},
                                                       FaceMatchThreshold=threshold, MaxFaces=max_faces)
    except BadRequest as bad:
        return respond(bad.status, {"error": bad.error, "message": bad.message})
    except ClientError as err:
        return _client_error(err, request_id)
    except BotoCoreError as err:
        logger.error("could not reach Rekognition: %s", err)
        return respond(502, {"error": "ServerError", "message": "the search failed", "requestId": request_id})
    except Exception:
        logger.exception("unexpected failure")
        return respond(500, {"error": "ServerError", "message": "internal error", "requestId": request_id})
    return respond(200, {
        "matches": [_match(m) for m in response.get("FaceMatches", [])],
        "searchedFace": {"boundingBox": response.get("SearchedFaceBoundingBox"),
                         "confidence": response.get("SearchedFaceConfidence")},
        "faceModelVersion": response.get("FaceModelVersion"),
    })
