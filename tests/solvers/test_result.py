"""The typed result: fields, frames, long form, rendering, exact fractions, solve_many, selection."""

from __future__ import annotations

from fractions import Fraction

import numpy as np
import pandas as pd
import pytest

from coalesce_games.solvers.equilibria import solve, solve_many, solve_one
from coalesce_games.solvers.game import Game
from coalesce_games.solvers.result import COLUMNS, EquilibriumResult
from coalesce_games.solvers.selection import select

BOS = Game([[3, 0], [0, 2]], [[2, 0], [0, 3]], ["Opera", "Football"], ["Opera", "Football"])
# vertex enumeration leaves float noise on this game's mixed equilibria (0.44444444444444425 for 4/9)
NOISY = Game([[3, 6, 1], [5, 4, 0], [2, 6, 3]], [[0, 5, 5], [5, 1, 0], [6, 0, 3]])


def test_fields_and_frame() -> None:
    r = solve(BOS)
    assert isinstance(r, EquilibriumResult)
    assert (len(r), r.method, r.kind, r.complete, r.incomplete_reason, r.degenerate, r.rejected) == \
        (3, "vertex", "extreme", True, "", False, 0)
    frame = r.to_frame()
    assert list(frame.columns) == COLUMNS and frame.attrs == {}
    assert frame.row_mix.tolist()[2] == {"Opera": pytest.approx(0.6), "Football": pytest.approx(0.4)}
    assert frame.certified.isna().all() and frame.component.tolist() == [0, 1, 2]
    # hand computation: mixed payoffs 3 * 0.6 * 0.4 = 0.72 + 2 * 0.4 * 0.6 = 0.48 -> 1.2 for both
    assert frame.row_payoff.tolist() == pytest.approx([3.0, 2.0, 1.2])
    frame.loc[0, "kind"] = "changed"   # a copy: the result is unaffected
    assert r.to_frame().loc[0, "kind"] == "extreme"


def test_long_form_one_row_per_equilibrium_player_strategy() -> None:
    r = solve(BOS)
    long = r.long()
    assert len(long) == 3 * (2 + 2)
    assert list(long.columns) == ["equilibrium", "component", "player", "strategy", "probability", "payoff"]
    assert long.groupby(["equilibrium", "player"]).probability.sum().tolist() == pytest.approx([1.0] * 6)
    row = long[(long.equilibrium == 2) & (long.player == "col") & (long.strategy == "Football")]
    assert row.probability.item() == pytest.approx(0.6) and row.payoff.item() == pytest.approx(1.2)


def test_rendering() -> None:
    r = solve(BOS)
    text = repr(r)
    assert text.startswith("EquilibriumResult: 3 equilibria of the 2x2 game by 'vertex'; complete")
    assert "Opera" in text
    html = r._repr_html_()
    assert "<table" in html and "non-degenerate" in html
    lh = solve(BOS, "lemke_howson")
    assert "may be incomplete: Lemke-Howson finds one equilibrium" in repr(lh)


def test_exact_returns_fractions_and_clean_floats() -> None:
    noisy = solve(NOISY)
    clean = solve(NOISY, exact=True)
    assert noisy.row_strategies.tolist() != clean.row_strategies.tolist()   # the float noise is there
    assert clean.certified.all() and len(clean.exact) == len(clean)
    for (x, y), (xe, ye) in zip(clean.equilibria, clean.exact):
        assert all(isinstance(v, Fraction) for v in xe + ye)
        assert sum(xe) == 1 and sum(ye) == 1
        assert x.tolist() == [float(v) for v in xe] and y.tolist() == [float(v) for v in ye]
    frame = clean.to_frame()
    assert {"row_exact", "col_exact"} <= set(frame.columns)
    assert Fraction(4, 9) in {v for xe, _ in clean.exact for v in xe}


def test_exact_removes_float_noise_at_zero_and_one() -> None:
    game = Game([[5, 4, 3, 1], [2, 0, 0, 0], [1, 5, 4, 6], [3, 4, 6, 5]],
                [[4, 3, 3, 6], [1, 5, 4, 0], [2, 6, 3, 0], [5, 5, 5, 1]])
    v = np.concatenate([solve(game).row_strategies.ravel(), solve(game).col_strategies.ravel()])
    assert ((np.abs(v - 1) < 1e-9) & (v != 1)).any() and ((np.abs(v) < 1e-9) & (v != 0)).any()
    r = solve(game, exact=True)
    assert r.certified.all()
    w = np.concatenate([r.row_strategies.ravel(), r.col_strategies.ravel()])
    assert not ((np.abs(w - 1) < 1e-9) & (w != 1)).any() and not ((np.abs(w) < 1e-9) & (w != 0)).any()


def test_solve_many_matches_solve_game_by_game() -> None:
    rng = np.random.default_rng(3)
    games = [Game(rng.integers(0, 3, (3, 4)), rng.integers(0, 3, (3, 4))) for _ in range(25)]
    many = solve_many(games)
    assert list(many.columns) == ["game"] + COLUMNS
    parts = [solve(g).to_frame().assign(game=k) for k, g in enumerate(games)]
    expected = pd.concat(parts, ignore_index=True)[["game"] + COLUMNS]
    pd.testing.assert_frame_equal(many.drop(columns=["row_strategy", "col_strategy"]),
                                  expected.drop(columns=["row_strategy", "col_strategy"]), check_dtype=False)
    for a, b in zip(many.row_strategy, expected.row_strategy):
        assert np.array_equal(a, b)
    assert sorted(set(many.game)) == list(range(25))


