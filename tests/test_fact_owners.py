"""Facts written once: the CLIs list what the engine's registries hold, and the engine's lists agree with the model."""

from __future__ import annotations

import argparse

import numpy as np
import pytest

from emulator import cli
from emulator.engine import DEFAULT_THRESHOLD, LANDMARK_NAMES, DetectedFace, Quality, similarity
from emulator.engine.descriptor import DEFAULT_DESCRIPTOR, DESCRIPTOR_KINDS
from emulator.engine.detectors import CHOICES
from emulator.engine.filters import LEVELS
from emulator.engine.similarity import DLIB_TOLERANCE
from emulator.ops.face_detail import face_detail
from emulator.protocol.spec import service_model
from emulator.tools import evaluate_cli, index_folder, measure_quality


def _serve_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser()
    cli._serve_parser(parser.add_subparsers())
    action = next(a for a in parser._actions if isinstance(a, argparse._SubParsersAction))
    serve: argparse.ArgumentParser = action.choices["serve"]
    return serve


def _choices(parser: argparse.ArgumentParser, dest: str) -> tuple[object, ...]:
    action = next(a for a in parser._actions if a.dest == dest)
    assert action.choices is not None
    return tuple(action.choices)


@pytest.mark.parametrize("name", ["serve", "evaluate", "measure_quality"])
def test_detector_and_descriptor_choices_are_the_engines(name: str) -> None:
    parser = {"serve": _serve_parser, "evaluate": evaluate_cli.build_parser,
              "measure_quality": measure_quality.build_parser}[name]()
    assert _choices(parser, "detector") == CHOICES
    assert _choices(parser, "descriptor") == DESCRIPTOR_KINDS
    assert parser.get_default("descriptor") == DEFAULT_DESCRIPTOR


def test_measure_quality_takes_the_default_detector() -> None:
    args = measure_quality.build_parser().parse_args(["--detector", "retinaface"])
    assert args.detector == "retinaface"


def test_quality_filter_levels_are_the_models() -> None:
    enum = tuple(service_model().shape_for("QualityFilter").enum)
    assert enum == LEVELS
    assert _choices(index_folder.build_parser(), "quality_filter") == LEVELS


def test_default_landmarks_are_model_types_sent_in_aws_order() -> None:
    assert set(LANDMARK_NAMES) <= set(service_model().shape_for("LandmarkType").enum)
    assert LANDMARK_NAMES == ("eyeLeft", "eyeRight", "mouthLeft", "mouthRight", "nose")
    points = {"nose": (50.0, 60.0), "mouthRight": (60.0, 80.0), "eyeLeft": (35.0, 40.0), "mouthLeft": (40.0, 80.0),
              "eyeRight": (65.0, 40.0)}
    face = DetectedFace(left=10.0, top=10.0, width=80.0, height=90.0, confidence=99.0, landmarks=points, pose=None,
                        quality=Quality(50.0, 50.0), descriptor=np.zeros(128, dtype=np.float32))
    detail = face_detail(face, 100, 120)
    assert [lm["Type"] for lm in detail["Landmarks"]] == list(LANDMARK_NAMES)


def test_default_threshold_is_where_dlibs_tolerance_lands() -> None:
    assert similarity(DLIB_TOLERANCE) == pytest.approx(DEFAULT_THRESHOLD, abs=1e-9)
