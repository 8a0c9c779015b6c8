"""Our equilibrium sets against Gambit's and quantecon's, through the Game conversions.

Random generic games: every method that enumerates must agree with Gambit's
``enummixed`` (rational) and quantecon's ``vertex_enumeration``. Degenerate
(tied) games: Gambit's ``enummixed`` returns every extreme equilibrium, so the
sets must be equal; quantecon misses some there, so its set must be a subset
of ours; every Lemke-Howson answer (Gambit's ``lcp``, quantecon's, ours) must
be in our set.
"""

from __future__ import annotations

import numpy as np
import pytest

from coalesce_games.solvers.equilibria import solve
from coalesce_games.solvers.game import Game

gbt = pytest.importorskip("pygambit")
qgt = pytest.importorskip("quantecon.game_theory")


def _key(profiles) -> set:
    return {(tuple(np.round(np.asarray(x, float), 6) + 0.0), tuple(np.round(np.asarray(y, float), 6) + 0.0))
            for x, y in profiles}


def _gambit(game: Game, solver) -> set:
    g = game.to_pygambit()
    p1, p2 = list(g.players)
    return _key(([float(eq[s]) for s in p1.strategies], [float(eq[s]) for s in p2.strategies])
                for eq in solver(g, rational=True).equilibria)


def test_random_games_equal_gambit_and_quantecon() -> None:
    rng = np.random.default_rng(31)
    for _ in range(40):
        m, n = (int(v) for v in rng.integers(2, 6, 2))
        game = Game(rng.random((m, n)), rng.random((m, n)))
        ours = _key(solve(game).equilibria)
        assert ours == _gambit(game, gbt.nash.enummixed_solve)
        assert ours == _key(qgt.vertex_enumeration(game.to_quantecon()))
        assert _key(solve(game, "exact").equilibria) == ours


def test_degenerate_games_equal_gambit_and_contain_the_others() -> None:
    rng = np.random.default_rng(32)
    degenerate = 0
    for _ in range(30):
        m, n = (int(v) for v in rng.integers(2, 5, 2))
        game = Game(rng.integers(0, 3, (m, n)), rng.integers(0, 3, (m, n)))
        result = solve(game)
        ours = _key(result.equilibria)
        degenerate += bool(result.degenerate)
        assert ours == _gambit(game, gbt.nash.enummixed_solve)
        assert _key(qgt.vertex_enumeration(game.to_quantecon())) <= ours
        assert _gambit(game, gbt.nash.lcp_solve) <= ours
        assert _key([qgt.lemke_howson(game.to_quantecon())]) <= ours
        assert _key(solve(game, "lemke_howson").equilibria) <= ours
    assert degenerate >= 10


def test_offset_and_scaled_games_keep_their_sets() -> None:
    rng = np.random.default_rng(33)
    for _ in range(10):
        A, B = rng.integers(0, 3, (3, 3)).astype(float), rng.integers(0, 3, (3, 3)).astype(float)
        base = _key(solve(Game(A, B)).equilibria)
        assert _key(solve(Game(A * 1e9 + 1e12, B * 1e-6 - 5.0)).equilibria) == base
