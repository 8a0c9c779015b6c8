"""The equilibrium engine against known games, closed forms, exact oracles and peer libraries."""

from __future__ import annotations

import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
import quantecon.game_theory as qgt
from hypothesis import given, settings
from hypothesis import strategies as st

from coalesce_games.solvers.equilibria import (
    certify,
    client_optimal,
    max_regret,
    maximum_entropy,
    select,
    solve,
    solve_one,
    welfare_maximising,
)
from coalesce_games.solvers.exact import exact_extreme_equilibria
from coalesce_games.solvers.game import Game
from coalesce_games.solvers.lemke_howson import lemke_howson
from coalesce_games.solvers.result import EquilibriumResult
from coalesce_games.solvers.vertex import extreme_equilibria

# von Stengel (1999), "New maximal numbers of equilibria in bimatrix games", Discrete Comput.
# Geom. 21: the 6 x 6 game with 75 equilibria, as in Gambit's catalog (contrib/games/stengel.nfg).
STENGEL_NFG = """NFG 1 R "von Stengel's two person 6 x 6 game with 75 equilibria" { "1" "2" }

{ { "1" "2" "3" "4" "5" "6" }
{ "1" "2" "3" "4" "5" "6" }
}

9504 72336 -111771 -461736 397584 1227336 171204 -1718376 1303104 1303104 737154 -453420
-660 48081 31680 -300036 -113850 774576 -45936 -1039236 -453420 737154 -227040 -227040
19976 29216 -130944 -178761 451176 451176 208626 -586476 1227336 397584 774576 -113850
-20526 14124 168124 -84436 -586476 208626 -263076 -263076 -1718376 171204 -1039236 -45936
1776 1776 -8514 -8976 29216 19976 14124 -20526 72336 9504 48081 -660
-8976 -8514 52764 52764 -178761 -130944 -84436 168124 -461736 -111771 -300036 31680
"""


def _profile_set(result: EquilibriumResult, digits: int = 6) -> set:
    return {(tuple(np.round(x, digits) + 0.0), tuple(np.round(y, digits) + 0.0)) for x, y in result.equilibria}


def _exact_set(A, B, digits: int = 6) -> set:
    return {(tuple(round(float(v), digits) + 0.0 for v in x), tuple(round(float(v), digits) + 0.0 for v in y))
            for x, y in exact_extreme_equilibria(A, B)}


# ------------------------------------------------------------------ known games
def test_prisoners_dilemma_has_one_pure_equilibrium() -> None:
    eq = solve(Game([[3, 0], [5, 1]], [[3, 5], [0, 1]], ["C", "D"], ["C", "D"]), exact=True).to_frame()
    assert eq.row_support.tolist() == [("D",)] and eq.col_support.tolist() == [("D",)]
    assert eq.row_payoff.item() == 1.0 and eq.col_payoff.item() == 1.0 and bool(eq.certified.item())
    assert eq.row_mix.item() == {"D": 1.0}


def test_matching_pennies_unique_mixed() -> None:
    eq = solve(Game([[1, -1], [-1, 1]], [[-1, 1], [1, -1]]), exact=True).to_frame()
    assert len(eq) == 1 and eq.certified.all()
    np.testing.assert_allclose(eq.row_strategy.item(), [0.5, 0.5])
    np.testing.assert_allclose(eq.col_strategy.item(), [0.5, 0.5])
    assert eq.row_payoff.item() == pytest.approx(0.0)


def test_battle_of_the_sexes_three_equilibria_and_selection() -> None:
    r = solve(Game([[3, 0], [0, 2]], [[2, 0], [0, 3]]), exact=True)
    eq = r.to_frame()
    assert len(eq) == 3 and eq.certified.all() and not r.degenerate
    mixed = eq[eq.row_support.map(len) == 2].iloc[0]
    # row mixes to make column indifferent: 2 x = 3 (1 - x) -> x = 3/5; column: 3 y = 2 (1 - y) -> y = 2/5
    np.testing.assert_allclose(mixed.row_strategy, [0.6, 0.4])
    np.testing.assert_allclose(mixed.col_strategy, [0.4, 0.6])
    assert mixed.row_payoff == pytest.approx(6 / 5) and mixed.col_payoff == pytest.approx(6 / 5)
    w = welfare_maximising(eq)
    assert w.row_payoff + w.col_payoff == 5
    assert client_optimal(eq).row_payoff == 3 and client_optimal(eq, "col").col_payoff == 3
    assert maximum_entropy(eq).row_support == ("r0", "r1")
    assert select(eq, "entropy").equals(maximum_entropy(eq))
    with pytest.raises(ValueError, match="rule"):
        select(eq, "fairest")


