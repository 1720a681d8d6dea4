"""StartFaceDetection and StartFaceSearch: check the request, copy the video from S3, store and queue a job.

Refused up front, as AWS does: an unreadable S3 object (InvalidS3ObjectException), a video over 10 GB or
6 hours (VideoTooLargeException), a missing collection (ResourceNotFoundException), more than 20 jobs of the
account in progress (LimitExceededException), a reused ClientRequestToken with other parameters
(IdempotentParameterMismatchException). A video that is not H.264 in MP4/MOV is accepted and its job FAILS
with AWS's StatusMessage. The handler never analyses: it only stores and queues.
"""

from __future__ import annotations

import secrets
from pathlib import Path
from typing import Any

from emulator.context import RequestContext
from emulator.engine.video import MAX_VIDEO_BYTES, TOO_LARGE_MESSAGE, VideoError, VideoTooLarge, probe
from emulator.errors import (
    IdempotentParameterMismatchException,
    InternalServerError,
    InvalidParameterException,
    InvalidS3ObjectException,
    LimitExceededException,
    VideoTooLargeException,
)
from emulator.ops.idempotency import TOKEN, fingerprint
from emulator.ops.images import S3_UNREADABLE
from emulator.ops.lookups import collection_of
from emulator.ops.registry import Params, Result, operation
from emulator.ops.runtime import Runtime, VideoJobPool
from emulator.ops.video.jobs import API_DETECTION, API_SEARCH, MAX_CONCURRENT_JOBS
from emulator.s3_objects import S3ObjectTooLarge, S3ObjectUnavailable
from emulator.store import VideoJob
from emulator.store.video_jobs import IN_PROGRESS

LIMIT_MESSAGE = (f"An account can have at most {MAX_CONCURRENT_JOBS} stored video jobs in progress; "
                 "wait for one to finish.")


@operation("StartFaceDetection")
def start_face_detection(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Start detecting the faces of a stored video; FaceAttributes DEFAULT or ALL."""
    return {"JobId": start_job(ctx, rt, params, API_DETECTION)}


@operation("StartFaceSearch")
def start_face_search(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Start searching a collection for the faces of a stored video."""
    return {"JobId": start_job(ctx, rt, params, API_SEARCH)}


def _jobs(rt: Runtime) -> VideoJobPool:
    """The runtime's job pool (the app always sets one)."""
    if rt.video is None or rt.video_reader is None:
        raise InternalServerError("Stored video analysis is not available in this emulator.")
    return rt.video


def start_job(ctx: RequestContext, rt: Runtime, params: Params, api: str) -> str:
    """Store and queue a job (or return the job its ClientRequestToken already started); its JobId."""
    jobs = _jobs(rt)
    token, digest = params.get(TOKEN), fingerprint(params)
    if token:
        seen = rt.store.video_jobs.by_token(ctx.account, ctx.region, api, token)
        if seen is not None:
            return _replay(seen, token, digest)
    if api == API_SEARCH:
        collection_of(ctx, rt, params["CollectionId"])
    s3 = _s3_object(params)
    if rt.store.video_jobs.running_count(ctx.account) >= MAX_CONCURRENT_JOBS:
        raise LimitExceededException(LIMIT_MESSAGE)
    job_id = secrets.token_hex(32)
    path = jobs.keep_video(job_id, lambda dest: _copy_video(ctx, rt, s3, dest))
    try:
        probe(path)
    except VideoTooLarge:
        path.unlink(missing_ok=True)
        raise VideoTooLargeException(TOO_LARGE_MESSAGE) from None
    except VideoError:
        pass  # not a video Rekognition reads: the job fails with AWS's StatusMessage
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    job = VideoJob(job_id=job_id, account=ctx.account, region=ctx.region, api=api, token=token or None,
                   fingerprint=digest, params=_kept(params), status=IN_PROGRESS, status_message=None,
                   metadata=None, created=ctx.now, finished=None)
    stored = rt.store.video_jobs.create(job, MAX_CONCURRENT_JOBS)
    if stored is None:  # concurrent starts reached the limit meanwhile
        path.unlink(missing_ok=True)
        raise LimitExceededException(LIMIT_MESSAGE)
    if stored.job_id != job_id:  # the same token started a job meanwhile
        path.unlink(missing_ok=True)
        return _replay(stored, str(token), digest)
    jobs.submit(job_id)
    return job_id


def _replay(seen: VideoJob, token: str, digest: str) -> str:
    """The JobId a token started, or IdempotentParameterMismatchException for other parameters."""
    if seen.fingerprint != digest:
        raise IdempotentParameterMismatchException(
            f"The ClientRequestToken: {token} you have supplied is already in use."
        )
    return seen.job_id


def _s3_object(params: Params) -> dict[str, Any]:
    """The request's Video.S3Object (Bucket and Name required)."""
    s3 = params["Video"].get("S3Object")
    if not s3:
        raise InvalidParameterException("Request has invalid parameters")
    if not s3.get("Bucket") or not s3.get("Name"):
        raise InvalidS3ObjectException(S3_UNREADABLE)
    return dict(s3)


def _copy_video(ctx: RequestContext, rt: Runtime, s3: dict[str, Any], dest: Path) -> None:
    """Copy the video from a bucket of the caller's account and region (Version honoured) to `dest`."""
    assert rt.video_reader is not None
    try:
        rt.video_reader(ctx.account, s3["Bucket"], s3["Name"], s3.get("Version"), dest, MAX_VIDEO_BYTES,
                        region=ctx.region)
    except S3ObjectUnavailable:
        raise InvalidS3ObjectException(S3_UNREADABLE) from None
    except S3ObjectTooLarge:
        raise VideoTooLargeException(TOO_LARGE_MESSAGE) from None


def _kept(params: Params) -> dict[str, Any]:
    """The request parameters a job keeps (everything but the token)."""
    return {k: v for k, v in params.items() if k != TOKEN}
