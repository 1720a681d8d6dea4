"""pytest plugin: the `rekognition_emulator` fixture (an active mock_rekognition per test)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import pytest

from emulator.testing import MockRekognition, mock_rekognition

if TYPE_CHECKING:
    from emulator.engine import Engine


@pytest.fixture(scope="session")
def rekognition_engine() -> Engine:
    """One face engine per session (loading the models takes seconds); override it to share your own."""
    from emulator.engine import Engine

    return Engine()


@pytest.fixture
def rekognition_emulator(rekognition_engine: Engine) -> Iterator[MockRekognition]:
    """A fresh in-memory emulator answering every boto3 Rekognition call of the test; yields the mock."""
    with mock_rekognition(engine=rekognition_engine) as mock:
        yield mock