def test_solve_many_bad_input() -> None:
    with pytest.raises(TypeError, match="games must be a sequence of Game"):
        solve_many(BOS)
    with pytest.raises(TypeError, match=r"games\[1\] must be a Game"):
        solve_many([BOS, np.eye(2)])
    assert len(solve_many([])) == 0


def test_select_on_results_and_tables() -> None:
    r = solve(BOS)
    assert select(r, "welfare").equals(select(r.to_frame(), "welfare"))
    assert select(r, "entropy").row_support == ("Opera", "Football")
    with pytest.raises(TypeError, match="result of solve"):
        select(np.eye(2))


def test_components_and_presolve_are_fields() -> None:
    r = solve(Game([[1.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 1.0]]))
    assert r.degenerate and len(r.components) == 1 and r.components[0].cliques == [[0, 1]]
    assert r.components_frame().n_extreme.tolist() == [2]
    pre = solve(Game([[1.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 1.0]]), presolve=True)
    assert pre.presolve is not None and list(pre.presolve.strategy) == ["r1"]
    assert pre.components[0].row_strategy.tolist() == [1.0, 0.0]


def test_solve_one_is_a_result() -> None:
    one = solve_one(Game(np.random.default_rng(1).random((40, 30)), np.random.default_rng(2).random((40, 30))))
    assert len(one) == 1 and one.method == "lemke_howson" and not one.complete


# ------------------------------------------------------------------ field checks (issue 15)
def _fields(**changes) -> dict:
    g = Game([[1.0, 0.0]], [[1.0, 0.0]])            # 1x2: the row player's one strategy, the column's first
    base = dict(game=g, row_strategies=np.ones((1, 1)), col_strategies=np.array([[1.0, 0.0]]),
                max_regret=np.zeros(1), method="demo", kind="demo", complete=False, incomplete_reason="a demo",
                degenerate=None, rejected=0, component=np.zeros(1, dtype=np.int64), tol=1e-9, abs_tol=1e-9)
    return {**base, **changes}


def test_a_result_built_by_hand_is_accepted() -> None:
    r = EquilibriumResult(**_fields())
    assert len(r) == 1 and r.to_frame().col_support.tolist() == [("c0",)]


@pytest.mark.parametrize("junk", [1, None, True, [[1.0]], {}])
def test_junk_in_every_field_is_refused(junk) -> None:
    """The fuzz suite's call: every required field the same junk value (it used to be accepted)."""
    names = [f for f in _fields()]
    with pytest.raises((TypeError, ValueError)):
        EquilibriumResult(**{name: junk for name in names})


@pytest.mark.parametrize("field,value,error,message", [
    ("game", "g", TypeError, "game must be a Game; got 'g'"),
    ("row_strategies", [[1.0]], TypeError, "row_strategies must be a numpy float array .*got a list"),
    ("row_strategies", np.ones(1), ValueError, r"row_strategies must have shape \(E, 1\)"),
    ("col_strategies", np.ones((1, 3)), ValueError, r"col_strategies must have shape \(1, 2\) .*got \(1, 3\)"),
    ("col_strategies", np.ones((2, 2)), ValueError, r"col_strategies must have shape \(1, 2\)"),
    ("max_regret", np.zeros(2), ValueError, r"max_regret must have shape \(1,\)"),
    ("component", np.zeros(1), TypeError, "component must be a numpy integer array .*float64"),
    ("method", 3, TypeError, "method must be a string; got 3"),
    ("complete", 1, TypeError, "complete must be a bool; got 1"),
    ("complete", True, ValueError, "incomplete_reason must be empty exactly when complete is True"),
    ("incomplete_reason", "", ValueError, "incomplete_reason must be empty exactly when complete is True"),
    ("degenerate", "no", TypeError, "degenerate must be a bool or None"),
    ("rejected", -1, ValueError, "rejected must be an integer >= 0; got -1"),
    ("rejected", True, TypeError, "rejected must be an integer >= 0; got True"),
    ("tol", float("nan"), ValueError, "tol must be a finite real number >= 0; got nan"),
    ("abs_tol", "1e-9", TypeError, "abs_tol must be a finite real number >= 0"),
    ("certified", [True], TypeError, "certified must be a numpy bool array"),
    ("exact", (None, None), TypeError, "exact must be None or a tuple of 1 exact profiles"),
    ("presolve", {}, TypeError, "presolve must be a DataFrame"),
    ("vertex_index", (np.zeros(1, dtype=int),), TypeError, "vertex_index must be None or a pair"),
    ("known_components", [], TypeError, "known_components must be a tuple"),
])
def test_each_bad_field_is_named(field: str, value, error: type, message: str) -> None:
    with pytest.raises(error, match=message):
        EquilibriumResult(**_fields(**{field: value}))


def test_results_of_every_method_pass_their_field_checks() -> None:
    pennies = Game([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    for game, method in [(NOISY, "vertex"), (NOISY, "exact"), (NOISY, "nashpy_support"), (NOISY, "lemke_howson"),
                         (pennies, "lp")]:
        r = solve(game, method=method, exact=method == "vertex", presolve=method == "exact")
        EquilibriumResult(**{f: getattr(r, f) for f in _fields()})      # rebuilt from its own fields
