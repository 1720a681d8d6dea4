"""Operation handlers: one function per API operation, from validated params to a response dict."""

from __future__ import annotations

import importlib
import pkgutil

from emulator.ops.registry import OPERATIONS, Handler, operation

_SUPPORT = {"registry", "runtime", "pagination", "images", "face_detail", "lookups", "idempotency"}


def load_handlers() -> dict[str, Handler]:
    """Import every handler module of this package and return the registry."""
    for info in pkgutil.iter_modules(__path__):
        if info.name not in _SUPPORT and not info.name.startswith("_"):
            importlib.import_module(f"{__name__}.{info.name}")
    return OPERATIONS


__all__ = ["OPERATIONS", "Handler", "load_handlers", "operation"]
