"""The compiled vertex enumeration against hand-computed polytopes, Gambit, quantecon, lrsnash and rationals."""

from __future__ import annotations

import shutil
import subprocess
from fractions import Fraction
from pathlib import Path

import numpy as np
import pytest
import quantecon.game_theory as qgt

from coalesce_games.solvers.exact import exact_extreme_equilibria
from coalesce_games.solvers.vertex import bases_count, extreme_equilibria, polytope_vertices


def _key(xs, ys, digits: int = 6) -> set:
    return {(tuple(np.round(np.asarray(x, float), digits) + 0.0), tuple(np.round(np.asarray(y, float), digits) + 0.0))
            for x, y in zip(xs, ys)}


def _regret(A, B, x, y) -> float:
    return float(max((A @ y).max() - x @ A @ y, (x @ B).max() - x @ B @ y))


# ------------------------------------------------------------------ polytopes by hand
def test_unit_cube_has_eight_vertices_with_three_labels_each() -> None:
    C = np.vstack([-np.eye(3), np.eye(3)])
    r = np.concatenate([np.zeros(3), np.ones(3)])
    v, t = polytope_vertices(C, r, method="pivot")
    assert sorted(map(tuple, v.round(9).tolist())) == [(a, b, c) for a in (0.0, 1.0) for b in (0.0, 1.0)
                                                       for c in (0.0, 1.0)]
    assert (t.sum(axis=1) == 3).all()
    # the tight set of (1, 0, 1): z1 = 0 (row 1), z0 = 1 (row 3), z2 = 1 (row 5)
    k = [i for i, p in enumerate(v.round(9).tolist()) if p == [1.0, 0.0, 1.0]][0]
    assert np.nonzero(t[k])[0].tolist() == [1, 3, 5]


def test_square_pyramid_apex_carries_all_four_side_labels() -> None:
    # base [0,1]^2 at z = 0; apex (0.5, 0.5, 1) lies on four side facets: a degenerate vertex
    C = np.array([[-1., 0, 0], [0, -1, 0], [0, 0, -1],
                  [-2, 0, 1], [2, 0, 1], [0, -2, 1], [0, 2, 1]])
    r = np.array([0., 0, 0, 0, 2, 0, 2])
    v, t = polytope_vertices(C, r, method="pivot")
    pts = sorted(map(tuple, v.round(9).tolist()))
    assert pts == [(0.0, 0.0, 0.0), (0.0, 1.0, 0.0), (0.5, 0.5, 1.0), (1.0, 0.0, 0.0), (1.0, 1.0, 0.0)]
    apex = [i for i, p in enumerate(v.round(9).tolist()) if p == [0.5, 0.5, 1.0]][0]
    assert np.nonzero(t[apex])[0].tolist() == [3, 4, 5, 6]
    vb, tb = polytope_vertices(C, r, method="bases")
    assert sorted(map(tuple, vb.round(9).tolist())) == pts


def test_polytope_methods_and_their_errors() -> None:
    C = np.array([[-1., 0], [0, -1], [1, 1]])
    with pytest.raises(ValueError, match="method must be one of .* got 'hull'"):
        polytope_vertices(C, np.array([0., 0, 1]), method="hull")
    # the origin is not a vertex here: pivot refuses, auto falls back to the basis enumeration
    shifted = np.array([1., 1, 1])
    with pytest.raises(ValueError, match="origin to be a vertex"):
        polytope_vertices(C, shifted, method="pivot")
    v, _ = polytope_vertices(C, shifted)
    assert sorted(map(tuple, v.round(9).tolist())) == [(-1.0, -1.0), (-1.0, 2.0), (2.0, -1.0)]
    assert bases_count(2, 3) == 20


# ------------------------------------------------------------------ games by hand
def test_battle_of_the_sexes_three_equilibria() -> None:
    r = extreme_equilibria(np.array([[3., 0], [0, 2]]), np.array([[2., 0], [0, 3]]))
    assert _key(r.xs, r.ys) == {((1.0, 0.0), (1.0, 0.0)), ((0.0, 1.0), (0.0, 1.0)), ((0.6, 0.4), (0.4, 0.6))}
    assert not r.degenerate and r.x_labels.shape == (3, 4)
    assert (r.x_labels | r.y_labels).all()


def test_degenerate_continuum_reports_both_ends_on_one_x_vertex() -> None:
    # T strictly dominant; column indifferent: extreme equilibria (T, L) and (T, R) share the x-vertex
    r = extreme_equilibria(np.array([[1., 1], [0, 0]]), np.array([[1., 1], [1, 1]]))
    assert _key(r.xs, r.ys) == {((1.0, 0.0), (1.0, 0.0)), ((1.0, 0.0), (0.0, 1.0))}
    assert r.degenerate and len(set(r.ix.tolist())) == 1 and len(set(r.iy.tolist())) == 2
    # the x-vertex (1/2, 0) of P = {x >= 0 : x0 + x1 <= 1/2 twice} has labels 1, 2, 3
    assert r.x_labels[0].tolist() == [False, True, True, True]


def test_one_row_games() -> None:
    # the column player is indifferent between columns 1 and 2: both are extreme equilibria
    r = extreme_equilibria(np.array([[1., 2, 2]]), np.array([[0., 1, 1]]))
    assert _key(r.xs, r.ys) == {((1.0,), (0.0, 1.0, 0.0)), ((1.0,), (0.0, 0.0, 1.0))} and r.degenerate
    r = extreme_equilibria(np.array([[5.]]), np.array([[3.]]))
    assert r.xs.tolist() == [[1.0]] and r.ys.tolist() == [[1.0]] and not r.degenerate