def test_inspection_game_matches_closed_form() -> None:
    # inspector: inspect (cost c) or trust; inspectee: cheat (gain g, fine f) or comply
    c, g, f, loss = 2.0, 5.0, 20.0, 10.0
    A = np.array([[-c, -c], [-loss, 0.0]])        # rows: inspect, trust; cols: cheat, comply
    B = np.array([[-f, 0.0], [g, 0.0]])
    eq = solve(Game(A, B, ["inspect", "trust"], ["cheat", "comply"]), exact=True).to_frame()
    assert len(eq) == 1 and eq.certified.all()
    x, y = eq.row_strategy.item(), eq.col_strategy.item()
    # inspectee indifferent: -f p + g (1 - p) = 0 -> p = g / (g + f)
    assert x[0] == pytest.approx(g / (g + f))
    # inspector indifferent: -c = -loss q -> q = c / loss
    assert y[0] == pytest.approx(c / loss)
    assert eq.row_payoff.item() == pytest.approx(-c)


def test_coordination_6x6_has_63_equilibria() -> None:
    r = solve(Game(np.eye(6), np.eye(6)), exact=True)
    eq = r.to_frame()
    assert len(eq) == 63 and r.complete and eq.certified.all()
    # every non-empty support S: uniform on S for both players
    sizes = sorted(len(s) for s in eq.row_support)
    assert sizes.count(1) == 6 and sizes.count(3) == 20 and sizes.count(6) == 1
    assert (eq.max_regret <= r.abs_tol).all()


def test_von_stengel_6x6_has_75_equilibria() -> None:
    game = Game.from_nfg(STENGEL_NFG)
    eq = solve(game, exact=True)
    # 75 distinct profiles, each certified by an exact rational re-solve of its support system
    assert len(eq) == 75 and eq.certified.all() and not eq.degenerate
    assert len(_profile_set(eq, digits=9)) == 75


def test_degenerate_game_component_is_returned() -> None:
    # T strictly dominant; column indifferent everywhere: a continuum {T} x [L, R]
    eq = solve(Game([[1.0, 1.0], [0.0, 0.0]], [[1.0, 1.0], [1.0, 1.0]]))
    assert eq.degenerate is True
    assert _profile_set(eq) == {((1.0, 0.0), (1.0, 0.0)), ((1.0, 0.0), (0.0, 1.0))}
    comps = eq.components_frame()
    assert len(comps) == 1 and comps.n_extreme.item() == 2
    assert comps.cliques.item() == [[0, 1]]
    np.testing.assert_allclose(comps.col_strategy.item(), [0.5, 0.5])
    assert comps.max_regret.item() == 0.0


def test_components_of_a_game_with_two_nash_subsets() -> None:
    # column indifferent against row T; row indifferent against column R:
    # extreme equilibria (T,L), (T,R), (B,R) form one component of two Nash subsets
    A = np.array([[1.0, 0.0], [0.0, 0.0]])
    B = np.array([[0.0, 0.0], [0.0, 1.0]])
    eq = solve(Game(A, B))
    assert eq.degenerate and len(eq) == 3 and set(eq.component) == {0}
    cliques = eq.components_frame().cliques.item()
    assert len(cliques) == 2 and all(len(q) == 2 for q in cliques)


def test_zero_sum_lp_matches_vertex() -> None:
    rng = np.random.default_rng(3)
    A = rng.normal(size=(5, 4))
    game = Game(A)
    lp = solve(game, "lp")
    vx = solve(game, "vertex")
    assert lp.to_frame().row_payoff.item() == pytest.approx(vx.to_frame().row_payoff.iloc[0], abs=1e-8)
    assert lp.max_regret.item() <= lp.abs_tol
    big = Game(rng.normal(size=(60, 50)))
    one = solve(big)
    assert one.method == "lp" and len(one) == 1
    with pytest.raises(ValueError, match="zero-sum"):
        solve(Game(A, A), "lp")


