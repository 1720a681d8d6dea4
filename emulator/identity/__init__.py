"""Identity layer: who sent a request (access key -> account) and whether its signature holds."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Identity:
    """The authenticated caller of one request."""

    account: str
    region: str
    access_key_id: str
    service: str
