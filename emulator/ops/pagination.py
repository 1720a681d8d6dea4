"""Opaque, signed pagination tokens no longer than AWS's 255 characters."""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
import secrets
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, TypeVar

from emulator.errors import InvalidPaginationTokenException

MAX_TOKEN = 255
SECRET_BYTES = 32
_KEPT = 10000
_LONG = "~"  # marks a server-side cursor key; not in the URL-safe base64 alphabet of short payloads
T = TypeVar("T")


def _b64(data: bytes) -> str:
    """Encode URL-safe base64 without padding."""
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    """Decode URL-safe base64 without padding."""
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def persistent_secret(path: Path) -> bytes:
    """The token-signing secret kept in `path`: created once, readable by its owner only, the same after a restart."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        data = path.read_bytes()
        if len(data) == SECRET_BYTES:
            if path.stat().st_mode & 0o077:
                os.chmod(path, 0o600)
            return data
        return _replace_secret(path)  # a crash while creating it left it short: no token of it can exist
    secret = secrets.token_bytes(SECRET_BYTES)
    with os.fdopen(fd, "wb") as out:
        out.write(secret)
        out.flush()
        os.fsync(out.fileno())
    return secret


def _replace_secret(path: Path) -> bytes:
    """Write a fresh secret next to `path` (owner-only) and move it into place atomically."""
    secret = secrets.token_bytes(SECRET_BYTES)
    temp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    fd = os.open(temp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as out:
        out.write(secret)
        out.flush()
        os.fsync(out.fileno())
    os.replace(temp, path)
    return secret


class TokenCodec:
    """Turns a listing cursor into a token and back, refusing tokens it did not issue for that listing."""

    def __init__(self, secret: bytes | None = None) -> None:
        self._secret = secret or secrets.token_bytes(32)
        self._long: OrderedDict[str, str] = OrderedDict()
        self._lock = threading.Lock()

    def forget(self) -> None:
        """Drop the server-side cursors of long tokens (a reset: the listings they resume are gone)."""
        with self._lock:
            self._long.clear()

    def _mac(self, scope: str, payload: str) -> str:
        """Sign a payload for one listing scope."""
        return _b64(hmac.new(self._secret, f"{scope}\0{payload}".encode(), hashlib.sha256).digest()[:12])

    def encode(self, scope: str, cursor: str) -> str:
        """Return a token for resuming the listing after cursor."""
        payload = _b64(cursor.encode())
        token = f"{payload}.{self._mac(scope, payload)}"
        if len(token) <= MAX_TOKEN:
            return token
        key = _LONG + secrets.token_urlsafe(24)
        with self._lock:
            self._long[key] = cursor
            while len(self._long) > _KEPT:
                self._long.popitem(last=False)
        return f"{key}.{self._mac(scope, key)}"

    def decode(self, scope: str, token: str | None) -> str | None:
        """Return the cursor of a token (None for no token); unknown tokens are refused."""
        if not token:
            return None
        payload, _, mac = token.rpartition(".")
        if not payload or not hmac.compare_digest(mac, self._mac(scope, payload)):
            raise InvalidPaginationTokenException("Invalid Token")
        if payload.startswith(_LONG):
            with self._lock:
                cursor = self._long.get(payload)
            if cursor is None:
                raise InvalidPaginationTokenException("Invalid Token")
            return cursor
        try:
            return _unb64(payload).decode()
        except (ValueError, UnicodeDecodeError):
            raise InvalidPaginationTokenException("Invalid Token") from None


def paginate(
    codec: TokenCodec, scope: str, params: Mapping[str, Any], default_limit: int,
    fetch: Callable[[str | None, int], list[T]], cursor: Callable[[T], str],
) -> tuple[list[T], str | None]:
    """Return one page of a listing sorted by cursor, and the token of the next page (None at the end)."""
    after = codec.decode(scope, params.get("NextToken"))
    limit = params.get("MaxResults") or default_limit
    page = fetch(after, limit + 1)
    token = codec.encode(scope, cursor(page[limit - 1])) if len(page) > limit else None
    return page[:limit], token
