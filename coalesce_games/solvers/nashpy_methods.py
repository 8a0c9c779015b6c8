"""nashpy's three algorithms, made safe: scaled payoffs, size guards, a time limit, verification.

nashpy (Knight and Campbell 2018) is the peer library the toolkit cross-checks
against. Called raw on the games of this project its methods fail in ways the
wrappers here remove:

* support enumeration solves each support system with an absolute tolerance
  (1e-16 by default), so it finds nothing once payoffs reach about 1e9; the
  payoffs are mapped affinely onto [1, 2] per player first (equilibria are
  invariant under positive affine maps) and the tolerance passed is ``tol``;
* vertex enumeration calls Qhull, which raises on a player with one strategy,
  and Lemke-Howson loops forever on a 1 x 1 game: a game where a player has a
  single strategy is answered directly (the other player's pure best responses);
* both enumerations are exponential: games past ``max_support_pairs`` or
  ``max_vertices`` are refused before starting, naming the estimate;
* Lemke-Howson can cycle on degenerate games: every method runs under a
  ``time_limit`` (seconds) and returns what it found, marked incomplete, when
  the limit is reached.

Every profile returned still goes through the common verification.

>>> from coalesce_games.solvers.game import Game
>>> bos = Game([[3e9, 0], [0, 2e9]], [[2e9, 0], [0, 3e9]])
>>> len(nashpy_support(bos)), len(nashpy_lemke_howson(Game([[1.0]], [[2.0]])))
(3, 1)
"""

from __future__ import annotations

import sys
import time
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np

from coalesce_games.solvers._checks import check_bool, check_int, check_scalar
from coalesce_games.solvers.assemble import finish
from coalesce_games.solvers.enumeration import MAX_VERTICES, max_vertices_bound
from coalesce_games.solvers.game import Game
from coalesce_games.solvers.result import EquilibriumResult
from coalesce_games.solvers.verify import check_game, check_tol

__all__ = ['DEFAULT_TIME_LIMIT', 'MAX_SUPPORT_PAIRS', 'nashpy_lemke_howson', 'nashpy_support', 'nashpy_vertex',
           'support_pairs']

#: default time limit of each nashpy call, seconds
DEFAULT_TIME_LIMIT = 60.0
#: default limit of :func:`nashpy_support` on the number of support pairs it would try
MAX_SUPPORT_PAIRS = 100_000


class _Timeout(Exception):
    pass


@contextmanager
def _deadline(seconds: float) -> Iterator[None]:
    """Raise :class:`_Timeout` inside the block once ``seconds`` have passed (checked at each Python call)."""
    stop = time.perf_counter() + seconds
    previous = sys.gettrace()

    def tracer(frame: Any, event: str, arg: Any) -> Any:
        if event == "call" and time.perf_counter() > stop:
            raise _Timeout
        return previous(frame, event, arg) if previous is not None else None

    sys.settrace(tracer)
    try:
        yield
    finally:
        sys.settrace(previous)


def _scaled(game: Game) -> tuple[np.ndarray, np.ndarray]:
    def unit(M: np.ndarray) -> np.ndarray:
        spread = float(np.ptp(M))
        return np.ones_like(M) if spread == 0.0 else (M - M.min()) / spread + 1.0
    return unit(np.asarray(game.A, float)), unit(np.asarray(game.B, float))


def _collect(gen: Callable[[], Iterator[Any]], seconds: float, m: int, n: int) -> tuple[list, bool]:
    """The finite profiles of the right shapes that ``gen`` yields within ``seconds``; and whether it finished."""
    found: list[tuple[np.ndarray, np.ndarray]] = []
    finished = True
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with _deadline(seconds):
                for x, y in gen():
                    x, y = np.asarray(x, float), np.asarray(y, float)
                    if x.shape == (m,) and y.shape == (n,) and np.isfinite(x).all() and np.isfinite(y).all():
                        found.append((x, y))
        except _Timeout:
            finished = False
    return found, finished


def _single_strategy(game: Game, all_best: bool) -> tuple[np.ndarray, np.ndarray]:
    """Extreme equilibria when one player has a single strategy: the other's pure best responses."""
    m, n = game.shape
    if m == 1:
        pay = game.B[0]
        best = np.nonzero(pay >= pay.max())[0]
        X, Y = np.ones((len(best), 1)), np.eye(n)[best]
    else:
        pay = game.A[:, 0]
        best = np.nonzero(pay >= pay.max())[0]
        X, Y = np.eye(m)[best], np.ones((len(best), 1))
    return (X, Y) if all_best else (X[:1], Y[:1])


def _settings(game: Game, tol: float | None, exact: bool, time_limit: float) -> tuple[float, float]:
    check_game(game)
    rel_tol = check_tol(tol)
    check_bool("exact", exact)
    return rel_tol, check_scalar("time_limit", time_limit, low=0, low_open=True)