def test_solve_one_and_lemke_howson_on_large_games() -> None:
    rng = np.random.default_rng(5)
    game = Game(rng.random((80, 70)), rng.random((80, 70)))
    one = solve_one(game)
    assert max_regret(game, one.row_strategies[0], one.col_strategies[0]) <= 1e-9
    assert solve(game).method == "lemke_howson"


def test_lemke_howson_every_label_on_a_degenerate_game() -> None:
    # lexicographic ratio test: no cycling on a degenerate (tied) game
    A = np.array([[1.0, 1.0, 0.0], [1.0, 1.0, 0.0], [0.0, 0.0, 1.0]])
    game = Game(A, A.T.copy())
    for label in range(6):
        x, y, _ = lemke_howson(game.A, game.B, label)
        assert max_regret(game, x, y) <= 1e-12


# ------------------------------------------------------------------ peers and oracles
def test_300_generic_games_equal_quantecon() -> None:
    rng = np.random.default_rng(2024)
    count = 0
    for size in range(2, 11):
        for _ in range(50 if size <= 6 else 15):
            m, n = size, int(rng.integers(2, 11))
            A, B = rng.random((m, n)), rng.random((m, n))
            ours = solve(Game(A, B))
            theirs = qgt.vertex_enumeration(qgt.NormalFormGame((qgt.Player(A), qgt.Player(B.T))))
            assert _profile_set(ours) == {(tuple(np.round(x, 6) + 0.0), tuple(np.round(y, 6) + 0.0))
                                          for x, y in theirs}
            assert not ours.degenerate
            count += 1
    assert count >= 300


def test_tied_integer_games_equal_exact_rational_enumeration() -> None:
    """Degenerate games (payoffs in {0, 1, 2}): our rational enumeration is the oracle."""
    rng = np.random.default_rng(11)
    total, degenerate = 0, 0
    for _ in range(30):
        A, B = rng.integers(0, 3, (4, 4)), rng.integers(0, 3, (4, 4))
        ours = solve(Game(A, B), exact=True)
        assert (ours.max_regret <= ours.abs_tol).all()
        assert _profile_set(ours) == _exact_set(A, B)
        assert ours.certified.all()
        total += len(ours)
        degenerate += bool(ours.degenerate)
    assert total > 100 and degenerate > 20


def test_tied_games_equal_gambit_rational_enumeration() -> None:
    gbt = pytest.importorskip("pygambit")
    rng = np.random.default_rng(12)
    for _ in range(10):
        A, B = rng.integers(0, 3, (3, 4)), rng.integers(0, 3, (3, 4))
        game = gbt.Game.from_arrays(A.astype(int), B.astype(int))
        result = gbt.nash.enummixed_solve(game, rational=True)
        p1, p2 = list(game.players)
        theirs = {(tuple(round(float(eq[s]), 6) + 0.0 for s in p1.strategies),
                   tuple(round(float(eq[s]), 6) + 0.0 for s in p2.strategies)) for eq in result.equilibria}
        assert _profile_set(solve(Game(A, B))) == theirs


def _lrsnash(A: np.ndarray, B: np.ndarray, tmp: Path) -> set:
    m, n = A.shape
    text = f"{m} {n}\n\n" + "\n".join(" ".join(str(int(v)) for v in r) for r in A) + "\n\n" \
        + "\n".join(" ".join(str(int(v)) for v in r) for r in B) + "\n"
    path = tmp / "game.txt"
    path.write_text(text)
    out = subprocess.run(["lrsnash", str(path)], capture_output=True, text=True, timeout=60).stdout
    found = set()
    xs: list[tuple] = []
    ys: list[tuple] = []
    for line in out.splitlines() + [""]:
        parts = line.split()
        if parts and parts[0] in ("1", "2") and not line.startswith("*"):
            vals = tuple(round(float(Fraction(p)), 6) + 0.0 for p in parts[1:-1])
            (xs if parts[0] == "1" else ys).append(vals)
        elif not parts:  # a block ends: every x with every y (a Nash subset)
            found |= {(x, y) for x in xs for y in ys}
            xs, ys = [], []
    return found


@pytest.mark.skipif(shutil.which("lrsnash") is None, reason="lrsnash (Debian lrslib) not installed")
def test_tied_games_equal_lrsnash(tmp_path: Path) -> None:
    rng = np.random.default_rng(13)
    for _ in range(15):
        A, B = rng.integers(0, 3, (4, 4)), rng.integers(0, 3, (4, 4))
        assert _profile_set(solve(Game(A, B))) == _lrsnash(A, B, tmp_path)


