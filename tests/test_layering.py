"""The package's data flow runs one way: no module imports a later layer.

criteria -> selection -> market -> games -> equilibria -> findings (developers'
guide). The equilibrium solver is a foundation of the games layer and depends
only on the Game type, so it sits below the games that use it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "coalesce_games"

LAYERS: dict[str, int] = {
    "__init__": 0,
    "_validate": 0,
    "_stats": 0,
    "data": 0,
    "bimatrix": 0,
    "criteria": 1,
    "costs": 1,
    "skills": 1,
    "topsis": 1,
    "policies": 2,
    "threats": 2,
    "market": 3,
    "_engine": 3,
    "equilibria": 4,
    "dominance": 4,
    "games": 5,
    "competition": 5,
    "repeated": 5,
    "commitment": 5,
    "analytic": 5,
    "dynamics": 5,
    "sweep": 6,
    "experiments": 6,
    "findings": 6,
    "figures": 6,
    "report": 6,
    "reproduce": 6,
    "cli": 7,
}
#: private solver modules belong to the solver layer
SOLVER_PRIVATE = 4


def _layer(module: str) -> int:
    if module in LAYERS:
        return LAYERS[module]
    if module.startswith("_"):
        return SOLVER_PRIVATE
    raise AssertionError(f"module {module!r} has no layer: add it to LAYERS in {__file__}")


def _package_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(), filename=str(path))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            if node.level == 1:  # from .x import y / from . import x
                if node.module:
                    found.add(node.module.split(".")[0])
                else:
                    found.update(alias.name for alias in node.names)
            elif node.module and node.module.startswith("coalesce_games"):
                parts = node.module.split(".")
                if len(parts) > 1:
                    found.add(parts[1])
                else:
                    found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.Import):
            for alias in node.names:
                parts = alias.name.split(".")
                if parts[0] == "coalesce_games" and len(parts) > 1:
                    found.add(parts[1])
    return found


MODULES = sorted(p for p in PACKAGE.glob("*.py"))


@pytest.mark.parametrize("path", MODULES, ids=lambda p: p.stem)
def test_no_upward_import(path: Path) -> None:
    own = _layer(path.stem)
    for imported in _package_imports(path) - {path.stem}:
        if not (PACKAGE / f"{imported}.py").exists():
            continue  # a name re-exported by the package, not a module
        assert _layer(imported) <= own, (
            f"{path.stem} (layer {own}) imports {imported} (layer {_layer(imported)}): "
            "data must flow one way"
        )


def test_solver_is_self_contained() -> None:
    """The equilibrium engine needs only the Game type and validation."""
    for name in ("equilibria", "dominance"):
        path = PACKAGE / f"{name}.py"
        if path.exists():
            allowed = {"_validate", "bimatrix"} | {
                p.stem for p in PACKAGE.glob("_*.py") if p.stem not in ("__init__",)
            }
            assert _package_imports(path) <= allowed | {name}


def test_every_public_name_resolves() -> None:
    import coalesce_games

    for name in coalesce_games.__all__:
        assert getattr(coalesce_games, name) is not None
