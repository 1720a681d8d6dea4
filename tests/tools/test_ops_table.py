"""The supported-operations table and README's copy of it."""

from __future__ import annotations

from pathlib import Path

from emulator.ops import load_handlers
from emulator.protocol.spec import operation_names
from emulator.tools.ops_table import END, START, current_block, operations_table, replace_block

README = Path(__file__).resolve().parents[2] / "README.md"


def test_table_lists_every_model_operation() -> None:
    lines = [line for line in operations_table().splitlines() if line.startswith("| ")]
    rows = {line.split(" | ")[0].lstrip("| "): line for line in lines}
    rows.pop("Operation")
    assert set(rows) == set(operation_names())
    handlers = load_handlers()
    for name, line in rows.items():
        assert line.split(" | ")[1] == ("yes" if name in handlers else "no")


def test_readme_block_is_current() -> None:
    assert current_block(README.read_text(encoding="utf-8")) == operations_table(), \
        "run: python -m emulator.tools.ops_table --write README.md"


def test_replace_block() -> None:
    text = replace_block("# Title\n", "table\n")
    assert text == f"# Title\n\n{START}\ntable\n{END}\n"
    assert replace_block(text, "new\n") == f"# Title\n\n{START}\nnew\n{END}\n"
