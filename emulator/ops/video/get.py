"""GetFaceDetection and GetFaceSearch: a job's status, video metadata and one page of its results.

Results are read back as the job stored them. MaxResults defaults to 1000 and larger values are taken as
1000 (the API reference); NextToken is signed for the job and sort order. Faces come in timestamp order;
Persons by timestamp (SortBy TIMESTAMP, the default) or by person index, then timestamp (SortBy INDEX).
An unknown JobId, or one of another account, region or Start operation, is ResourceNotFoundException.
"""

from __future__ import annotations

from typing import Any

from emulator.context import RequestContext
from emulator.errors import ResourceNotFoundException
from emulator.ops.pagination import paginate
from emulator.ops.registry import Params, Result, operation
from emulator.ops.runtime import Runtime
from emulator.ops.video.jobs import API_DETECTION, API_SEARCH
from emulator.store import VideoJob
from emulator.store.video_jobs import SUCCEEDED

MAX_RESULTS = 1000

Row = tuple[Any, dict[str, Any]]


@operation("GetFaceDetection")
def get_face_detection(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Return a face detection job's status and, once it succeeded, a page of Faces."""
    job = _job(ctx, rt, params["JobId"], API_DETECTION)
    out = _header(job)
    out["Faces"], token = _page(rt, job, params, "TIMESTAMP")
    if token:
        out["NextToken"] = token
    return out


@operation("GetFaceSearch")
def get_face_search(ctx: RequestContext, rt: Runtime, params: Params) -> Result:
    """Return a face search job's status and, once it succeeded, a page of Persons."""
    job = _job(ctx, rt, params["JobId"], API_SEARCH)
    out = _header(job)
    out["Persons"], token = _page(rt, job, params, params.get("SortBy") or "TIMESTAMP")
    if token:
        out["NextToken"] = token
    return out


def _job(ctx: RequestContext, rt: Runtime, job_id: str, api: str) -> VideoJob:
    """The caller's job of this API, or ResourceNotFoundException."""
    job = rt.store.video_jobs.get(job_id)
    if job is None or job.account != ctx.account or job.region != ctx.region or job.api != api:
        raise ResourceNotFoundException(f"The job id: {job_id} does not exist")
    return job


def _header(job: VideoJob) -> Result:
    """JobStatus, StatusMessage, VideoMetadata and the job's JobId, Video and JobTag."""
    out: Result = {"JobStatus": job.status, "JobId": job.job_id, "Video": job.params["Video"]}
    if job.status_message:
        out["StatusMessage"] = job.status_message
    if job.metadata is not None:
        out["VideoMetadata"] = job.metadata
    if job.params.get("JobTag"):
        out["JobTag"] = job.params["JobTag"]
    return out


def _page(rt: Runtime, job: VideoJob, params: Params, sort: str) -> tuple[list[dict[str, Any]], str | None]:
    """One page of the job's result items in the sort order, and the next page's token."""
    next_token: str | None = params.get("NextToken")
    wanted = {"NextToken": next_token, "MaxResults": min(params.get("MaxResults") or MAX_RESULTS, MAX_RESULTS)}
    scope = f"video/{job.job_id}/{sort}"
    store = rt.store.video_jobs
    if job.status != SUCCEEDED:
        rt.tokens.decode(scope, next_token)  # a token is still checked
        return [], None
    if sort == "INDEX":
        def by_person(after: str | None, limit: int) -> list[Row]:
            """Items after a (person, timestamp, position) key."""
            key = None
            if after:
                person, timestamp, position = (int(part) for part in after.split("."))
                key = (person, timestamp, position)
            return list(store.by_person(job.job_id, key, limit))

        rows, token = paginate(rt.tokens, scope, wanted, MAX_RESULTS, by_person,
                               lambda row: ".".join(str(part) for part in row[0]))
    else:
        def by_time(after: str | None, limit: int) -> list[Row]:
            """Items after a position."""
            return list(store.by_time(job.job_id, int(after) if after else -1, limit))

        rows, token = paginate(rt.tokens, scope, wanted, MAX_RESULTS, by_time, lambda row: str(row[0]))
    return [item for _, item in rows], token
