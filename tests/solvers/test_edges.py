"""Solver edges (issue 15): offsets, tolerance bounds, profile checks, size guards, nashpy's failures, .nfg limits.

One regression test per example of the issue's solver and files bullets.
"""

from __future__ import annotations

import time
from fractions import Fraction

import numpy as np
import pytest

from coalesce_games.solvers.equilibria import is_equilibrium, max_regret, solve
from coalesce_games.solvers.game import Game, NFGError
from coalesce_games.solvers.verify import MAX_TOL

BOS_A = np.array([[3.0, 0.0], [0.0, 2.0]])
BOS_B = np.array([[2.0, 0.0], [0.0, 3.0]])
RPS = Game([[0, -1, 1], [1, 0, -1], [-1, 1, 0]])


def _key(result) -> set:
    return {(tuple(np.round(x, 9)), tuple(np.round(y, 9))) for x, y in result.equilibria}


# ------------------------------------------------------------------ offsets
@pytest.mark.parametrize("offset", [1e8, 1e12])
def test_an_offset_changes_nothing(offset: float) -> None:
    plain = solve(Game(BOS_A, BOS_B), exact=True)
    shifted = solve(Game(BOS_A + offset, BOS_B + offset), exact=True)
    assert len(shifted) == 3 and shifted.complete and shifted.rejected == 0
    assert _key(shifted) == _key(plain)
    assert shifted.certified.all()
    # the mixed equilibrium exactly: row (3/5, 2/5), column (2/5, 3/5)
    assert shifted.exact[2] == ((Fraction(3, 5), Fraction(2, 5)), (Fraction(2, 5), Fraction(3, 5)))


def test_regret_is_offset_free() -> None:
    g0, g1 = Game(BOS_A, BOS_B), Game(BOS_A + 1e12, BOS_B + 1e12)
    x, y = [0.6, 0.4], [0.4, 0.6]
    assert max_regret(g1, x, y) == max_regret(g0, x, y) <= 1e-15
    assert is_equilibrium(g1, x, y)


@pytest.mark.parametrize("method", ["lemke_howson", "nashpy_support", "nashpy_vertex"])
def test_other_methods_at_an_offset(method: str) -> None:
    r = solve(Game(BOS_A + 1e12, BOS_B + 1e12), method)
    assert len(r) >= 1 and r.rejected == 0


# ------------------------------------------------------------------ tolerance
def test_tol_has_an_upper_bound() -> None:
    assert len(solve(RPS)) == 1
    with pytest.raises(ValueError, match=r"tol must be in \(0, 0.0001\]; got 0.3"):
        solve(RPS, tol=0.3)
    with pytest.raises(ValueError, match="tol must be in"):
        solve(Game(np.eye(2), np.eye(2)), tol=0.7)
    assert len(solve(RPS, tol=MAX_TOL)) == 1
    with pytest.raises(ValueError, match="tol"):
        is_equilibrium(RPS, [1, 0, 0], [1, 0, 0], tol=0.5)


# ------------------------------------------------------------------ profiles
@pytest.mark.parametrize("x, y, match", [
    ([2, -1], [1, 0], "x must be a probability vector .entries >= 0.; got -1.0 at index 1"),
    ([0.5, 0.0], [1, 0], "x must be a probability vector summing to 1"),
    ([1, 0], [0.3, 0.3], "y must be a probability vector summing to 1"),
    ([1, 0, 0], [1, 0], r"x must have shape \(2,\); got \(3,\)"),
    ([1, 0], [np.nan, 1], "y must be finite"),
])
def test_is_equilibrium_validates_its_profiles(x, y, match: str) -> None:
    with pytest.raises(ValueError, match=match):
        is_equilibrium(Game(np.eye(2), np.eye(2)), x, y)


def test_is_equilibrium_accepts_solver_rounding() -> None:
    g = Game(np.eye(2), np.eye(2))
    assert is_equilibrium(g, [1 + 1e-12, -1e-12], [1.0, 0.0])


# ------------------------------------------------------------------ size guards
def test_vertex_refuses_40x40_naming_the_estimate_and_the_alternative() -> None:
    start = time.perf_counter()
    with pytest.raises(ValueError, match=r"up to \d+ vertices .*use method='lemke_howson'"):
        solve(Game(np.eye(40), np.eye(40)), "vertex")
    with pytest.raises(ValueError, match="use method='lp'"):
        solve(Game(np.eye(40)), "vertex")
    assert time.perf_counter() - start < 1.0


def test_nashpy_support_refuses_12x12() -> None:
    with pytest.raises(ValueError, match=r"tries 16769025 support pairs.*use method='vertex'"):
        solve(Game(np.eye(12), np.eye(12)), "nashpy_support")


