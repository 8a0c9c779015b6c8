"""Games to and from pygambit, quantecon and nashpy; print(game); compare_backends; peers imported lazily."""

from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest

from coalesce_games.solvers.compare import BACKENDS, compare_backends
from coalesce_games.solvers.game import Game

RNG = np.random.default_rng(17)
GAME = Game(RNG.normal(size=(3, 4)) * 1e3, RNG.random((3, 4)) / 7, ["T", "M", "B"], ["a", "b", "c", "d"],
            note="random floats")


def test_pygambit_round_trip_is_exact() -> None:
    pytest.importorskip("pygambit")
    g = GAME.to_pygambit()
    assert [s.label for s in list(g.players)[0].strategies] == ["T", "M", "B"]
    assert g.title == "random floats"
    back = Game.from_pygambit(g)
    assert back == GAME and back.note == GAME.note
    np.testing.assert_array_equal(back.B, GAME.B)   # bit for bit: exact rationals of the floats


def test_quantecon_transposes_player_two() -> None:
    pytest.importorskip("quantecon")
    g = GAME.to_quantecon()
    assert g.nums_actions == (3, 4)
    np.testing.assert_array_equal(g.players[1].payoff_array, GAME.B.T)
    assert g[2, 1] == pytest.approx((GAME.A[2, 1], GAME.B[2, 1]))
    assert Game.from_quantecon(g, GAME.row_labels, GAME.col_labels, GAME.note) == GAME


def test_nashpy_round_trip() -> None:
    back = Game.from_nashpy(GAME.to_nashpy(), GAME.row_labels, GAME.col_labels)
    assert back == GAME


def test_conversion_errors() -> None:
    qgt = pytest.importorskip("quantecon.game_theory")
    with pytest.raises(TypeError, match="quantecon NormalFormGame"):
        Game.from_quantecon(np.eye(2))
    with pytest.raises(ValueError, match="two players; got 3"):
        Game.from_quantecon(qgt.NormalFormGame((2, 2, 2)))
    with pytest.raises(TypeError, match="pygambit.Game"):
        Game.from_pygambit("game")


def test_print_shows_labels_and_payoffs() -> None:
    text = str(Game([[3, 0], [5, 1.5]], [[3, 5], [0, 1]], ["Cooperate", "D"], ["C", "D"], note="PD"))
    assert text.splitlines() == ["PD",
                                 "row \\ col     C       D",
                                 "Cooperate  3, 3    0, 5",
                                 "D          5, 0  1.5, 1"]


def test_compare_backends_on_a_degenerate_game() -> None:
    # T strictly dominant, the column player indifferent: extreme equilibria (T, L) and (T, R)
    t = compare_backends(Game([[1.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 1.0]]))
    assert list(t.backend) == list(BACKENDS)
    assert (t.unverified == 0).all() and (t.error == "").all()
    by = t.set_index("backend")
    assert by.loc["ours", "verified"] == 2 and by.loc["ours", "missed"] == 0
    assert by.loc["gambit_enummixed", "verified"] == 2
    assert by.loc["quantecon_vertex", "missed"] == 1   # quantecon's facet labels lose one


def test_compare_backends_reports_errors_and_bad_input() -> None:
    t = compare_backends(Game([[1.0]], [[1.0]]), methods=("ours", "nashpy_vertex"))
    assert t.set_index("backend").loc["nashpy_vertex", "error"].startswith("QhullError")
    with pytest.raises(ValueError, match="methods must be a sequence of names"):
        compare_backends(GAME, methods="ours")
    with pytest.raises(ValueError, match="methods must be"):
        compare_backends(GAME, methods=("ours", "lrs"))


def test_peers_are_not_imported_by_the_toolkit() -> None:
    code = ("import sys, coalesce_games as cg; g = cg.Game([[1, 0], [0, 1]]); cg.solve(g); cg.solve_many([g]); "
            "cg.compare_backends; print(sorted(m for m in ('pygambit', 'quantecon', 'nashpy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=True)
    assert out.stdout.strip() == "[]"
