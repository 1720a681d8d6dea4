"""The per-request context handed from the pipeline to operation handlers."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class RequestContext:
    """Who asks, where, for what, and when."""

    request_id: str
    account: str
    region: str
    operation: str
    now: float
