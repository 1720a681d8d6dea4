"""ExternalImageId from a photo's relative path: sanitised, at most 255 characters, collision-free.

Rule (depends only on the path itself, so ids are stable across runs and folder changes):
1. path separators become ``:`` (``alice/1.jpg`` -> ``alice:1.jpg``);
2. accents are dropped (NFKD), any other character outside ``[a-zA-Z0-9_.\\-:]`` becomes ``_``;
3. if step 2 changed anything, or the id is longer than 255, ``-`` + the first 8 hex digits of the
   SHA-1 of the original path are inserted before the extension (``my photo.jpg`` ->
   ``my_photo-1a2b3c4d.jpg``), so two different names can't end up with the same id;
4. anything still equal within one run (a 32-bit hash collision) gets ``-2``, ``-3``... in path order.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from collections.abc import Iterable

MAX_LENGTH = 255
_BAD = re.compile(r"[^a-zA-Z0-9_.\-:]")


def _strip_accents(text: str) -> str:
    """Drop combining marks after compatibility decomposition (é -> e, ﬁ -> fi)."""
    return "".join(c for c in unicodedata.normalize("NFKD", text) if not unicodedata.combining(c))


def external_image_id(relative_path: str) -> str:
    """The ExternalImageId for one photo's relative path (``/``-separated)."""
    joined = ":".join(part for part in relative_path.replace("\\", "/").split("/") if part)
    clean = _BAD.sub("_", _strip_accents(joined)) or "_"
    if clean == joined and len(clean) <= MAX_LENGTH:
        return clean
    tag = "-" + hashlib.sha1(relative_path.encode("utf-8")).hexdigest()[:8]
    head, dot, ext = clean.rpartition(".")
    if not dot or not head or ":" in ext or len(ext) > 8:
        head, ext = clean, ""
    ext = "." + ext if ext else ""
    return head[: MAX_LENGTH - len(tag) - len(ext)] + tag + ext


def assign_ids(relative_paths: Iterable[str]) -> dict[str, str]:
    """ExternalImageId of every path, unique within the set (rule 4 for the improbable leftovers)."""
    out: dict[str, str] = {}
    taken: set[str] = set()
    for path in sorted(relative_paths):
        base = candidate = external_image_id(path)
        n = 1
        while candidate in taken:
            n += 1
            suffix = f"-{n}"
            candidate = base[: MAX_LENGTH - len(suffix)] + suffix
        taken.add(candidate)
        out[path] = candidate
    return out