def _package(game: Game, found: list, finished: bool, method: str, rel_tol: float, exact: bool,
             complete: bool, reason: str, limit: float) -> EquilibriumResult:
    m, n = game.shape
    X = np.array([f[0] for f in found]).reshape(-1, m)
    Y = np.array([f[1] for f in found]).reshape(-1, n)
    if not finished:
        complete, reason = False, f"nashpy's {method} stopped at the time limit of {limit:g} s"
    return finish(game, X, Y, method=method, kind="nashpy", tol=rel_tol, complete=complete, reason=reason,
                  exact=exact)


def support_pairs(m: int, n: int) -> int:
    """Support pairs nashpy's support enumeration tries with ``non_degenerate=False``."""
    return (2 ** m - 1) * (2 ** n - 1)


def nashpy_support(game: Game, tol: float | None = None, exact: bool = False,
                   time_limit: float = DEFAULT_TIME_LIMIT,
                   max_support_pairs: int = MAX_SUPPORT_PAIRS) -> EquilibriumResult:
    """nashpy's support enumeration (every support pair, ``non_degenerate=False``) on scaled payoffs.

    Complete on non-degenerate games; on degenerate ones it returns only the
    equilibria whose support systems have a unique solution. ``max_support_pairs``
    bounds ``(2^m - 1)(2^n - 1)`` (default 100000: up to 8 x 8).
    """
    rel_tol, limit = _settings(game, tol, exact, time_limit)
    cap = check_int("max_support_pairs", max_support_pairs, minimum=1)
    m, n = game.shape
    if support_pairs(m, n) > cap:
        raise ValueError(f"nashpy's support enumeration of the {m}x{n} game tries {support_pairs(m, n)} support "
                         f"pairs, more than max_support_pairs={cap}; use method='vertex' (all extreme "
                         "equilibria) or raise max_support_pairs")
    import nashpy

    g = nashpy.Game(*_scaled(game))
    found, done = _collect(lambda: g.support_enumeration(non_degenerate=False, tol=rel_tol), limit, m, n)
    return _package(game, found, done, "nashpy_support", rel_tol, exact, False,
                    "support enumeration misses equilibria of degenerate games whose support systems are singular",
                    limit)


def nashpy_vertex(game: Game, tol: float | None = None, exact: bool = False,
                  time_limit: float = DEFAULT_TIME_LIMIT, max_vertices: int = MAX_VERTICES) -> EquilibriumResult:
    """nashpy's vertex enumeration on scaled payoffs (a single-strategy player answered directly).

    nashpy labels each vertex by the facets Qhull reports, which can lose labels
    on degenerate games: the set is marked complete only for games with
    single-strategy players. ``max_vertices`` bounds the upper-bound estimate
    as in :func:`coalesce_games.solvers.enumeration.vertex_enumeration`.
    """
    rel_tol, limit = _settings(game, tol, exact, time_limit)
    cap = check_int("max_vertices", max_vertices, minimum=1)
    m, n = game.shape
    if min(m, n) == 1:
        X, Y = _single_strategy(game, all_best=True)
        return _package(game, list(zip(X, Y)), True, "nashpy_vertex", rel_tol, exact, True, "", limit)
    if max_vertices_bound(m, n) > cap:
        raise ValueError(f"nashpy's vertex enumeration of the {m}x{n} game may visit up to "
                         f"{max_vertices_bound(m, n)} vertices, more than max_vertices={cap}; use "
                         "method='lemke_howson' (one equilibrium) or raise max_vertices")
    import nashpy

    g = nashpy.Game(*_scaled(game))
    found, done = _collect(g.vertex_enumeration, limit, m, n)
    return _package(game, found, done, "nashpy_vertex", rel_tol, exact, False,
                    "nashpy's vertex labels can miss equilibria of degenerate games", limit)


def nashpy_lemke_howson(game: Game, tol: float | None = None, exact: bool = False,
                        time_limit: float = DEFAULT_TIME_LIMIT, initial_dropped_label: int = 0) -> EquilibriumResult:
    """nashpy's Lemke-Howson from one dropped label, on scaled payoffs, under a time limit.

    nashpy's pivoting is not lexicographic, so it can cycle on degenerate
    games: the time limit then ends it with no equilibrium (see
    ``incomplete_reason``). A game where a player has one strategy is answered
    directly (nashpy loops forever on 1 x 1).
    """
    rel_tol, limit = _settings(game, tol, exact, time_limit)
    m, n = game.shape
    label = check_int("initial_dropped_label", initial_dropped_label, minimum=0)
    if label >= m + n:
        raise ValueError(f"initial_dropped_label must be in [0, {m + n - 1}]; got {label}")
    reason = "Lemke-Howson finds one equilibrium"
    if min(m, n) == 1:
        X, Y = _single_strategy(game, all_best=False)
        return _package(game, list(zip(X, Y)), True, "nashpy_lemke_howson", rel_tol, exact, False, reason, limit)
    import nashpy

    g = nashpy.Game(*_scaled(game))
    found, done = _collect(lambda: iter([g.lemke_howson(initial_dropped_label=label)]), limit, m, n)
    return _package(game, found, done, "nashpy_lemke_howson", rel_tol, exact, False, reason, limit)
