"""One game, several solvers: what each backend finds and whether it verifies.

:func:`compare_backends` runs the toolkit's own solver and the peer libraries'
algorithms, each as the peer ships it (nashpy's on the raw payoffs, Gambit's on
the exact rationals of the payoffs, quantecon's with player 2's array
transposed), and checks every profile they return with the same regret test
(:mod:`coalesce_games.solvers.verify`). The peers are imported inside the
function, only for the backends asked for, so none is needed to import the
toolkit.

Backends (``methods``):

``"ours"``                   :func:`~coalesce_games.solvers.equilibria.solve` (``method="auto"``)
``"nashpy_support"``         ``nashpy.Game.support_enumeration`` (its default tolerance)
``"nashpy_vertex"``          ``nashpy.Game.vertex_enumeration``
``"nashpy_lemke_howson"``    ``nashpy.Game.lemke_howson(initial_dropped_label=0)``
``"gambit_enummixed"``       ``pygambit.nash.enummixed_solve`` (rational)
``"gambit_lcp"``             ``pygambit.nash.lcp_solve`` (rational)
``"quantecon_vertex"``       ``quantecon.game_theory.vertex_enumeration``
``"quantecon_lemke_howson"`` ``quantecon.game_theory.lemke_howson``

The Python backends (ours, nashpy) stop at ``time_limit`` seconds; the
enumerations are refused on games past the vertex bound of
:func:`~coalesce_games.solvers.enumeration.max_vertices_bound` (reported in ``error``).

>>> from coalesce_games.solvers.game import Game
>>> t = compare_backends(Game([[3, 0], [0, 2]], [[2, 0], [0, 3]]), methods=("ours", "quantecon_vertex"))
>>> t[["backend", "found", "verified", "missed"]].to_dict("records")
[{'backend': 'ours', 'found': 3, 'verified': 3, 'missed': 0}, {'backend': 'quantecon_vertex', 'found': 3, 'verified': 3, 'missed': 0}]
"""

from __future__ import annotations

import time
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np
import pandas as pd

from coalesce_games.solvers._checks import check_scalar
from coalesce_games.solvers.enumeration import MAX_VERTICES, max_vertices_bound
from coalesce_games.solvers.game import Game
from coalesce_games.solvers.nashpy_methods import _deadline, _Timeout
from coalesce_games.solvers.verify import check_game, regrets, scale

__all__ = ['BACKENDS', 'compare_backends']

Profiles = list[tuple[np.ndarray, np.ndarray]]


def _ours(game: Game) -> Profiles:
    from coalesce_games.solvers.equilibria import solve

    return solve(game).equilibria


def _nashpy(name: str) -> Callable[[Game], Profiles]:
    def run(game: Game) -> Profiles:
        g = game.to_nashpy()
        if name == "support":
            return list(g.support_enumeration(non_degenerate=False))
        if name == "vertex":
            return list(g.vertex_enumeration())
        return [g.lemke_howson(initial_dropped_label=0)]
    return run


def _gambit(name: str) -> Callable[[Game], Profiles]:
    def run(game: Game) -> Profiles:
        import pygambit

        g = game.to_pygambit()
        solver = pygambit.nash.enummixed_solve if name == "enummixed" else pygambit.nash.lcp_solve
        p1, p2 = list(g.players)
        return [(np.array([float(eq[s]) for s in p1.strategies]), np.array([float(eq[s]) for s in p2.strategies]))
                for eq in solver(g, rational=True).equilibria]
    return run


def _quantecon(name: str) -> Callable[[Game], Profiles]:
    def run(game: Game) -> Profiles:
        import quantecon.game_theory as qgt

        g = game.to_quantecon()
        if name == "vertex":
            return [tuple(e) for e in qgt.vertex_enumeration(g)]
        return [tuple(qgt.lemke_howson(g))]
    return run


