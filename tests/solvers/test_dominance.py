"""Iterated elimination of strictly dominated strategies."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from coalesce_games.solvers.dominance import dominated_rows, iterated_elimination
from coalesce_games.solvers.equilibria import solve
from coalesce_games.solvers.exact import exact_extreme_equilibria
from coalesce_games.solvers.game import Game


def test_prisoners_dilemma_reduces_to_defect() -> None:
    game = Game([[3, 0], [5, 1]], [[3, 5], [0, 1]], ["C", "D"], ["C", "D"], note="PD")
    reduced, audit = iterated_elimination(game)
    assert reduced.row_labels == ("D",) and reduced.col_labels == ("D",)
    assert audit.player.tolist() == ["row", "col"]
    assert audit.dominated_by.tolist() == ["D", "D"]
    # D beats C by min(5 - 3, 1 - 0) = 1 for both players
    assert audit.margin.tolist() == [1.0, 1.0] and set(audit.kind) == {"pure"}
    assert "reduced" in reduced.note and reduced.note.startswith("PD")


def test_mixed_dominance_by_lp() -> None:
    # M is beaten by no pure row but by (T + B) / 2, which pays 1.5 > 1 against both columns
    A = np.array([[3.0, 0.0], [1.0, 1.0], [0.0, 3.0]])
    game = Game(A, np.zeros((3, 2)), ["T", "M", "B"], ["L", "R"])
    reduced, audit = iterated_elimination(game)
    assert reduced.row_labels == ("T", "B")
    row = audit.iloc[0]
    assert row.strategy == "M" and row.kind == "mixed"
    assert row.dominated_by == pytest.approx({"T": 0.5, "B": 0.5})
    assert row.margin == pytest.approx(0.5)
    pure_only, audit_pure = iterated_elimination(game, mixed=False)
    assert pure_only.row_labels == ("T", "M", "B") and len(audit_pure) == 0


def test_iterated_rounds_are_recorded() -> None:
    # column R is dominated by L; once R is gone, row B is dominated by T
    A = np.array([[2.0, 0.0], [1.0, 5.0]])
    B = np.array([[2.0, 1.0], [2.0, 1.0]])
    reduced, audit = iterated_elimination(Game(A, B, ["T", "B"], ["L", "R"]))
    assert reduced.shape == (1, 1) and reduced.row_labels == ("T",)
    assert audit[["round", "player", "strategy"]].values.tolist() == [[1, "col", "R"], [2, "row", "B"]]


def test_ties_are_not_dominance() -> None:
    game = Game([[1.0, 1.0], [1.0, 1.0]], [[0.0, 0.0], [0.0, 0.0]])
    reduced, audit = iterated_elimination(game)
    assert reduced == game and audit.empty
    # a margin below the tolerance is a numerical tie
    M = np.array([[1.0, 1.0], [1.0 + 1e-13, 1.0 + 1e-13]])
    assert dominated_rows(M, margin=1e-9) == []


def test_bad_input() -> None:
    with pytest.raises(TypeError, match="Game"):
        iterated_elimination(np.eye(2))
    with pytest.raises(TypeError, match="mixed must be a bool"):
        iterated_elimination(Game([[1]], [[1]]), mixed=1)
    with pytest.raises(ValueError, match="tol must be in"):
        iterated_elimination(Game([[1]], [[1]]), tol=-1.0)


def _used_strategies(A: np.ndarray, B: np.ndarray) -> tuple[set[int], set[int]]:
    rows: set[int] = set()
    cols: set[int] = set()
    for x, y in exact_extreme_equilibria(A, B):
        rows |= {i for i, v in enumerate(x) if v > 0}
        cols |= {j for j, v in enumerate(y) if v > 0}
    return rows, cols


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 4), st.integers(1, 4), st.integers(0, 2**31 - 1), st.integers(2, 6))
def test_elimination_never_removes_an_equilibrium_strategy(m: int, n: int, seed: int, spread: int) -> None:
    rng = np.random.default_rng(seed)
    A = rng.integers(0, spread, (m, n)).astype(float)
    B = rng.integers(0, spread, (m, n)).astype(float)
    game = Game(A, B)
    reduced, audit = iterated_elimination(game)
    used_rows, used_cols = _used_strategies(A, B)
    kept_rows = {game.row_labels.index(r) for r in reduced.row_labels}
    kept_cols = {game.col_labels.index(c) for c in reduced.col_labels}
    assert used_rows <= kept_rows and used_cols <= kept_cols
    assert len(audit) == m + n - sum(reduced.shape)
    # the reduced game has exactly the same equilibria (embedded back)
    full = {(tuple(np.round(x, 6)), tuple(np.round(y, 6))) for x, y in zip(solve(game).row_strategies,
                                                                           solve(game).col_strategies)}
    red = solve(reduced)
    back = set()
    for x, y in zip(red.row_strategies, red.col_strategies):
        X = np.zeros(m)
        Y = np.zeros(n)
        X[sorted(kept_rows)] = x
        Y[sorted(kept_cols)] = y
        back.add((tuple(np.round(X, 6)), tuple(np.round(Y, 6))))
    assert back == full
