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


def _package_files() -> list[Path]:
    return sorted(p for p in (ROOT / "coalesce_games").rglob("*.py") if "__pycache__" not in p.parts)


def test_the_layout_lists_every_file_of_the_package() -> None:
    """The README's layout has one line per file: a new, renamed or removed module must show there."""
    text = (ROOT / "README.md").read_text()
    layout = text[text.index("## Layout"):text.index("## What the reproduction finds")]
    listed = [ln.split()[0] for ln in layout.splitlines() if ln.strip().endswith(".py") or ".py " in ln]
    files = [p.name for p in _package_files() if p.name != "__init__.py"]   # a package is its folder's line
    for name in files:
        assert name in listed, f"{name} is not in the README's layout"
    assert len([n for n in listed if n.endswith(".py")]) == len(files), "the layout lists a file that is gone"


def test_the_readme_tour_runs() -> None:
    """The README's Python snippets are run as written."""
    text = (ROOT / "README.md").read_text()
    for block in re.findall(r"```python\n(.*?)```", text, flags=re.S):
        exec(compile(block, "README.md", "exec"), {})


def test_the_findings_numbers_come_from_the_run() -> None:
    """Every number the README quotes for F1-F8 stands in papers/reproduction.md, which the run writes."""
    text = (ROOT / "README.md").read_text()
    section = text[text.index("## What the reproduction finds"):text.index("## Performance")]
    bullets = section[section.index("- **F1"):]
    account = (ROOT / "papers" / "reproduction.md").read_text()
    numbers = set(re.findall(r"(?<![\w.])[-+]?\d+\.\d+|(?<![\w.])\d{2,}(?![\w.])", bullets))
    numbers -= {"41.8", "0.7", "0.1", "13"}   # the paper's claims and the table's size, quoted by name
    missing = sorted(n for n in numbers if n not in account)
    assert not missing, f"README numbers not in papers/reproduction.md: {missing}"