def test_qhull_and_bases_enumerations_agree_on_degenerate_games() -> None:
    rng = np.random.default_rng(14)
    for _ in range(10):
        A, B = rng.integers(0, 3, (5, 5)).astype(float), rng.integers(0, 3, (5, 5)).astype(float)
        q = extreme_equilibria(A, B, method="qhull")
        b = extreme_equilibria(A, B, method="bases")
        key = lambda r: {(tuple(np.round(x, 7)), tuple(np.round(y, 7))) for x, y in zip(r.xs, r.ys)}  # noqa: E731
        assert key(q) == key(b) and q.degenerate == b.degenerate


# ------------------------------------------------------------------ exactness
def test_certify_rejects_a_non_equilibrium() -> None:
    game = Game([[3, 0], [0, 2]], [[2, 0], [0, 3]])
    assert certify(game, [0.6, 0.4], [0.4, 0.6])
    assert not certify(game, [0.5, 0.5], [0.5, 0.5])
    assert not certify(game, [0.6, 0.4], [0.5, 0.5])


@settings(max_examples=40, deadline=None)
@given(st.integers(1, 5), st.integers(1, 5), st.integers(0, 2**31 - 1))
def test_every_returned_profile_is_an_equilibrium(m: int, n: int, seed: int) -> None:
    rng = np.random.default_rng(seed)
    A, B = rng.integers(-3, 4, (m, n)), rng.integers(-3, 4, (m, n))
    game = Game(A, B)
    eq = solve(game)
    assert len(eq) >= 1  # Nash (1951): every finite game has one
    for x, y in eq.equilibria:
        assert max_regret(game, x, y) <= 1e-9 * max(game.payoff_range(), 1)
        assert x.sum() == pytest.approx(1) and y.sum() == pytest.approx(1)
        assert (x >= 0).all() and (y >= 0).all()


@pytest.mark.parametrize("method", ["nashpy_support", "nashpy_vertex", "nashpy_lemke_howson"])
def test_nashpy_methods_return_only_verified_profiles(method: str) -> None:
    rng = np.random.default_rng(2)
    game = Game(rng.random((4, 4)), rng.random((4, 4)))
    eq = solve(game, method)
    assert len(eq) >= 1
    assert (eq.max_regret <= eq.abs_tol).all()
    assert _profile_set(eq) <= _profile_set(solve(game, "vertex"))


def test_exact_method_and_its_size_limit() -> None:
    eq = solve(Game([[3, 0], [0, 2]], [[2, 0], [0, 3]]), "exact")
    assert len(eq) == 3 and eq.certified.all()
    with pytest.raises(ValueError, match="too many"):
        solve(Game(np.eye(12), np.eye(12)), "exact")


# ------------------------------------------------------------------ bad input
def test_bad_arguments() -> None:
    with pytest.raises(ValueError, match="method must be one of .* got 'magic'"):
        solve(Game([[1]], [[1]]), "magic")
    with pytest.raises(TypeError, match="Game"):
        solve(np.eye(2))
    with pytest.raises(ValueError, match="tol must be in"):
        solve(Game([[1]], [[1]]), tol=-1.0)
    with pytest.raises(TypeError, match="exact must be a bool"):
        solve(Game([[1]], [[1]]), exact="yes")
    with pytest.raises(TypeError, match="solve"):
        welfare_maximising(pd.DataFrame({"a": [1]}))


def test_presolve_keeps_the_equilibrium_set() -> None:
    rng = np.random.default_rng(21)
    for _ in range(10):
        A = rng.integers(0, 4, (4, 3)).astype(float)
        B = rng.integers(0, 4, (4, 3)).astype(float)
        A[0] -= 10.0  # row r0 strictly dominated
        game = Game(A, B)
        pre = solve(game, presolve=True, exact=True)
        assert _profile_set(pre) == _profile_set(solve(game))
        assert "r0" in set(pre.presolve.strategy)
        assert (pre.max_regret <= pre.abs_tol).all() and pre.certified.all()
        assert all(x[0] == 0 for x in pre.row_strategies)
        assert all(len(c.row_strategy) == 4 for c in pre.components)
    with pytest.raises(TypeError, match="presolve must be a bool"):
        solve(game, presolve=1)
