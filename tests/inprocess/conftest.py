"""In-process fixtures: the installed plugin's fixture shares the session engine."""

from __future__ import annotations

import pytest

from emulator.engine import Engine


@pytest.fixture(scope="session")
def rekognition_engine(engine: Engine) -> Engine:
    """Give the plugin's fixture the session's already-loaded engine."""
    return engine
