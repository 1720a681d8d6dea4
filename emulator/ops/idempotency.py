"""ClientRequestToken replay for CreateUser, DeleteUser, AssociateFaces and DisassociateFaces.

A token is scoped by (collection, operation). The first successful response of a token is stored as JSON
with a fingerprint of the request's other parameters (defaults filled in by the caller). The same token with
the same parameters replays that response without running the operation again; with different parameters it
is IdempotentParameterMismatchException. Failed requests are not recorded, so retrying one runs it again.
Records live as long as their collection (AWS documents no expiry). Requests carrying the same token are
serialized in-process, so two concurrent retries cannot both run.
"""

from __future__ import annotations

import hashlib
import json
import threading
from collections.abc import Callable, Mapping
from typing import Any

from emulator.context import RequestContext
from emulator.errors import IdempotentParameterMismatchException
from emulator.ops.registry import Result
from emulator.ops.runtime import Runtime
from emulator.store import CollectionRecord

TOKEN = "ClientRequestToken"
_LOCKS = tuple(threading.Lock() for _ in range(64))


def fingerprint(params: Mapping[str, Any]) -> str:
    """Return a stable digest of a request's parameters other than its token."""
    rest = {k: v for k, v in params.items() if k != TOKEN}
    canonical = json.dumps(rest, sort_keys=True, separators=(",", ":"), default=str)
    return hashlib.sha256(canonical.encode()).hexdigest()


def idempotent(ctx: RequestContext, rt: Runtime, record: CollectionRecord, params: Mapping[str, Any],
               run: Callable[[], Result]) -> Result:
    """Run a mutation once per token: replay its first response, or refuse the token with other parameters."""
    token = params.get(TOKEN)
    if not token:
        return run()
    log = rt.store.users.requests
    digest = fingerprint(params)
    with _LOCKS[hash((record.pk, ctx.operation, token)) % len(_LOCKS)]:
        seen = log.get(record.pk, ctx.operation, token)
        if seen is not None:
            if seen[0] != digest:
                raise IdempotentParameterMismatchException(
                    f"The ClientRequestToken: {token} you have supplied is already in use."
                )
            replay: Result = json.loads(seen[1])
            return replay
        result = run()
        log.put(record.pk, ctx.operation, token, digest, json.dumps(result), ctx.now)
        return result
