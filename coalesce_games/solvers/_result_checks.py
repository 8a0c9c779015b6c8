"""The field checks of :class:`~coalesce_games.solvers.result.EquilibriumResult`: types and shapes, cheaply.

Every solver builds its result in :func:`coalesce_games.solvers.assemble.finish`,
which verifies the equilibria (regrets at most ``abs_tol``); the record itself
only checks that each field has the type and shape its documentation promises,
so that a result built by hand from wrong pieces (a list for an array, the
column player's mixes of the wrong length, ``complete=True`` with a reason why
it is not) fails at construction with a ``TypeError``/``ValueError`` naming the
field, not later in a table or a plot. No regret is recomputed: the checks cost
a few microseconds, against a hundred or more for the fastest solve.

>>> import numpy as np
>>> from coalesce_games.solvers.game import Game
>>> from coalesce_games.solvers.result import EquilibriumResult
>>> g = Game([[1.0]], [[1.0]])
>>> fields = dict(game=g, row_strategies=np.ones((1, 1)), col_strategies=np.ones((1, 1)), max_regret=np.zeros(1),
...               method="demo", kind="demo", complete=False, incomplete_reason="a demo", degenerate=None,
...               rejected=0, component=np.zeros(1, dtype=int), tol=1e-9, abs_tol=1e-9)
>>> len(EquilibriumResult(**fields))
1
>>> EquilibriumResult(**{**fields, "col_strategies": np.ones((1, 2))})
Traceback (most recent call last):
...
ValueError: col_strategies must have shape (1, 1) (one mix per equilibrium, one entry per strategy); got (1, 2)
"""

from __future__ import annotations

import math
import numbers
from typing import Any

import numpy as np
import pandas as pd

from coalesce_games.solvers.game import Game

__all__ = ['check_fields']


def _array(name: str, value: Any, kinds: str, shape: tuple[int, ...], what: str) -> None:
    if not isinstance(value, np.ndarray) or value.dtype.kind not in kinds:
        kind = {"f": "float", "iu": "integer", "b": "bool"}[kinds]
        got = f"{value.dtype} array" if isinstance(value, np.ndarray) else type(value).__name__
        raise TypeError(f"{name} must be a numpy {kind} array ({what}); got a {got}: {_short(value)}")
    if value.shape != shape:
        raise ValueError(f"{name} must have shape {shape} ({what}); got {value.shape}")


def _short(value: Any) -> str:
    text = repr(value)
    return text if len(text) <= 80 else text[:77] + "..."


def _typed(name: str, value: Any, types: tuple[type, ...], allowed: str) -> None:
    if not isinstance(value, types) or (isinstance(value, bool) and bool not in types):
        raise TypeError(f"{name} must be {allowed}; got {_short(value)}")


def check_fields(r: Any) -> None:
    """Raise ``TypeError``/``ValueError`` unless every field of the result ``r`` has its documented type and shape."""
    _typed("game", r.game, (Game,), "a Game")
    m, n = r.game.shape
    if isinstance(r.row_strategies, np.ndarray) and r.row_strategies.ndim != 2:
        raise ValueError(f"row_strategies must have shape (E, {m}) (one mix per equilibrium, one entry per "
                         f"strategy); got {r.row_strategies.shape}")
    E = len(r.row_strategies) if isinstance(r.row_strategies, np.ndarray) else 0
    _array("row_strategies", r.row_strategies, "f", (E, m), "one mix per equilibrium, one entry per strategy")
    _array("col_strategies", r.col_strategies, "f", (E, n), "one mix per equilibrium, one entry per strategy")
    _array("max_regret", r.max_regret, "f", (E,), "one per equilibrium")
    _array("component", r.component, "iu", (E,), "one per equilibrium")
    for name in ("method", "kind", "incomplete_reason"):
        _typed(name, getattr(r, name), (str,), "a string")
    _typed("complete", r.complete, (bool, np.bool_), "a bool")
    if bool(r.complete) == bool(r.incomplete_reason):
        raise ValueError(f"incomplete_reason must be empty exactly when complete is True; got complete={r.complete}"
                         f" with incomplete_reason={r.incomplete_reason!r}")
    if r.degenerate is not None:
        _typed("degenerate", r.degenerate, (bool, np.bool_), "a bool or None")
    _typed("rejected", r.rejected, (numbers.Integral,), "an integer >= 0")
    if r.rejected < 0:
        raise ValueError(f"rejected must be an integer >= 0; got {r.rejected!r}")
    for name in ("tol", "abs_tol"):
        value = getattr(r, name)
        _typed(name, value, (numbers.Real,), "a finite real number >= 0")
        if not (math.isfinite(value) and value >= 0):
            raise ValueError(f"{name} must be a finite real number >= 0; got {value!r}")
    _optional(r, E)


def _optional(r: Any, E: int) -> None:
    """The fields that default to None: certification, exact profiles, presolve audit, vertex indices, components."""
    if r.certified is not None:
        _array("certified", r.certified, "b", (E,), "one flag per equilibrium, or None")
    if r.exact is not None and not (isinstance(r.exact, tuple) and len(r.exact) == E):
        raise TypeError(f"exact must be None or a tuple of {E} exact profiles (or None each); got {_short(r.exact)}")
    if r.presolve is not None:
        _typed("presolve", r.presolve, (pd.DataFrame,), "a DataFrame (the dominance audit) or None")
    if r.vertex_index is not None:
        if not (isinstance(r.vertex_index, tuple) and len(r.vertex_index) == 2):
            raise TypeError(f"vertex_index must be None or a pair of index arrays; got {_short(r.vertex_index)}")
        for k, ix in enumerate(r.vertex_index):
            _array(f"vertex_index[{k}]", ix, "iu", (E,), "one vertex per equilibrium")
    if r.known_components is not None:
        _typed("known_components", r.known_components, (tuple,), "a tuple of Components or None")
