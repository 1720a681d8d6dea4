"""The supported-operations table: every operation of botocore's Rekognition model, and what the emulator does.

``python -m emulator.tools.ops_table`` prints it; ``--write README.md`` replaces the block between the
``<!-- ops-table:start -->`` and ``<!-- ops-table:end -->`` markers; ``--check README.md`` exits 1 when
that block is out of date.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

from emulator.ops import load_handlers
from emulator.policy.rules import RECOGNITION_OPERATIONS
from emulator.protocol.spec import operation_names

START = "<!-- ops-table:start -->"
END = "<!-- ops-table:end -->"

NOTES = {
    "IndexFaces": "RetinaFace detection (HOG, MMOD as options) + dlib ResNet descriptors; QualityFilter, MaxFaces; "
                  "the same image with the same ExternalImageId is stored once",
    "DetectFaces": "BoundingBox, Confidence, 5 landmarks, Pose, Quality; attributes no model here computes are "
                   "left out",
    "CompareFaces": "similarity from descriptor distance (80 ≈ dlib's 0.6)",
    "SearchFaces": "exact search for small collections, Annoy for large ones; similarity as CompareFaces",
    "SearchFacesByImage": "largest face of the image; similarity as CompareFaces",
    "SearchUsers": "user vectors from associated faces",
    "SearchUsersByImage": "largest face of the image; the others in UnsearchedFaces",
    "AssociateFaces": "UserMatchThreshold checked against the user's faces",
    "ListFaces": "paginated; UserId and FaceIds filters",
    "TagResource": "collections' tags",
    "StartFaceDetection": "H.264 MP4/MOV from S3 on the same endpoint, analysed by a background job",
    "GetFaceDetection": "Faces by timestamp (FaceAttributes DEFAULT or ALL), paginated",
    "StartFaceSearch": "faces tracked across frames (stable Index) and searched in the collection",
    "GetFaceSearch": "Persons with FaceMatches; SortBy TIMESTAMP or INDEX, paginated",
}
# Unsupported operations by family: (name fragment, note); the first fragment found in the name wins.
FAMILIES = (
    ("StreamProcessor", "streaming video: not emulated"),
    ("Liveness", "Face Liveness: not emulated"),
    ("Celebrit", "celebrity recognition: not emulated"),
    ("MediaAnalysisJob", "bulk analysis jobs: not emulated"),
    ("Project", "Custom Labels: not emulated"),
    ("Dataset", "Custom Labels: not emulated"),
    ("DetectCustomLabels", "Custom Labels: not emulated"),
    ("Start", "stored video analysis: not emulated"),
    ("Get", "stored video analysis: not emulated"),
    ("Detect", "image analysis other than faces: not emulated"),
)
POLICY_NOTE = "covered by the moratorium policy"


def _note(name: str, supported: bool) -> str:
    """The Notes cell of one operation."""
    if supported:
        parts = [NOTES.get(name, "")]
        if name in RECOGNITION_OPERATIONS:
            parts.append(POLICY_NOTE)
        return "; ".join(p for p in parts if p)
    return next((note for fragment, note in FAMILIES if fragment in name), "not emulated")


def operations_table() -> str:
    """Markdown table of every model operation: Operation | Supported | Notes, sorted by name."""
    handlers = load_handlers()
    names = sorted(operation_names())
    count = sum(1 for n in names if n in handlers)
    lines = [f"{count} of the {len(names)} operations in botocore's Rekognition model are supported; the others "
             "answer `UnsupportedOperationException` naming the operation.", "",
             "| Operation | Supported | Notes |", "|---|---|---|"]
    for name in names:
        supported = name in handlers
        lines.append(f"| {name} | {'yes' if supported else 'no'} | {_note(name, supported)} |")
    return "\n".join(lines) + "\n"


def replace_block(text: str, table: str) -> str:
    """Text with the block between the markers replaced by the table (markers appended when missing)."""
    block = f"{START}\n{table}{END}"
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        return text.rstrip("\n") + "\n\n" + block + "\n"
    return text[:start] + block + text[end + len(END):]


def current_block(text: str) -> str | None:
    """The table between the markers, or None without them."""
    start, end = text.find(START), text.find(END)
    if start < 0 or end < start:
        return None
    return text[start + len(START):end].lstrip("\n")


def main(argv: Sequence[str] | None = None) -> int:
    """Print, write or check the table."""
    p = argparse.ArgumentParser(prog="python -m emulator.tools.ops_table", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--write", metavar="README.md", type=Path, help="replace the marked block in this file")
    mode.add_argument("--check", metavar="README.md", type=Path, help="exit 1 if the marked block is stale")
    args = p.parse_args(argv)
    table = operations_table()
    if args.write:
        args.write.write_text(replace_block(args.write.read_text(encoding="utf-8"), table), encoding="utf-8")
    elif args.check:
        if current_block(args.check.read_text(encoding="utf-8")) != table:
            print(f"{args.check}: the operations table is out of date; run with --write", file=sys.stderr)
            return 1
    else:
        sys.stdout.write(table)
    return 0


if __name__ == "__main__":
    sys.exit(main())
