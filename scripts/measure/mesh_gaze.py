"""EyeDirection checks and constants (emulator/engine/attributes/gaze.py), plus DEFAULT's mouth corners moved.

No photo set has gaze labels. genki4k's webcam subjects are assumed to look into the camera: on its tuning
half KD, KD_PITCH and DY0 are fitted so that the camera-frame gaze (head pose + EyeDirection) is ~0, and the
Confidence is fitted as P(both eyes' camera-frame gaze within AGREE degrees of it | score); the held-out half
shows how close to the camera the gaze reads and the Confidence's reliability against that reference. Mirror
and synthetic checks are in tests/engine/test_mesh_attributes.py. Also prints how far the mesh's mouth
corners (now DEFAULT's mouthLeft/mouthRight) are from the geometric estimate from dlib's points they replace.
"""

from __future__ import annotations

import argparse
import json
import math

import numpy as np
from _mesh_features import collect
from _mesh_fit import knots

from emulator.engine import landmarks, pose
from emulator.engine.attributes import gaze
from emulator.engine.attributes.calibration import fit_isotonic, reliability


def run(args: argparse.Namespace) -> int:
    """Fit on genki4k's tuning half, report on its held-out half; landmark shifts on every set."""
    data = collect(args)
    rows = [json.loads(str(r)) for r in data["row"]]
    keep = [i for i, r in enumerate(rows) if data["found"][i] and r["set"] == "genki4k"]
    off = {i: gaze.offsets(data["mesh"][i], data["iris"][i][:, 0, :]) for i in keep}
    head = {i: pose.mesh_pose(data["mesh"][i]) for i in keep}
    tune = [i for i in keep if data["tune"][i]]
    held = [i for i in keep if not data["tune"][i]]
    dx = np.array([off[i][:, 0].mean() for i in tune])
    dy = np.array([off[i][:, 1].mean() for i in tune])
    hy = np.radians([head[i].yaw for i in tune])
    hp = np.radians([head[i].pitch for i in tune])
    (dx0, kd), *_ = np.linalg.lstsq(np.column_stack([np.cos(hy), -np.sin(hy)]), dx * np.cos(hy), rcond=None)
    (dy0, kdp), *_ = np.linalg.lstsq(np.column_stack([np.cos(hp), np.sin(hp)]), dy * np.cos(hp), rcond=None)
    gaze.KD, gaze.KD_PITCH = round(float(kd), 4), round(float(kdp), 4)
    gaze.DX0, gaze.DY0 = round(float(dx0), 4), round(float(dy0), 4)
    print("## EyeDirection (scripts/measure_attributes --field mesh_gaze)\n")
    print(f"KD = {gaze.KD}\nKD_PITCH = {gaze.KD_PITCH}\nDX0 = {gaze.DX0}\nDY0 = {gaze.DY0}")

    def camera(i: int) -> tuple[list[tuple[float, float]], bool]:
        """Per-eye camera-frame gazes and whether both lie within AGREE of looking into the camera."""
        per = [gaze.camera_gaze(x, y, head[i].yaw, head[i].pitch) for x, y in off[i]]
        return per, all(abs(a) <= gaze.AGREE and abs(b) <= gaze.AGREE for a, b in per)

    calibration = fit_isotonic([gaze.gaze_score(camera(i)[0]) for i in tune], [camera(i)[1] for i in tune])
    print(knots("CALIBRATION", calibration))
    cam = np.array([np.mean(camera(i)[0], axis=0) for i in held])
    ed = np.array([[e.yaw, e.pitch] for e in (gaze.eye_direction(data["mesh"][i], np.column_stack(
        [data["iris"][i][:, 0, :2], np.ones(2)]), calibration) for i in held)])
    head_yaw = np.array([head[i].yaw for i in held])
    print(f"\ngenki4k held-out ({len(held)} faces), assumed looking into the camera: camera-frame gaze "
          f"|yaw| median {np.median(np.abs(cam[:, 0])):.1f}, p90 {np.percentile(np.abs(cam[:, 0]), 90):.1f}; "
          f"|pitch| median {np.median(np.abs(cam[:, 1])):.1f}, p90 {np.percentile(np.abs(cam[:, 1]), 90):.1f} deg")
    turned = np.abs(head_yaw) > 15
    print(f"heads turned > 15 deg ({turned.sum()}): EyeDirection.Yaw vs -Pose.Yaw correlation "
          f"{np.corrcoef(ed[turned, 0], -head_yaw[turned])[0, 1]:.2f}, median |EyeDirection.Yaw + Pose.Yaw| "
          f"{np.median(np.abs(ed[turned, 0] + head_yaw[turned])):.1f}")
    stated = [calibration.probability(gaze.gaze_score(camera(i)[0])) for i in held]
    print("\nConfidence reliability (held-out; reference: looking into the camera)\n")
    print("| stated | observed | faces |\n|---|---|---|")
    for s, o, n in reliability(stated, [camera(i)[1] for i in held]):
        print(f"| {100 * s:.1f} | {100 * o:.1f} | {n} |")
    shifts = []
    for i, _ in enumerate(rows):
        if not data["found"][i]:
            continue
        five = landmarks.aws_landmarks(data["points5"][i])
        moved = landmarks.with_mesh_mouth(five, data["mesh"][i])
        iod = math.dist(five["eyeLeft"], five["eyeRight"])
        shifts += [math.dist(five[k], moved[k]) / iod for k in ("mouthLeft", "mouthRight")]
    print(f"\nDEFAULT mouthLeft/mouthRight moved from dlib-geometric to the mesh's corners ({len(shifts)} corners): "
          f"median {np.median(shifts):.3f}, p90 {np.percentile(shifts, 90):.3f}, max {np.max(shifts):.3f} "
          "inter-ocular distances")
    return 0
