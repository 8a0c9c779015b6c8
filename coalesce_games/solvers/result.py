"""The typed result of every equilibrium method: arrays first, a DataFrame on request.

:class:`EquilibriumResult` holds the verified equilibria of one game as arrays
(``row_strategies`` (E, m), ``col_strategies`` (E, n), ``max_regret`` (E,) ...)
and everything the solver learnt about them as typed fields: the ``method``
used, whether the game is ``degenerate``, its ``components`` (Nash subsets,
:mod:`coalesce_games.solvers.components`), how many candidate profiles were
``rejected`` by verification, and whether the set is ``complete`` (and, when it
may not be, ``incomplete_reason``). Nothing is carried in ``DataFrame.attrs``
(which pandas drops through most operations).

It renders as its table in a notebook (``_repr_html_``) and a console
(``repr``), converts with :meth:`~EquilibriumResult.to_frame` (one row per
equilibrium, the columns :data:`COLUMNS`) and :meth:`~EquilibriumResult.long`
(one row per equilibrium, player and strategy: the shape plotting libraries
want).

>>> from coalesce_games.solvers.equilibria import solve
>>> from coalesce_games.solvers.game import Game
>>> r = solve(Game([[3, 0], [0, 2]], [[2, 0], [0, 3]], ["O", "F"], ["O", "F"]))
>>> len(r), r.method, r.complete, r.degenerate
(3, 'vertex', True, False)
>>> r.to_frame()[["row_support", "col_support", "row_payoff"]].round(3).to_dict("list")
{'row_support': [('O',), ('F',), ('O', 'F')], 'col_support': [('O',), ('F',), ('O', 'F')], 'row_payoff': [3.0, 2.0, 1.2]}
>>> r.long().query("equilibrium == 2")[["player", "strategy", "probability"]].round(2).to_dict("list")
{'player': ['row', 'row', 'col', 'col'], 'strategy': ['O', 'F', 'O', 'F'], 'probability': [0.6, 0.4, 0.4, 0.6]}
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from typing import Any

import numpy as np
import pandas as pd

from coalesce_games.solvers._result_checks import check_fields
from coalesce_games.solvers.components import Component, component_table
from coalesce_games.solvers.game import Game

__all__ = ['COLUMNS', 'COMPONENT_COLUMNS', 'EquilibriumResult', 'frame_columns', 'many_frame']

#: the columns of :meth:`EquilibriumResult.to_frame`
COLUMNS = ["row_strategy", "col_strategy", "row_mix", "col_mix", "row_support", "col_support",
           "row_payoff", "col_payoff", "max_regret", "certified", "kind", "component"]
#: the columns of :meth:`EquilibriumResult.components_frame`
COMPONENT_COLUMNS = ["component", "n_extreme", "cliques", "row_strategy", "col_strategy", "max_regret"]

ExactProfile = tuple[tuple[Fraction, ...], tuple[Fraction, ...]]


def frame_columns(game: Game, X: np.ndarray, Y: np.ndarray, support_tol: float) -> dict[str, Any]:
    """The per-equilibrium label columns (mixes, supports) and payoffs of the table."""
    rl, cl = game.row_labels, game.col_labels
    Xl, Yl = X.tolist(), Y.tolist()   # Python floats: the label loops below run on lists, not arrays
    rsup = [[i for i, v in enumerate(x) if v > support_tol] for x in Xl]
    csup = [[j for j, v in enumerate(y) if v > support_tol] for y in Yl]
    return {
        "row_strategy": list(X), "col_strategy": list(Y),
        "row_mix": [{rl[i]: x[i] for i in s} for x, s in zip(Xl, rsup)],
        "col_mix": [{cl[j]: y[j] for j in s} for y, s in zip(Yl, csup)],
        "row_support": [tuple([rl[i] for i in s]) for s in rsup],
        "col_support": [tuple([cl[j] for j in s]) for s in csup],
        "row_payoff": np.einsum("ei,ij,ej->e", X, game.A, Y),
        "col_payoff": np.einsum("ei,ij,ej->e", X, game.B, Y),
    }


def many_frame(games: Sequence[Game], solved: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, str]],
               support_tol: float) -> pd.DataFrame:
    """One table of many games' equilibria, built once: the column ``game`` (the index in
    ``games``) then :data:`COLUMNS`, from each game's ``(X, Y, max_regret, component, kind)``.

    >>> g = Game([[1, 0], [0, 1]])
    >>> t = many_frame([g, g], [(np.eye(2)[:1], np.eye(2)[1:], np.zeros(1), np.zeros(1, int), "demo")] * 2, 1e-9)
    >>> t[["game", "row_support", "col_support", "row_payoff"]].to_dict("list")
    {'game': [0, 1], 'row_support': [('r0',), ('r0',)], 'col_support': [('c1',), ('c1',)], 'row_payoff': [0.0, 0.0]}
    """
    parts: dict[str, list] = {c: [] for c in COLUMNS[:6]}
    counts = np.array([len(s[0]) for s in solved], dtype=np.int64)
    pay_r, pay_c, kinds = [], [], []
    for g, (X, Y, _, _, kind) in zip(games, solved):
        cols = frame_columns(g, X, Y, support_tol)
        for c in COLUMNS[:6]:
            parts[c].extend(cols[c])
        pay_r.append(cols["row_payoff"])
        pay_c.append(cols["col_payoff"])
        kinds.append(kind)
    total = int(counts.sum())

    def joined(arrays: list[np.ndarray], dtype: type) -> np.ndarray:
        return np.concatenate(arrays).astype(dtype, copy=False) if arrays else np.zeros(0, dtype)

    cols: dict[str, Any] = {"game": np.repeat(np.arange(len(counts), dtype=np.int64), counts), **parts,
                            "row_payoff": joined(pay_r, float), "col_payoff": joined(pay_c, float),
                            "max_regret": joined([s[2] for s in solved], float),
                            "certified": pd.array([pd.NA] * total, dtype="boolean"),
                            "kind": [k for k, c in zip(kinds, counts.tolist()) for _ in range(c)],
                            "component": joined([s[3] for s in solved], int)}
    return pd.DataFrame(cols, columns=["game"] + COLUMNS)


@dataclass(eq=False)
class EquilibriumResult:
    """Verified equilibria of one game and what the solver knows about the set.

    Attributes
    ----------
    game : Game
        The game solved.
    row_strategies, col_strategies : ndarray, shape (E, m) and (E, n)
        One verified equilibrium per row, in a deterministic order (smaller
        supports first, then lexicographically descending).
    max_regret : ndarray, shape (E,)
        Each equilibrium's regret (at most ``abs_tol``).
    method : str
        The algorithm that ran (``"auto"`` resolved).
    kind : str
        ``"extreme"`` for enumerated vertices, else the method's name or ``"nashpy"``.
    complete : bool
        True when the method provably returns every extreme equilibrium.
    incomplete_reason : str
        Why the set may miss equilibria ("" when complete).
    degenerate : bool or None
        Whether the game is degenerate (None when the method cannot tell).
    rejected : int
        Candidate profiles the method proposed that failed verification.
    component : ndarray of int, shape (E,)
        The component of each equilibrium (each its own for non-vertex methods).
    vertex_index : (ndarray, ndarray) or None
        For enumerated extreme equilibria, the indices of each one's row and
        column vertex (equal indices: a shared vertex); the components and
        their Nash subsets (:attr:`components`) are computed from them on first use.
    certified : ndarray of bool or None
        Exact rational certificates (None when not attempted).
    exact : tuple or None
        Each certified equilibrium as ``fractions.Fraction`` tuples (None for an
        uncertified one); None when certification was not asked for.
    tol, abs_tol : float
        The relative tolerance and the absolute regret bound ``tol * scale``.
    presolve : DataFrame or None
        The dominance audit when the game was presolved.
    """

    game: Game
    row_strategies: np.ndarray
    col_strategies: np.ndarray
    max_regret: np.ndarray
    method: str
    kind: str
    complete: bool
    incomplete_reason: str
    degenerate: bool | None
    rejected: int
    component: np.ndarray
    tol: float
    abs_tol: float
    certified: np.ndarray | None = None
    exact: tuple[ExactProfile | None, ...] | None = None
    presolve: pd.DataFrame | None = None
    vertex_index: tuple[np.ndarray, np.ndarray] | None = None
    known_components: tuple[Component, ...] | None = field(default=None, repr=False)
    _frame: pd.DataFrame | None = field(default=None, init=False, repr=False)

    def __post_init__(self) -> None:
        check_fields(self)      # types and shapes only (microseconds): finish() verified the values

    # --------------------------------------------------------------- access
    def __len__(self) -> int:
        return int(self.row_strategies.shape[0])

    @property
    def components(self) -> tuple[Component, ...]:
        """The components with their Nash subsets (vertex methods only; computed once, on first use)."""
        if self.known_components is None:
            if self.vertex_index is None or len(self) == 0:
                self.known_components = ()
            else:
                self.known_components = component_table(self.game, self.row_strategies, self.col_strategies,
                                                        *self.vertex_index, self.component)
        return self.known_components

    @property
    def equilibria(self) -> list[tuple[np.ndarray, np.ndarray]]:
        """The equilibria as ``(x, y)`` pairs of arrays."""
        return list(zip(self.row_strategies, self.col_strategies))

    def support_tol(self) -> float:
        """Probabilities above this count as in the support."""
        return max(self.tol, 1e-12)

    # ----------------------------------------------------------- conversion
    def to_frame(self) -> pd.DataFrame:
        """One row per equilibrium, the columns :data:`COLUMNS` (plus ``row_exact``,
        ``col_exact`` when certification was asked for); a new frame each call."""
        return self._table().copy()

    def _table(self) -> pd.DataFrame:
        if self._frame is None:
            cols = frame_columns(self.game, self.row_strategies, self.col_strategies, self.support_tol())
            E = len(self)
            cols["max_regret"] = self.max_regret
            cert = [pd.NA] * E if self.certified is None else self.certified.tolist()
            cols["certified"] = pd.array(cert, dtype="boolean")
            cols["kind"] = [self.kind] * E
            cols["component"] = self.component
            names = list(COLUMNS)
            if self.exact is not None:
                cols["row_exact"] = [None if e is None else e[0] for e in self.exact]
                cols["col_exact"] = [None if e is None else e[1] for e in self.exact]
                names += ["row_exact", "col_exact"]
            self._frame = pd.DataFrame(cols, columns=names)
        return self._frame

    def long(self) -> pd.DataFrame:
        """One row per equilibrium, player and strategy (every strategy, zeros included).

        Columns: ``equilibrium``, ``component``, ``player`` ("row"/"col"),
        ``strategy`` (label), ``probability``, ``payoff`` (that player's
        equilibrium payoff).
        """
        E = len(self)
        m, n = self.game.shape
        X, Y = self.row_strategies, self.col_strategies
        pay_r = np.einsum("ei,ij,ej->e", X, self.game.A, Y)
        pay_c = np.einsum("ei,ij,ej->e", X, self.game.B, Y)
        eq = np.repeat(np.arange(E), m + n)
        return pd.DataFrame({
            "equilibrium": eq,
            "component": np.repeat(self.component, m + n),
            "player": np.tile(["row"] * m + ["col"] * n, E),
            "strategy": np.tile(list(self.game.row_labels) + list(self.game.col_labels), E),
            "probability": np.hstack([X, Y]).reshape(-1),
            "payoff": np.where(np.tile([True] * m + [False] * n, E), pay_r[eq], pay_c[eq]),
        })

    def components_frame(self) -> pd.DataFrame:
        """The components as a table (columns :data:`COMPONENT_COLUMNS`)."""
        return pd.DataFrame([c.__dict__ for c in self.components], columns=COMPONENT_COLUMNS)

    # ------------------------------------------------------------ rendering
    def summary(self) -> str:
        """One line: method, count, completeness, degeneracy, rejections."""
        deg = {True: "degenerate", False: "non-degenerate", None: "degeneracy unknown"}[self.degenerate]
        done = "complete" if self.complete else f"may be incomplete: {self.incomplete_reason}"
        return (f"{len(self)} equilibri{'um' if len(self) == 1 else 'a'} of the {self.game.shape[0]}x"
                f"{self.game.shape[1]} game by {self.method!r}; {done}; {deg}; {self.rejected} rejected")

    def __repr__(self) -> str:
        shown = self._table().drop(columns=["row_strategy", "col_strategy"])
        return f"EquilibriumResult: {self.summary()}\n{shown.to_string()}"

    def _repr_html_(self) -> str:
        import html

        shown = self._table().drop(columns=["row_strategy", "col_strategy"])
        return f"<p>{html.escape(self.summary())}</p>{shown.to_html()}"