def test_coordination_games_have_every_support() -> None:
    for k in (3, 6):
        r = extreme_equilibria(np.eye(k), np.eye(k))
        assert len(r.xs) == 2 ** k - 1 and not r.degenerate


def test_more_than_64_labels_use_several_mask_words() -> None:
    # 40 x 40: row 7 and column 11 weakly dominate (all payoffs 2 against 1): the unique equilibrium
    A = np.ones((40, 40))
    B = np.ones((40, 40))
    A[7] = 2.0
    B[:, 11] = 2.0
    r = extreme_equilibria(A, B)
    assert len(r.xs) == 1 and r.xs[0].argmax() == 7 and r.ys[0].argmax() == 11
    assert r.x_labels.shape == (1, 80) and r.x_labels[0].sum() == 40


def test_bad_method() -> None:
    with pytest.raises(ValueError, match="method must be one of .* got 'fast'"):
        extreme_equilibria(np.eye(2), np.eye(2), method="fast")


# ------------------------------------------------------------------ peers and oracles
def test_generic_games_equal_quantecon() -> None:
    rng = np.random.default_rng(2026)
    for _ in range(60):
        m, n = rng.integers(2, 9, 2)  # quantecon's Qhull needs two strategies a side
        A, B = rng.integers(0, 10000, (m, n)).astype(float), rng.integers(0, 10000, (m, n)).astype(float)
        ours = extreme_equilibria(A, B)
        theirs = qgt.vertex_enumeration(qgt.NormalFormGame((qgt.Player(A), qgt.Player(B.T))))
        assert _key(ours.xs, ours.ys) == _key(*zip(*theirs))
        assert not ours.degenerate


def test_tied_games_equal_exact_rational_enumeration() -> None:
    rng = np.random.default_rng(41)
    degenerate = total = 0
    for _ in range(40):
        m, n = rng.integers(2, 5, 2)
        A, B = rng.integers(0, 3, (m, n)), rng.integers(0, 3, (m, n))
        ours = extreme_equilibria(A, B)
        exact = exact_extreme_equilibria(A, B)
        assert _key(ours.xs, ours.ys) == _key([[float(v) for v in e[0]] for e in exact],
                                              [[float(v) for v in e[1]] for e in exact])
        for x, y in zip(ours.xs, ours.ys):
            assert _regret(A, B, x, y) <= 1e-12
        degenerate += ours.degenerate
        total += len(ours.xs)
    assert degenerate > 20 and total > 80


def test_tied_games_equal_gambit() -> None:
    gbt = pytest.importorskip("pygambit")
    rng = np.random.default_rng(42)
    for _ in range(12):
        A, B = rng.integers(0, 3, (4, 5)), rng.integers(0, 3, (4, 5))
        game = gbt.Game.from_arrays(A.astype(int), B.astype(int))
        p1, p2 = list(game.players)
        eqs = gbt.nash.enummixed_solve(game, rational=True).equilibria
        theirs = _key([[float(e[s]) for s in p1.strategies] for e in eqs],
                      [[float(e[s]) for s in p2.strategies] for e in eqs])
        ours = extreme_equilibria(A, B)
        assert _key(ours.xs, ours.ys) == theirs


def _lrsnash(A: np.ndarray, B: np.ndarray, tmp: Path) -> set:
    m, n = A.shape
    path = tmp / "game.txt"
    path.write_text(f"{m} {n}\n\n" + "\n".join(" ".join(str(int(v)) for v in r) for r in A) + "\n\n"
                    + "\n".join(" ".join(str(int(v)) for v in r) for r in B) + "\n")
    out = subprocess.run(["lrsnash", str(path)], capture_output=True, text=True, timeout=60).stdout
    found: set = set()
    xs: list = []
    ys: list = []
    for line in out.splitlines() + [""]:
        parts = line.split()
        if parts and parts[0] in ("1", "2") and not line.startswith("*"):
            (xs if parts[0] == "1" else ys).append([float(Fraction(p)) for p in parts[1:-1]])
        elif not parts:  # a block ends: every x with every y (a Nash subset)
            found |= _key([x for x in xs for _ in ys], [y for _ in xs for y in ys])
            xs, ys = [], []
    return found


@pytest.mark.skipif(shutil.which("lrsnash") is None, reason="lrsnash (Debian lrslib) not installed")
def test_tied_games_equal_lrsnash(tmp_path: Path) -> None:
    rng = np.random.default_rng(43)
    for _ in range(15):
        A, B = rng.integers(0, 3, (5, 5)), rng.integers(0, 3, (5, 5))
        ours = extreme_equilibria(A, B)
        assert _key(ours.xs, ours.ys) == _lrsnash(A, B, tmp_path)


def test_pivot_equals_the_basis_enumeration_on_degenerate_5x5_games() -> None:
    # two different algorithms (pivoting search, exhaustive bases) on the same polytopes
    rng = np.random.default_rng(44)
    for _ in range(8):
        A, B = rng.integers(0, 3, (5, 5)).astype(float), rng.integers(0, 3, (5, 5)).astype(float)
        p, b = extreme_equilibria(A, B), extreme_equilibria(A, B, method="bases")
        assert _key(p.xs, p.ys, 7) == _key(b.xs, b.ys, 7) and p.degenerate == b.degenerate