def test_exact_refuses_large_games() -> None:
    with pytest.raises(ValueError, match="max_bases=20000"):
        solve(Game(np.eye(12), np.eye(12)), "exact")


# ------------------------------------------------------------------ nashpy
def test_nashpy_support_at_scale_1e9() -> None:
    for scale in (1e9, 1e12):
        r = solve(Game(BOS_A * scale, BOS_B * scale), "nashpy_support")
        assert len(r) == 3


@pytest.mark.parametrize("method", ["nashpy_vertex", "nashpy_lemke_howson", "nashpy_support"])
def test_nashpy_on_1x1_and_single_strategy_games(method: str) -> None:
    start = time.perf_counter()
    r = solve(Game([[1.0]], [[2.0]]), method)
    assert len(r) == 1 and r.row_strategies.tolist() == [[1.0]]
    r = solve(Game([[1.0, 1.0, 1.0]], [[0.0, 2.0, 2.0]]), method)
    assert {tuple(y) for y in r.col_strategies} <= {(0.0, 1.0, 0.0), (0.0, 0.0, 1.0)} and len(r) >= 1
    assert time.perf_counter() - start < 5.0


def test_nashpy_vertex_single_strategy_is_complete() -> None:
    r = solve(Game([[1.0, 1.0, 1.0]], [[0.0, 2.0, 2.0]]), "nashpy_vertex")
    assert len(r) == 2 and r.complete


def test_nashpy_methods_stop_at_the_time_limit() -> None:
    g = Game(np.random.default_rng(0).random((6, 6)), np.random.default_rng(1).random((6, 6)))
    for method in ("nashpy_support", "nashpy_vertex", "nashpy_lemke_howson"):
        start = time.perf_counter()
        r = solve(g, method, time_limit=1e-9)
        assert time.perf_counter() - start < 2.0
        assert not r.complete and "time limit" in r.incomplete_reason


def test_bad_settings_are_refused() -> None:
    with pytest.raises(ValueError, match="time_limit must be in"):
        solve(RPS, "nashpy_support", time_limit=0)
    with pytest.raises(TypeError, match="max_vertices must be an integer"):
        solve(RPS, "vertex", max_vertices=1.5)
    with pytest.raises(TypeError, match="unexpected keyword"):
        solve(RPS, "lp", time_limit=1.0)


# ------------------------------------------------------------------ incomplete sets say why
def test_every_result_says_whether_it_is_complete() -> None:
    bos = Game(BOS_A, BOS_B)
    assert solve(bos).complete and solve(bos, "exact").complete
    lh = solve(bos, "lemke_howson")
    assert not lh.complete and "one equilibrium" in lh.incomplete_reason
    lp = solve(RPS, "lp")
    assert not lp.complete and "one point" in lp.incomplete_reason
    assert not solve(bos, "nashpy_support").complete


# ------------------------------------------------------------------ .nfg limits
def test_nfg_huge_exponent_is_refused_fast() -> None:
    start = time.perf_counter()
    with pytest.raises(NFGError, match="line 2: payoff must be finite with an exponent of at most 400"):
        Game.from_nfg('NFG 1 R "x" { "a" "b" } { 1 1 }\n1e999999999 1\n')
    with pytest.raises(NFGError, match="line 2"):
        Game.from_nfg('NFG 1 R "x" { "a" "b" } { 1 1 }\n1e-999999999 1\n')
    assert time.perf_counter() - start < 1.0
    assert Game.from_nfg('NFG 1 R "x" { "a" "b" } { 1 1 }\n1.5e2 -3/4\n').A.item() == 150.0


def test_nfg_declared_sizes_are_checked_before_allocating() -> None:
    start = time.perf_counter()
    with pytest.raises(NFGError, match="the sizes 1000000 x 1000000 need 2000000000000 payoffs; the file holds 4"):
        Game.from_nfg('NFG 1 R "x" { "a" "b" } { 1000000 1000000 }\n1 2 3 4\n')
    with pytest.raises(NFGError, match="need 1000000000000 outcome indices"):
        Game.from_nfg('NFG 1 R "x" { "a" "b" } { 1000000 1000000 }\n{ { "" 1, 2 } }\n1\n')
    with pytest.raises(NFGError, match="expected a positive integer"):
        Game.from_nfg('NFG 1 R "x" { "a" "b" } { 99999999999999999999999 1 }\n1 2\n')
    assert time.perf_counter() - start < 1.0


def test_nfg_outcome_version_round_trip() -> None:
    g = Game.from_nfg('NFG 1 R "x" { "a" "b" } { 2 1 }\n{ { "" 1, 2 } { "" 3, 4 } }\n2 0\n')
    assert g.A.tolist() == [[3.0], [0.0]] and g.B.tolist() == [[4.0], [0.0]]
    assert Game.from_nfg(g.to_nfg()) == g
