"""What a credential scope may name: AWS's real regions and each service's signing name (botocore's data)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from typing import Any

from botocore.loaders import Loader

NO_SERVICE = ""
"""What is expected of a scope whose service no service of the endpoint is signed as (e.g. 'foo')."""


@dataclass(frozen=True)
class ScopeProblem:
    """What is wrong with a credential scope, for each service to word in its own way."""

    region: str
    service: str
    bad_region: bool
    wrong_service: bool
    expected_service: str | None  # the signing name the service called expects; None when no service is
    presigned: bool = False

    def coral_message(self) -> str:
        """The wording of JSON and query services, e.g. "Credential should be scoped to a valid region. "."""
        parts = []
        if self.bad_region:
            parts.append("Credential should be scoped to a valid region. ")
        if self.wrong_service and self.expected_service:
            parts.append(f"Credential should be scoped to correct service: '{self.expected_service}'. ")
        elif self.wrong_service:
            parts.append(
                "Credential should be scoped to correct service: no service of this endpoint is signed as "
                f"'{self.service}'. "
            )
        return "".join(parts)


def scope_problem(region: str, service: str, expected: str | None, *, presigned: bool = False) -> ScopeProblem | None:
    """What is wrong with a scope's region and service; `expected` None means any service will do."""
    bad_region = not valid_region(region)
    wrong_service = expected is not None and service != expected
    if not (bad_region or wrong_service):
        return None
    return ScopeProblem(region, service, bad_region, wrong_service, expected or None, presigned)


@functools.cache
def _loader() -> Loader:
    """One botocore data loader for the process (it caches what it reads)."""
    return Loader()


@functools.cache
def real_regions() -> frozenset[str]:
    """Every region of every partition botocore knows, without pseudo-regions such as 'aws-global'."""
    regions: set[str] = set()
    patterns: list[re.Pattern[str]] = []
    endpoints: Any = _loader().load_data("endpoints")
    partitions: Any = _loader().load_data("partitions")
    for partition in endpoints.get("partitions", []):
        regions.update(partition.get("regions", {}))
        if partition.get("regionRegex"):
            patterns.append(re.compile(partition["regionRegex"]))
    for partition in partitions.get("partitions", []):
        regions.update(partition.get("regions", {}))
        if partition.get("regionRegex"):
            patterns.append(re.compile(partition["regionRegex"]))
    return frozenset(r for r in regions if any(p.fullmatch(r) for p in patterns))


def valid_region(region: str) -> bool:
    """Whether AWS would accept `region` in a credential scope (exact spelling)."""
    return region in real_regions()


@functools.cache
def service_names() -> frozenset[str]:
    """The names of the services botocore has models for (e.g. 'sts', 'cloudwatch', 'lambda')."""
    return frozenset(_loader().list_available_services("service-2"))


@functools.cache
def signing_name(service: str) -> str | None:
    """The SigV4 signing name of a botocore service (its model's signingName, else endpointPrefix); None if unknown."""
    if service not in service_names():
        return None
    metadata: Any = _loader().load_service_model(service, "service-2")["metadata"]
    name = metadata.get("signingName") or metadata.get("endpointPrefix")
    return str(name) if name else None
