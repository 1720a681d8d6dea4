"""Where index-folder's photos come from: a local folder (recursive) or ``s3://bucket/prefix``."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from emulator.tools.external_ids import assign_ids

PHOTO_SUFFIXES = (".jpg", ".jpeg", ".png")
MAX_BYTES = 5 * 1024 * 1024  # Image.Bytes limit of the API


@dataclass(frozen=True)
class Photo:
    """One photo to index: its display name, its resume key, its ExternalImageId and how to send it."""

    name: str
    state_key: str
    external_id: str
    size: int
    path: Path | None = None
    bucket: str | None = None
    key: str | None = None

    def image(self) -> dict[str, Any]:
        """The IndexFaces Image parameter (bytes read now, or the S3 object)."""
        if self.path is not None:
            return {"Bytes": self.path.read_bytes()}
        return {"S3Object": {"Bucket": self.bucket, "Name": self.key}}


def parse_s3_url(source: str) -> tuple[str, str] | None:
    """(bucket, prefix) of an ``s3://`` URL, None for a local path."""
    if not source.startswith("s3://"):
        return None
    bucket, _, prefix = source[len("s3://"):].partition("/")
    if not bucket:
        raise ValueError(f"no bucket in {source!r}")
    return bucket, prefix


def local_photos(root: Path) -> list[Photo]:
    """Every .jpg/.jpeg/.png under root (hidden files and folders skipped), sorted by relative path."""
    files: dict[str, Path] = {}
    for path in root.rglob("*"):
        rel = path.relative_to(root)
        if any(part.startswith(".") for part in rel.parts):
            continue
        if path.suffix.lower() in PHOTO_SUFFIXES and path.is_file():
            files[rel.as_posix()] = path
    ids = assign_ids(files)
    out = []
    for name, file in sorted(files.items()):
        st = file.stat()
        out.append(Photo(name=name, state_key=f"{name}|{st.st_size}|{st.st_mtime_ns}", external_id=ids[name],
                         size=st.st_size, path=file))
    return out


def s3_photos(s3: Any, bucket: str, prefix: str) -> list[Photo]:
    """Every .jpg/.jpeg/.png object under the prefix, sorted by key; ids from the key below the prefix."""
    objects: dict[str, dict[str, Any]] = {}
    for page in s3.get_paginator("list_objects_v2").paginate(Bucket=bucket, Prefix=prefix):
        for obj in page.get("Contents", []):
            key = str(obj["Key"])
            if key.lower().endswith(PHOTO_SUFFIXES) and not key.endswith("/"):
                objects[key] = obj
    cut = prefix[: prefix.rfind("/") + 1]  # ids are relative to the prefix's folder
    ids = assign_ids(key[len(cut):] for key in objects)
    return [
        Photo(name=f"s3://{bucket}/{key}", state_key=f"s3://{bucket}/{key}|{obj['Size']}|{obj.get('ETag', '')}",
              external_id=ids[key[len(cut):]], size=int(obj["Size"]), bucket=bucket, key=key)
        for key, obj in sorted(objects.items())
    ]
