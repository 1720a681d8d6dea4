"""The API suite runs each test both ways (`backend`), unless it says why it needs the live server only."""

from __future__ import annotations

from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Refuse an API test that takes the live server directly without a `server_only` mark saying why."""
    for item in items:
        if HERE not in item.path.resolve().parents:
            continue
        fixtures = getattr(item, "fixturenames", ())
        if "server" in fixtures and not {"backend", "launch"} & set(fixtures):
            mark = item.get_closest_marker("server_only")
            if mark is None or not mark.args:
                raise pytest.UsageError(f"{item.nodeid} takes the live server: take `api`/`rekognition` to run both "
                                        "ways, or mark it @pytest.mark.server_only(reason)")
