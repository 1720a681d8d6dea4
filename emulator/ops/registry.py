"""The table of operation handlers, keyed by the model's operation name."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from emulator.context import RequestContext

Params = dict[str, Any]
Result = dict[str, Any]
Handler = Callable[[RequestContext, Any, Params], Result]

OPERATIONS: dict[str, Handler] = {}


def operation(name: str) -> Callable[[Handler], Handler]:
    """Register a function as the handler of one model operation."""

    def register(func: Handler) -> Handler:
        if name in OPERATIONS:
            raise ValueError(f"operation {name} registered twice")
        OPERATIONS[name] = func
        return func

    return register
