"""Each module small enough to read in one sitting: no file over 500 lines, no function over 80."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SOURCES = sorted([*(ROOT / "coalesce_games").rglob("*.py"), *(ROOT / "data").glob("*.py")])
MAX_FILE_LINES, MAX_FUNCTION_LINES = 500, 80


def too_long(path: Path) -> list[str]:
    """What in ``path`` is over the limits."""
    text = path.read_text()
    found = [f"{path.name}: {text.count(chr(10))} lines"] if text.count("\n") > MAX_FILE_LINES else []
    for node in ast.walk(ast.parse(text)):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            length = node.end_lineno - node.lineno + 1
            if length > MAX_FUNCTION_LINES:
                found.append(f"{path.name}: {node.name} {length} lines")
    return found


@pytest.mark.parametrize("path", SOURCES, ids=lambda p: str(p.relative_to(ROOT)))
def test_within_the_limits(path: Path) -> None:
    assert too_long(path) == []


def test_the_check_catches_a_long_function_and_a_long_file(tmp_path: Path) -> None:
    long_function = tmp_path / "f.py"
    long_function.write_text("def f():\n" + "    x = 1\n" * 80)
    assert too_long(long_function) == ["f.py: f 81 lines"]
    long_file = tmp_path / "g.py"
    long_file.write_text("x = 1\n" * 501)
    assert too_long(long_file) == ["g.py: 501 lines"]
