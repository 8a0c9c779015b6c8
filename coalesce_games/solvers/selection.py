"""Picking one equilibrium out of many: welfare, the client's best, or the most mixed.

Each rule takes a solver result (an :class:`~coalesce_games.solvers.result.EquilibriumResult`
or its table, e.g. one game's rows of :func:`~coalesce_games.solvers.equilibria.solve_many`)
and returns the chosen row as a pandas Series (first on ties, in the table's order).

>>> from coalesce_games.solvers.equilibria import solve
>>> from coalesce_games.solvers.game import Game
>>> bos = solve(Game([[3, 0], [0, 2]], [[2, 0], [0, 3]]))
>>> float(select(bos, "welfare").row_payoff), float(select(bos, "client").row_payoff)
(3.0, 3.0)
>>> select(bos, "entropy").row_support
('r0', 'r1')
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from coalesce_games.solvers._checks import check_choice
from coalesce_games.solvers.result import EquilibriumResult

__all__ = ['RULES', 'client_optimal', 'maximum_entropy', 'select', 'welfare_maximising']

#: the selection rules of :func:`select`
RULES = ("welfare", "client", "entropy")


def _check_table(df: Any) -> pd.DataFrame:
    if isinstance(df, EquilibriumResult):
        df = df._table()
    if not isinstance(df, pd.DataFrame) or "row_strategy" not in df.columns:
        raise TypeError(f"df must be the result of solve() or its table; got {type(df).__name__}")
    if len(df) == 0:
        raise ValueError("df holds no equilibria to select from")
    return df


def welfare_maximising(df: EquilibriumResult | pd.DataFrame) -> pd.Series:
    """The equilibrium with the largest ``row_payoff + col_payoff`` (first on ties)."""
    df = _check_table(df)
    return df.loc[(df["row_payoff"] + df["col_payoff"]).idxmax()]


def client_optimal(df: EquilibriumResult | pd.DataFrame, client: str = "row") -> pd.Series:
    """The equilibrium best for the client (the row player in G1 and G3 unless told ``"col"``)."""
    df = _check_table(df)
    check_choice("client", client, ("row", "col"))
    return df.loc[df[f"{client}_payoff"].idxmax()]


def _entropy(p: np.ndarray) -> float:
    q = p[p > 0]
    return float(-(q * np.log(q)).sum())


def maximum_entropy(df: EquilibriumResult | pd.DataFrame) -> pd.Series:
    """The most mixed equilibrium: largest sum of the two strategies' Shannon entropies (nats).

    Among extreme equilibria of a component this favours the interior points;
    the component representatives (``EquilibriumResult.components``) are more mixed still.
    """
    df = _check_table(df)
    h = [_entropy(x) + _entropy(y) for x, y in zip(df["row_strategy"], df["col_strategy"])]
    return df.iloc[int(np.argmax(h))]


def select(df: EquilibriumResult | pd.DataFrame, rule: str = "welfare") -> pd.Series:
    """One representative equilibrium by ``rule``: "welfare", "client" or "entropy"."""
    check_choice("rule", rule, RULES)
    return {"welfare": welfare_maximising, "client": client_optimal, "entropy": maximum_entropy}[rule](df)
