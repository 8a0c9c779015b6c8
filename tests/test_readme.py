"""The README's set-up commands are the ones CI runs."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _readme_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return [block.strip() for block in re.findall(r"```bash\n(.*?)```", text, flags=re.S)]


def test_ci_runs_the_readme_test_command() -> None:
    ci_lines = [ln.strip() for ln in (ROOT / ".ci" / "run").read_text().splitlines()]
    test_command = _readme_commands()[1]
    assert "pytest" in test_command
    assert test_command in ci_lines


def test_main_job_command_runs_reproduce() -> None:
    main_command = _readme_commands()[0]
    assert "coalesce-games reproduce" in main_command
