"""Build a folder of symlinks for `evaluate` from the shared photos, plus groups/labels CSVs.

    python scripts/assemble_audit_set.py OUT [--faces ../shared/faces]

OUT/<identity>/<photo> links to: the 15 dev identities, LFW's photos in _attributes/lfw (identity = the
name in the file name; many people have one photo), and every FairFace and UTKFace photo as an identity of
its own (one photo per person: they only serve as impostors).  Writes OUT/groups_gender.csv (gender for
FairFace/UTKFace, the dev identities' public gender; LFW left out: no labels) and OUT/groups_race.csv
(FairFace's race labels).  Gender/age truth columns are filled only for photos held out from the attribute
estimators' tuning (scripts/measure/_common.is_tuning), so the attribute audit measures unseen photos.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from measure._common import faces_root, is_tuning  # noqa: E402

DEV_WOMEN = {"angelina_jolie", "jennifer_aniston", "scarlett_johansson", "katy_perry"}
COLUMNS = ["identity", "group", "gender", "age", "age_group"]


def link(out: Path, identity: str, source: Path) -> None:
    """OUT/identity/<source name> -> source."""
    (out / identity).mkdir(parents=True, exist_ok=True)
    target = out / identity / source.name
    if not target.exists():
        target.symlink_to(source.resolve())


def main() -> int:
    """Build the tree and the two CSVs."""
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("out", type=Path)
    p.add_argument("--faces", type=Path, default=None)
    args = p.parse_args()
    root = faces_root(args.faces)
    gender_rows: list[dict[str, str]] = []
    race_rows: list[dict[str, str]] = []
    for folder in sorted(d for d in root.iterdir() if d.is_dir() and not d.name.startswith("_")):
        for photo in sorted(folder.glob("*.jpg")):
            link(args.out, f"dev_{folder.name}", photo)
        gender = "female" if folder.name in DEV_WOMEN else "male"
        gender_rows.append({"identity": f"dev_{folder.name}", "group": gender})
    with open(root / "_attributes" / "MANIFEST.csv", newline="", encoding="utf-8") as fh:
        manifest = list(csv.DictReader(fh))
    seen: set[str] = set()
    for row in manifest:
        path = row["path"]
        if path in seen:
            continue
        seen.add(path)
        source = root / "_attributes" / path
        if row["set"].startswith("lfw"):
            link(args.out, "lfw_" + Path(path).stem.rsplit("_", 1)[0], source)
        elif row["set"] in ("fairface", "utkface"):
            identity = f"{row['set']}_{Path(path).name.split('.')[0]}"
            link(args.out, identity, source)
            held_out = not is_tuning(path)
            truth = {"gender": row["gender"] if held_out else "", "age": row["age"] if held_out else "",
                     "age_group": row["age_group"] if held_out else ""}
            gender_rows.append({"identity": identity, "group": row["gender"], **truth})
            if row["set"] == "fairface":
                race_rows.append({"identity": identity, "group": row["race"], **truth})
    for name, rows in (("groups_gender.csv", gender_rows), ("groups_race.csv", race_rows)):
        with open(args.out / name, "w", newline="", encoding="utf-8") as fh:
            writer = csv.DictWriter(fh, fieldnames=COLUMNS, restval="")
            writer.writeheader()
            writer.writerows(rows)
    print(f"{sum(1 for _ in args.out.rglob('*.jpg'))} photos in {args.out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
