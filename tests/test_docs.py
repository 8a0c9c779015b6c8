"""The documentation site builds strictly, its code runs, its numbers are measured, its sweep specs work.

The site (``mkdocs.yml``, ``docs/``) is built with ``mkdocs build --strict`` into a temporary
folder, without running the notebooks (``tests/test_notebooks.py`` runs them); every
```` ```python ```` block of every page is executed; the nashpy table of ``docs/nashpy.md`` is
compared with what ``benchmarks/nashpy_degenerate.py`` measures; the sweep specs of
``examples/sweeps/`` are parsed and one is run.
"""

from __future__ import annotations

import ast
import importlib.util
import math
import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
DOCS = ROOT / "docs"
PAGES = sorted(p for p in DOCS.rglob("*.md") if p.name != "README.md")
CODE_PAGES = [p for p in PAGES if "```python" in p.read_text()]
SPECS = sorted((ROOT / "examples" / "sweeps").glob("*.toml"))
PYTHON_BLOCK = re.compile(r"^```python\n(.*?)^```", re.S | re.M)

pytest.importorskip("mkdocs", reason="the docs extra (pip install -e '.[docs]') builds the site")


def _exports() -> dict[str, str]:
    tree = ast.parse((ROOT / "coalesce_games" / "__init__.py").read_text())
    for node in tree.body:
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "_EXPORTS":
            return ast.literal_eval(node.value)
    raise AssertionError("coalesce_games/__init__.py has no _EXPORTS")


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site")
    env = {**os.environ, "COALESCE_DOCS_EXECUTE": "false", "NO_MKDOCS_2_WARNING": "1"}
    proc = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "--site-dir", str(out)],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert proc.returncode == 0, f"mkdocs build --strict failed:\n{proc.stdout[-4000:]}\n{proc.stderr[-8000:]}"
    return out


def test_the_site_builds_every_page(site: Path) -> None:
    written = {p.relative_to(DOCS).with_suffix(".html").as_posix() for p in PAGES}
    notebooks = {f"notebooks/{p.stem}.html" for p in (ROOT / "notebooks").glob("*.ipynb")}
    expected = written | notebooks | {"model.html", "reproduction.html", "reference.html"}
    missing = sorted(page for page in expected if not (site / page).is_file())
    assert not missing, f"pages not built: {missing}"
    assert len(expected) >= 19


def test_the_model_and_the_report_are_included_whole(site: Path) -> None:
    model = (site / "model.html").read_text()
    for section in ("3. Costs: Eq. 1-10", "4. Selection", "5. Threats and the security budget", "6. Games"):
        assert section in model
    assert "What holds, what does not" in (site / "reproduction.html").read_text() or \
        "what holds, what does not" in (site / "reproduction.html").read_text()


def test_the_reference_documents_every_public_name(site: Path) -> None:
    html = (site / "reference.html").read_text()
    exports = _exports()
    missing = [name for name, module in exports.items() if f'id="coalesce_games.{module}.{name}"' not in html]
    assert not missing, f"public names without a reference entry: {missing}"
    import coalesce_games

    assert set(exports) == set(coalesce_games.__all__) - {"__version__"}


@pytest.mark.parametrize("page", CODE_PAGES, ids=lambda p: p.relative_to(DOCS).as_posix())
def test_the_code_on_each_page_runs(page: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    blocks = PYTHON_BLOCK.findall(page.read_text())
    assert blocks
    monkeypatch.chdir(tmp_path)                      # anything a snippet writes stays in the temporary folder
    namespace: dict = {"__name__": "__docs__"}
    for k, block in enumerate(blocks):
        try:
            exec(compile(block, f"{page.name}[block {k}]", "exec"), namespace)
        except Exception as exc:  # noqa: BLE001 - name the block that failed
            raise AssertionError(f"{page.relative_to(ROOT)} block {k} failed: {exc!r}\n{block}") from exc


def test_every_page_with_code_shows_python_blocks() -> None:
    # a ```py or ```python3 fence would be shown but never run: the pages use ```python only
    for page in PAGES:
        fences = re.findall(r"^```(\w+)", page.read_text(), re.M)
        assert set(fences) <= {"python", "bash", "toml", "text"}, f"{page.name}: fences {set(fences)}"


def _measurement_module():
    spec = importlib.util.spec_from_file_location("nashpy_degenerate", ROOT / "benchmarks" / "nashpy_degenerate.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_the_nashpy_page_shows_what_the_script_measures() -> None:
    pytest.importorskip("pygambit")
    m = _measurement_module()
    detail = m.measure()
    assert detail.gambit_agrees.all(), "our extreme equilibria differ from Gambit's enummixed"
    table = m.totals(detail).to_markdown(index=False)
    page = (DOCS / "nashpy.md").read_text()
    assert table in page, f"docs/nashpy.md's table is stale; measured now:\n{table}"
    ours = detail.groupby("game").extreme.first().sum()
    assert ours == 55, "the page's text quotes 55 extreme equilibria"


@pytest.mark.parametrize("spec", SPECS, ids=lambda p: p.stem)
def test_each_sweep_spec_parses_into_a_valid_design(spec: Path) -> None:
    from coalesce_games.cli import _read_spec
    from coalesce_games.market.config import MarketConfig

    raw = tomllib.loads(spec.read_text())
    design, metrics = _read_spec(str(spec))
    assert len(design) == math.prod(len(values) for values in raw["grid"].values())
    assert metrics == raw["metrics"]
    for point in design:
        assert raw["base"].items() <= point.items()
        MarketConfig().replace(**point)              # every point is a valid configuration


def test_there_are_example_specs() -> None:
    assert {p.stem for p in SPECS} >= {"security_budget", "exploration", "published_mechanics"}


def test_a_spec_runs_with_two_seeds(capsys: pytest.CaptureFixture[str]) -> None:
    from coalesce_games.cli import main

    code = main(["sweep", str(ROOT / "examples" / "sweeps" / "security_budget.toml"), "--seeds", "2",
                 "--executor", "serial"])
    out = capsys.readouterr().out
    assert code == 0
    lines = [line for line in out.splitlines() if line.strip()]
    assert "rogue_task_share_mean" in lines[0]
    assert len(lines) == 1 + 4                       # a header and the four verification shares