#: backend name -> (runner, exponential?)
BACKENDS: dict[str, tuple[Callable[[Game], Profiles], bool]] = {
    "ours": (_ours, False),
    "nashpy_support": (_nashpy("support"), True), "nashpy_vertex": (_nashpy("vertex"), True),
    "nashpy_lemke_howson": (_nashpy("lemke_howson"), False),
    "gambit_enummixed": (_gambit("enummixed"), True), "gambit_lcp": (_gambit("lcp"), False),
    "quantecon_vertex": (_quantecon("vertex"), True), "quantecon_lemke_howson": (_quantecon("lemke_howson"), False),
}


def _verify(game: Game, found: Profiles, bound: float) -> tuple[list[tuple[np.ndarray, np.ndarray]], int]:
    """The verified profiles (right shapes, finite, probability vectors, regret within ``bound``)."""
    m, n = game.shape
    good = []
    for x, y in found:
        x, y = np.asarray(x, float), np.asarray(y, float)
        if x.shape != (m,) or y.shape != (n,) or not (np.isfinite(x).all() and np.isfinite(y).all()):
            continue
        if (x < -1e-9).any() or (y < -1e-9).any() or abs(x.sum() - 1) > 1e-9 or abs(y.sum() - 1) > 1e-9:
            continue
        if regrets(game, x[None], y[None])[0] <= bound:
            good.append((x, y))
    return good, len(found) - len(good)


def _key(profiles: Profiles) -> set[tuple[float, ...]]:
    return {tuple(np.round(np.concatenate([x, y]), 6) + 0.0) for x, y in profiles}


def _run(game: Game, name: str, time_limit: float) -> tuple[Profiles, str, float]:
    runner, exponential = BACKENDS[name]
    m, n = game.shape
    if exponential and max_vertices_bound(m, n) > MAX_VERTICES:
        return [], f"skipped: the {m}x{n} game is past the vertex bound {MAX_VERTICES}", 0.0
    start = time.perf_counter()
    try:
        with warnings.catch_warnings(), _deadline(time_limit):
            warnings.simplefilter("ignore")
            found = runner(game)
        error = ""
    except _Timeout:
        found, error = [], f"stopped at the time limit of {time_limit:g} s"
    except Exception as exc:  # a peer's failure is a result of the comparison, reported with its message
        found, error = [], f"{type(exc).__name__}: {exc}"[:200]
    return found, error, time.perf_counter() - start


def compare_backends(game: Game, methods: Sequence[str] = tuple(BACKENDS), tol: float = 1e-9,
                     time_limit: float = 60.0) -> pd.DataFrame:
    """Solve ``game`` with each backend in ``methods`` and tabulate the outcomes.

    One row per backend: ``found`` (profiles returned), ``verified`` (of those,
    equilibria within ``tol`` of the payoff spread), ``unverified``,
    ``missed`` (verified equilibria some other backend found that this one
    did not; only meaningful for the enumerating backends), ``seconds`` and
    ``error`` (the exception a backend raised, or why it was skipped or stopped).
    """
    check_game(game)
    if isinstance(methods, str) or not all(m in BACKENDS for m in methods):
        raise ValueError(f"methods must be a sequence of names from {list(BACKENDS)!r}; got {methods!r}")
    bound = check_scalar("tol", tol, low=0, high=1e-4, low_open=True) * scale(game)
    limit = check_scalar("time_limit", time_limit, low=0, low_open=True)
    rows: list[dict[str, Any]] = []
    sets = {}
    for name in methods:
        found, error, seconds = _run(game, name, limit)
        good, bad = _verify(game, found, bound)
        sets[name] = _key(good)
        rows.append({"backend": name, "found": len(found), "verified": len(good), "unverified": bad,
                     "seconds": seconds, "error": error})
    union = set().union(*sets.values()) if sets else set()
    for row in rows:
        row["missed"] = len(union - sets[row["backend"]])
    return pd.DataFrame(rows, columns=["backend", "found", "verified", "unverified", "missed", "seconds", "error"])
