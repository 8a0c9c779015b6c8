"""Every notebook runs top to bottom in a fresh kernel, in quick mode, and shows its figures inline;
importing the package never switches the user's matplotlib backend."""

from __future__ import annotations

import pkgutil
import subprocess
import sys
from pathlib import Path

import nbformat
import pytest
from nbclient import NotebookClient

import coalesce_games

NOTEBOOKS = sorted((Path(__file__).resolve().parents[1] / "notebooks").glob("*.ipynb"))
FINDING_NOTEBOOKS = [p for p in NOTEBOOKS if p.name.startswith("F")]


def test_there_is_a_notebook_per_finding_and_a_tour() -> None:
    names = {p.name.split("_")[0] for p in NOTEBOOKS}
    assert {"00", "F1", "F2", "F3", "F4", "F5", "F6", "F7"} <= names


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_source_never_forces_a_backend(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    code = "\n".join(c.source for c in book.cells if c.cell_type == "code")
    assert "matplotlib.use(" not in code and "Agg" not in code, f"{path.name} switches matplotlib's backend"


@pytest.mark.parametrize("path", NOTEBOOKS, ids=lambda p: p.stem)
def test_notebook_runs_in_quick_mode_and_shows_its_figures(path: Path) -> None:
    book = nbformat.read(path, as_version=4)
    assert all(not cell.get("outputs") for cell in book.cells if cell.cell_type == "code"), \
        f"{path.name} is committed with outputs"
    params = [c for c in book.cells if "parameters" in c.metadata.get("tags", [])]
    assert len(params) == 1, f"{path.name} needs one cell tagged 'parameters'"
    params[0].source = "QUICK = True"
    NotebookClient(book, timeout=300, kernel_name="python3",
                   resources={"metadata": {"path": str(path.parent)}}).execute()
    outputs = [o for c in book.cells if c.cell_type == "code" for o in c.outputs]
    text = "\n".join(str(o.get("text", "")) for o in outputs)
    images = [o for o in outputs if "image/png" in o.get("data", {})]
    if path in FINDING_NOTEBOOKS:
        assert images, f"{path.name} emits no image/png output: its figure is not shown"
        assert "preliminary: " in text, "a quick notebook's verdicts must read preliminary"


def test_importing_every_module_leaves_the_backend_as_it_was() -> None:
    """In a fresh process with a non-default backend, import every module of the package, then compare."""
    modules = sorted(m.name for m in pkgutil.walk_packages(coalesce_games.__path__, "coalesce_games."))
    assert "coalesce_games.findings.figures" in modules and "coalesce_games.findings.f1_figure" in modules
    script = ("import importlib, matplotlib\n"
              "matplotlib.use('svg')\n"
              f"for name in {modules!r}:\n"
              "    try:\n"
              "        importlib.import_module(name)\n"
              "    except ModuleNotFoundError as exc:   # an optional dependency (e.g. the explorer's) is absent\n"
              "        if (exc.name or '').startswith('coalesce_games'):\n"
              "            raise\n"
              "from coalesce_games.findings.catalogue import FINDINGS\n"
              "from coalesce_games.findings.figures import draw, to_png\n"
              "to_png(draw(lambda fig: fig.subplots().plot([0, 1]), 'x'))\n"
              "print(matplotlib.get_backend())\n")
    proc = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=600)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.strip().splitlines()[-1] == "svg"
