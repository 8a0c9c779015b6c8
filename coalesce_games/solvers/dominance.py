"""Iterated elimination of strictly dominated strategies, by pure or mixed strategies.

A strategy is dominated when another strategy, or a mix of others found by a
linear program, pays strictly more against everything the opponent may do.
``solve(..., presolve=True)`` (:mod:`coalesce_games.solvers.equilibria`) removes
them first; the audit table says what went, in which round, and what beat it.

>>> dominated_rows(np.array([[1.0, 2.0], [0.0, 1.0]]))
[(1, 0, 1.0, 'pure')]
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from coalesce_games.solvers._checks import check_scalar
from coalesce_games.solvers.game import Game

__all__ = ['AUDIT_COLUMNS', 'dominated_rows', 'iterated_elimination']

AUDIT_COLUMNS = ["round", "player", "strategy", "dominated_by", "margin", "kind"]


def _mixed_dominator(M: np.ndarray, i: int, margin: float) -> tuple[dict[int, float], float] | None:
    """Mixture over the other rows of ``M`` beating row ``i`` by more than ``margin``, or None."""
    from scipy.optimize import linprog

    k, l_ = M.shape
    others = np.array([r for r in range(k) if r != i])
    if len(others) < 2:
        return None
    # variables: s (len others), eps ; minimise -eps
    c = np.zeros(len(others) + 1)
    c[-1] = -1.0
    A_ub = np.hstack([-M[others].T, np.ones((l_, 1))])       # -s.M[:, j] + eps <= -M[i, j]
    b_ub = -M[i]
    A_eq = np.concatenate([np.ones(len(others)), [0.0]])[None, :]
    res = linprog(c, A_ub=A_ub, b_ub=b_ub, A_eq=A_eq, b_eq=[1.0],
                  bounds=[(0, None)] * len(others) + [(None, None)], method="highs")
    if res.status != 0 or -res.fun <= margin:
        return None
    s = res.x[:-1]
    # the LP optimum is verified directly on the payoffs
    gap = float((s @ M[others] - M[i]).min())
    if gap <= margin:
        return None
    return {int(others[t]): float(s[t]) for t in np.nonzero(s > 1e-12)[0]}, gap


def dominated_rows(M: np.ndarray, mixed: bool = True, margin: float = 0.0) -> list[tuple[int, object, float, str]]:
    """Rows of payoff matrix ``M`` (rows = own strategies) strictly dominated by a margin.

    Returns ``(row, dominator, gap, kind)`` per dominated row, where the
    dominator is a row index (``kind="pure"``) or ``{row: probability}``
    (``kind="mixed"``) and ``gap`` is the smallest payoff advantage.

    >>> dominated_rows(np.array([[3., 0], [0, 3], [1, 1]]))
    [(2, {0: 0.5, 1: 0.5}, 0.5, 'mixed')]
    """
    M = np.asarray(M, dtype=float)
    k = M.shape[0]
    out: list[tuple[int, object, float, str]] = []
    # pure: gaps[d, i, :] = M[d] - M[i]; i dominated by d when min over columns > margin
    gaps = (M[:, None, :] - M[None, :, :]).min(axis=2)      # (dominator, dominated)
    np.fill_diagonal(gaps, -np.inf)
    for i in range(k):
        d = int(gaps[:, i].argmax())
        if gaps[d, i] > margin:
            out.append((i, d, float(gaps[d, i]), "pure"))
        elif mixed and k > 2:
            found = _mixed_dominator(M, i, margin)
            if found is not None:
                out.append((i, found[0], found[1], "mixed"))
    return out


def iterated_elimination(game: Game, mixed: bool = True, tol: float = 1e-9) -> tuple[Game, pd.DataFrame]:
    """Remove strictly dominated strategies of both players until none is left.

    Each round removes, for the row player and then for the column player, every
    strategy dominated (by a pure strategy or, if ``mixed``, by a mixture) in the
    current reduced game by more than ``tol * payoff_range``. At least one
    strategy per player always survives (a dominator survives its victim).

    Returns
    -------
    (Game, pandas.DataFrame)
        The reduced game (labels kept, note extended) and the audit trail: one
        row per removed strategy with ``round``, ``player`` ("row"/"col"),
        ``strategy`` (label), ``dominated_by`` (a label, or {label: probability}
        for a mixture), ``margin`` (the smallest payoff advantage, in the game's
        units) and ``kind`` ("pure"/"mixed").
    """
    if not isinstance(game, Game):
        raise TypeError(f"game must be a coalesce_games.solvers.game.Game; got {type(game).__name__}")
    if not isinstance(mixed, bool):
        raise TypeError(f"mixed must be a bool; got {mixed!r}")
    check_scalar("tol", tol, low=0)
    margin = tol * game.payoff_range()
    rows = list(range(game.shape[0]))
    cols = list(range(game.shape[1]))
    records: list[dict[str, object]] = []
    rnd = 0
    changed = True
    while changed:
        changed = False
        rnd += 1
        for player in ("row", "col"):
            if player == "row":
                M = game.A[np.ix_(rows, cols)]
                alive, labels = rows, game.row_labels
            else:
                M = game.B[np.ix_(rows, cols)].T
                alive, labels = cols, game.col_labels
            hits = dominated_rows(M, mixed=mixed, margin=margin)
            if not hits:
                continue
            # remove only victims whose dominator does not itself get removed this pass
            victims = {h[0] for h in hits}
            removed = []
            for i, dom, gap, kind in hits:
                support = [dom] if isinstance(dom, int) else list(dom)
                if any(s in victims for s in support):
                    continue
                removed.append(i)
                shown = labels[alive[dom]] if isinstance(dom, int) else {labels[alive[s]]: p for s, p in dom.items()}
                records.append({"round": rnd, "player": player, "strategy": labels[alive[i]],
                                "dominated_by": shown, "margin": gap, "kind": kind})
            if not removed:  # every victim's dominator is a victim too: remove the first alone
                i, dom, gap, kind = hits[0]
                removed = [i]
                shown = labels[alive[dom]] if isinstance(dom, int) else {labels[alive[s]]: p for s, p in dom.items()}
                records.append({"round": rnd, "player": player, "strategy": labels[alive[i]],
                                "dominated_by": shown, "margin": gap, "kind": kind})
            keep = [a for t, a in enumerate(alive) if t not in set(removed)]
            if player == "row":
                rows = keep
            else:
                cols = keep
            changed = True
    note = game.note + (" " if game.note else "") + f"(reduced by iterated strict dominance: {len(records)} removed)"
    reduced = game.subgame(rows, cols, note=note) if records else game
    return reduced, pd.DataFrame(records, columns=AUDIT_COLUMNS)
