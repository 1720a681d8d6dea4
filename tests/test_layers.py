"""The layering of DESIGN.md holds: pyproject.toml's import-linter contracts are kept, and they name every module."""

from __future__ import annotations

import os
import subprocess
import sys
import tomllib
from pathlib import Path

import emulator

REPO = Path(__file__).resolve().parent.parent
PYPROJECT = REPO / "pyproject.toml"


def _contracts() -> list[dict[str, object]]:
    """The import-linter contracts of pyproject.toml."""
    config = tomllib.loads(PYPROJECT.read_text(encoding="utf-8"))
    contracts: list[dict[str, object]] = config["tool"]["importlinter"]["contracts"]
    return contracts


def test_import_contracts_are_kept() -> None:
    """lint-imports (every import, function-level ones too) finds no upward import, cycle or stray moto import."""
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(REPO), os.environ.get("PYTHONPATH")]))}
    run = subprocess.run(
        [sys.executable, "-c", "from importlinter.cli import lint_imports_command; lint_imports_command()",
         "--config", str(PYPROJECT), "--no-cache"],
        cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False,
    )
    assert run.returncode == 0, run.stdout[-6000:] + run.stderr[-2000:]
    assert "0 broken" in run.stdout


def test_every_top_level_module_has_a_layer() -> None:
    """A new module or package of emulator/ must be placed in a layer, or the contract would not see it."""
    layers = next(c for c in _contracts() if c.get("id") == "layers")["layers"]
    assert isinstance(layers, list)
    named = {name.strip().removeprefix("emulator.") for layer in layers for name in str(layer).split("|")}
    package = Path(emulator.__file__).parent
    present = {path.stem for path in package.glob("*.py") if path.stem != "__init__"}
    present |= {path.parent.name for path in package.glob("*/__init__.py")}
    assert present == named, f"not in a layer: {sorted(present - named)}; gone: {sorted(named - present)}"
