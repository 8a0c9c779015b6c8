"""The package's data flow runs one way, and the check that says so can fail.

Layers, lowest first (``coalesce_games/__init__.py`` lists them)::

    solvers            imports nothing else of the package
    validation, data   input checks, the data files and their loader
    model -> market -> games -> findings
    cli, explorer      the commands

A module may import its own layer and the layers below it; the solvers import
only the solvers; inside a layer the modules' imports form no cycle. Every
module must have a layer: a file the rules do not place is an error, so a
renamed or new file cannot slip past.
"""

from __future__ import annotations

import ast
import shutil
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PACKAGE = ROOT / "coalesce_games"
DATA = ROOT / "data"

#: the layer of each subpackage or top-level module (below ``coalesce_games``)
LAYERS: dict[str, int] = {
    "solvers": 0,
    "validation": 1,
    "data": 1,
    "model": 2,
    "market": 3,
    "games": 4,
    "findings": 5,
    "population": 5,
    "explorer": 6,
    "cli": 6,
    "__init__": 6,
}


def _modules(package: Path, data: Path) -> dict[str, Path]:
    """Dotted name below ``coalesce_games`` -> file, for every module of the package."""
    found = {".".join(p.relative_to(package).with_suffix("").parts): p for p in package.rglob("*.py")}
    found = {name.removesuffix(".__init__") if name != "__init__" else name: p for name, p in found.items()}
    found.update({("data" if p.stem == "__init__" else f"data.{p.stem}"): p for p in data.glob("*.py")})
    return found


def _layer(module: str) -> int:
    head = module.split(".")[0]
    if head not in LAYERS:
        raise AssertionError(f"module {module!r} has no layer: place it in LAYERS of {__file__}")
    return LAYERS[head]


def _imports(path: Path, module: str) -> set[str]:
    """The package modules that ``path`` imports (dotted names below ``coalesce_games``)."""
    tree = ast.parse(path.read_text(), filename=str(path))
    package_parts = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package_parts[: len(package_parts) - node.level + 1]
                target = ".".join(base + ([node.module] if node.module else []))
            elif node.module and (node.module == "coalesce_games" or node.module.startswith("coalesce_games.")):
                target = node.module.removeprefix("coalesce_games").lstrip(".")
            else:
                continue
            for alias in node.names:
                found.add(f"{target}.{alias.name}".lstrip(".") if target != "" else alias.name)
                found.add(target)
        elif isinstance(node, ast.Import):
            found.update(a.name.removeprefix("coalesce_games.") for a in node.names
                         if a.name.startswith("coalesce_games."))
    return {name for name in found if name}


def violations(package: Path = PACKAGE, data: Path = DATA) -> list[str]:
    """Every upward import, every solver import of another layer, every cycle inside a layer."""
    modules = _modules(package, data)
    problems: list[str] = []
    graph: dict[str, set[str]] = {}
    for module, path in modules.items():
        own = _layer(module)
        targets = {t for t in _imports(path, module) if t.split(".")[0] in LAYERS or t in modules}
        targets = {t if t in modules else t.rsplit(".", 1)[0] for t in targets}
        targets = {t for t in targets if t in modules and t != module}
        graph[module] = {t for t in targets if _layer(t) == own and module != "__init__"}
        for target in sorted(targets):
            if module == "__init__" or target == "__init__" and module.split(".")[0] in ("cli", "explorer"):
                continue
            if _layer(target) > own:
                problems.append(f"{module} (layer {own}) imports {target} (layer {_layer(target)})")
            elif module.startswith("solvers") and not target.startswith("solvers"):
                problems.append(f"{module} is a solver and imports {target}")
    problems += [f"import cycle inside a layer: {' -> '.join(c)}" for c in _cycles(graph)]
    return problems


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """One cycle per strongly connected knot found by depth-first search (empty when acyclic)."""
    state: dict[str, int] = {}
    found: list[list[str]] = []

    def visit(node: str, path: list[str]) -> None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                found.append(path[path.index(nxt):] + [node, nxt] if nxt in path else [node, nxt])
            elif nxt not in state:
                visit(nxt, path + [node])
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            visit(node, [])
    return found


def test_the_package_flows_one_way() -> None:
    assert violations() == []


def test_every_module_has_a_layer() -> None:
    for module in _modules(PACKAGE, DATA):
        _layer(module)


@pytest.fixture()
def copy(tmp_path: Path) -> tuple[Path, Path]:
    package, data = tmp_path / "coalesce_games", tmp_path / "data"
    shutil.copytree(PACKAGE, package, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copytree(DATA, data)
    assert violations(package, data) == []
    return package, data


def _plant(path: Path, line: str) -> None:
    path.write_text(path.read_text() + f"\n{line}\n")


def test_the_check_catches_a_solver_importing_the_market(copy) -> None:
    package, data = copy
    _plant(package / "solvers" / "vertex.py", "from coalesce_games.market.config import MarketConfig")
    assert any("solvers.vertex" in v and "market.config" in v for v in violations(package, data))


def test_the_check_catches_a_cycle_inside_a_layer(copy) -> None:
    package, data = copy
    _plant(package / "games" / "stage.py", "from coalesce_games.games import competition")
    _plant(package / "games" / "competition.py", "from coalesce_games.games import stage")
    assert any("cycle" in v and "games.stage" in v for v in violations(package, data))


def test_the_check_catches_a_new_low_file_importing_the_top(copy) -> None:
    package, data = copy
    (package / "model" / "_helpers.py").write_text("from coalesce_games.findings import catalogue\n")
    assert any("model._helpers" in v and "findings.catalogue" in v for v in violations(package, data))


def test_the_check_refuses_a_file_it_cannot_place(copy) -> None:
    package, data = copy
    (package / "stray.py").write_text("x = 1\n")
    with pytest.raises(AssertionError, match="has no layer"):
        violations(package, data)
