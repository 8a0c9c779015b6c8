"""Two-player normal-form (bimatrix) games with labelled strategies.

A :class:`Game` holds the row player's payoff matrix ``A`` (m x n), the column
player's payoff matrix ``B`` (m x n), one label per strategy and a free-text
``note`` recording where the numbers came from (for the outsourcing games of
papers/model.md section 6, e.g. "G1 at value=10, verification cost=0.5"). Entry
``A[i, j]`` is the row player's payoff when row ``i`` meets column ``j``; a mixed
profile ``(x, y)`` pays ``x @ A @ y`` and ``x @ B @ y``.

Games convert to and from a pandas DataFrame, a ``nashpy.Game`` and Gambit's
``.nfg`` text format, and render as a labelled payoff table in notebooks.

>>> g = Game([[3, 0], [5, 1]], [[3, 5], [0, 1]], row_labels=["C", "D"],
...          col_labels=["C", "D"], note="prisoner's dilemma")
>>> g.shape
(2, 2)
>>> Game.from_nfg(g.to_nfg()) == g
True
>>> float(g.to_frame().loc["D", ("C", "row")])
5.0
"""

from __future__ import annotations

import html
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coalesce_games.solvers._checks import as_array
from coalesce_games.solvers.nfg import NFGError, format_nfg, parse_nfg

__all__ = ['Game', 'NFGError']


def _labels(name: str, labels: Sequence[Any] | None, size: int, prefix: str) -> tuple[str, ...]:
    if labels is None:
        return tuple(f"{prefix}{k}" for k in range(size))
    if isinstance(labels, str):
        raise TypeError(f"{name} must be a sequence of strings, not a single string; got {labels!r}")
    out = tuple(str(lab) for lab in labels)
    if len(out) != size:
        raise ValueError(f"{name} must have {size} entries (one per strategy); got {len(out)}: {list(out)!r}")
    seen: set[str] = set()
    for lab in out:
        if lab in seen:
            raise ValueError(f"{name} must be unique; got the duplicate label {lab!r}")
        seen.add(lab)
    return out


class Game:
    """A bimatrix game: payoffs ``A`` (row player) and ``B`` (column player).

    Parameters
    ----------
    A, B : array-like, shape (m, n)
        Finite payoffs. ``B`` defaults to ``-A`` (a zero-sum game) when omitted.
    row_labels, col_labels : sequences of str, optional
        Unique strategy names; default ``r0, r1, ...`` and ``c0, c1, ...``.
    note : str
        Where the payoffs came from (shown in the notebook table).

    The matrices are stored as read-only float copies, so a ``Game`` can be
    shared safely.

    >>> Game([[1, 2]], [[0, 0], [1, 1]])
    Traceback (most recent call last):
    ...
    ValueError: B must have shape (1, 2); got (2, 2)
    """

    __slots__ = ("A", "B", "row_labels", "col_labels", "note")

    def __init__(
        self,
        A: Any,
        B: Any | None = None,
        row_labels: Sequence[Any] | None = None,
        col_labels: Sequence[Any] | None = None,
        note: str = "",
    ) -> None:
        a = as_array("A", A, ndim=2).copy()
        if a.shape[0] == 0 or a.shape[1] == 0:
            raise ValueError(f"A must have at least one strategy per player; got shape {a.shape}")
        b = (-a) if B is None else as_array("B", B, shape=a.shape).copy()
        if not isinstance(note, str):
            raise TypeError(f"note must be a string; got {note!r}")
        a.setflags(write=False)
        b.setflags(write=False)
        self.A: np.ndarray = a
        self.B: np.ndarray = b
        self.row_labels: tuple[str, ...] = _labels("row_labels", row_labels, a.shape[0], "r")
        self.col_labels: tuple[str, ...] = _labels("col_labels", col_labels, a.shape[1], "c")
        self.note: str = note

    # ------------------------------------------------------------------ basics
    @property
    def shape(self) -> tuple[int, int]:
        """``(m, n)``: numbers of row and column strategies."""
        return (int(self.A.shape[0]), int(self.A.shape[1]))

    @property
    def is_zero_sum(self) -> bool:
        """True when ``A + B`` is constant (a constant-sum game is strategically zero-sum)."""
        s = self.A + self.B
        scale = max(float(np.ptp(self.A)), float(np.ptp(self.B)), 1e-300)
        return bool(np.ptp(s) <= 1e-12 * max(scale, 1.0))

    def payoff_range(self) -> float:
        """Largest payoff spread of the two players (``max(ptp(A), ptp(B))``); the scale of tolerances."""
        return max(float(np.ptp(self.A)), float(np.ptp(self.B)))

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Game):
            return NotImplemented
        return (
            self.shape == other.shape
            and np.array_equal(self.A, other.A)
            and np.array_equal(self.B, other.B)
            and self.row_labels == other.row_labels
            and self.col_labels == other.col_labels
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        m, n = self.shape
        note = f", note={self.note!r}" if self.note else ""
        return f"Game({m}x{n}, rows={list(self.row_labels)!r}, cols={list(self.col_labels)!r}{note})"

    def subgame(self, rows: Sequence[int], cols: Sequence[int], note: str | None = None) -> Game:
        """The game restricted to the given row and column indices (labels kept)."""
        r = np.asarray(rows, dtype=int)
        c = np.asarray(cols, dtype=int)
        return Game(
            self.A[np.ix_(r, c)],
            self.B[np.ix_(r, c)],
            [self.row_labels[i] for i in r],
            [self.col_labels[j] for j in c],
            self.note if note is None else note,
        )

    def transpose(self) -> Game:
        """The same game with the players' roles swapped."""
        return Game(self.B.T, self.A.T, self.col_labels, self.row_labels, self.note)

    # ------------------------------------------------------------- conversions
    def to_frame(self) -> pd.DataFrame:
        """Payoff table: index = row labels, columns = (column label, "row"|"col").

        >>> Game([[1, 2]], [[3, 4]]).to_frame().to_dict("list")
        {('c0', 'row'): [1.0], ('c0', 'col'): [3.0], ('c1', 'row'): [2.0], ('c1', 'col'): [4.0]}
        """
        m, n = self.shape
        data = np.empty((m, 2 * n))
        data[:, 0::2] = self.A
        data[:, 1::2] = self.B
        cols = pd.MultiIndex.from_product([list(self.col_labels), ["row", "col"]], names=["column", "player"])
        return pd.DataFrame(data, index=pd.Index(list(self.row_labels), name="row"), columns=cols)

    @classmethod
    def from_frame(cls, frame: pd.DataFrame, note: str = "") -> Game:
        """Inverse of :meth:`to_frame` (columns a MultiIndex of (label, "row"|"col"))."""
        if not isinstance(frame, pd.DataFrame):
            raise TypeError(f"frame must be a pandas DataFrame; got {type(frame).__name__}")
        if not isinstance(frame.columns, pd.MultiIndex) or frame.columns.nlevels != 2:
            raise ValueError("frame must have two column levels (column label, 'row'|'col'); "
                             f"got columns {list(frame.columns)!r}")
        players = set(frame.columns.get_level_values(1))
        if players != {"row", "col"}:
            raise ValueError(f"frame's second column level must hold 'row' and 'col'; got {sorted(map(str, players))!r}")
        col_labels = list(dict.fromkeys(frame.columns.get_level_values(0)))
        A = frame.loc[:, [(c, "row") for c in col_labels]].to_numpy(dtype=float)
        B = frame.loc[:, [(c, "col") for c in col_labels]].to_numpy(dtype=float)
        return cls(A, B, list(frame.index), col_labels, note)

    def to_nashpy(self) -> Any:
        """A ``nashpy.Game`` with the same payoff matrices (labels are dropped)."""
        import nashpy

        return nashpy.Game(np.array(self.A), np.array(self.B))

    @classmethod
    def from_nashpy(cls, game: Any, row_labels: Sequence[Any] | None = None,
                    col_labels: Sequence[Any] | None = None, note: str = "") -> Game:
        """From a ``nashpy.Game`` (its ``payoff_matrices``)."""
        try:
            A, B = game.payoff_matrices
        except AttributeError as exc:
            raise TypeError(f"game must be a nashpy.Game; got {type(game).__name__}") from exc
        return cls(A, B, row_labels, col_labels, note)

    def to_pygambit(self) -> Any:
        """A ``pygambit.Game`` with the exact rationals of the payoffs, the labels and the note as title."""
        import pygambit

        def exact(M: np.ndarray) -> np.ndarray:
            return np.array([[Fraction(float(v)) for v in row] for row in M], dtype=object)

        g = pygambit.Game.from_arrays(exact(self.A), exact(self.B), title=self.note)
        for player, labels in zip(g.players, (self.row_labels, self.col_labels)):
            for strategy, label in zip(player.strategies, labels):
                strategy.label = label
        return g

    @classmethod
    def from_pygambit(cls, game: Any, note: str | None = None) -> Game:
        """From a two-player ``pygambit.Game`` (payoffs as floats, strategy labels, title as note)."""
        try:
            players = list(game.players)
            arrays = game.to_arrays()
        except AttributeError as exc:
            raise TypeError(f"game must be a pygambit.Game; got {type(game).__name__}") from exc
        if len(players) != 2:
            raise ValueError(f"game must have two players; got {len(players)}")
        A, B = (np.array([[float(v) for v in row] for row in M]) for M in arrays)
        labels = [[str(s.label) for s in p.strategies] for p in players]
        return cls(A, B, labels[0], labels[1], str(game.title) if note is None else note)

    def to_quantecon(self) -> Any:
        """A quantecon ``NormalFormGame``; player 2's payoff array is ``B.T`` (own action first)."""
        from quantecon.game_theory import NormalFormGame, Player

        return NormalFormGame((Player(np.array(self.A)), Player(np.array(self.B).T)))

    @classmethod
    def from_quantecon(cls, game: Any, row_labels: Sequence[Any] | None = None,
                       col_labels: Sequence[Any] | None = None, note: str = "") -> Game:
        """From a two-player quantecon ``NormalFormGame`` (player 2's array transposed back)."""
        try:
            n_players, players = game.N, game.players
        except AttributeError as exc:
            raise TypeError(f"game must be a quantecon NormalFormGame; got {type(game).__name__}") from exc
        if n_players != 2:
            raise ValueError(f"game must have two players; got {n_players}")
        return cls(players[0].payoff_array, np.asarray(players[1].payoff_array).T, row_labels, col_labels, note)

    def __str__(self) -> str:
        """The bimatrix as text: one row per row strategy, each cell ``row payoff, column payoff``.

        >>> print(Game([[3, 0], [5, 1]], [[3, 5], [0, 1]], ["C", "D"], ["C", "D"], note="PD"))
        PD
        row \\ col     C     D
        C          3, 3  0, 5
        D          5, 0  1, 1
        """
        m, n = self.shape
        cells = [[f"{self.A[i, j]:.6g}, {self.B[i, j]:.6g}" for j in range(n)] for i in range(m)]
        head = ["row \\ col"] + list(self.col_labels)
        body = [[self.row_labels[i]] + cells[i] for i in range(m)]
        width = [max(len(r[k]) for r in [head] + body) for k in range(n + 1)]
        lines = [head[0].ljust(width[0]) + "".join("  " + h.rjust(w) for h, w in zip(head[1:], width[1:]))]
        lines += [r[0].ljust(width[0]) + "".join("  " + c.rjust(w) for c, w in zip(r[1:], width[1:])) for r in body]
        return "\n".join(([self.note] if self.note else []) + lines)

    # ---------------------------------------------------------------- notebook
    def _repr_html_(self) -> str:
        esc = html.escape
        head = "".join(f"<th>{esc(c)}</th>" for c in self.col_labels)
        rows = []
        for i, r in enumerate(self.row_labels):
            cells = "".join(f"<td>{self.A[i, j]:.4g}, {self.B[i, j]:.4g}</td>" for j in range(self.shape[1]))
            rows.append(f"<tr><th>{esc(r)}</th>{cells}</tr>")
        caption = f"<caption>{esc(self.note)}</caption>" if self.note else ""
        return (f"<table>{caption}<thead><tr><th>row \\ col</th>{head}</tr></thead>"
                f"<tbody>{''.join(rows)}</tbody></table>")

    # --------------------------------------------------------------------- nfg
    def to_nfg(self, players: tuple[str, str] = ("Row", "Column")) -> str:
        """Gambit ``.nfg`` text (payoff-list version, :mod:`coalesce_games.solvers.nfg`); exact round trip."""
        return format_nfg(self.A, self.B, self.row_labels, self.col_labels, self.note, players)

    def write_nfg(self, path: str | Path) -> None:
        """Write :meth:`to_nfg` to ``path``."""
        Path(path).write_text(self.to_nfg(), encoding="utf-8")

    @classmethod
    def read_nfg(cls, path: str | Path) -> Game:
        """Read a two-player Gambit ``.nfg`` file (either payoff or outcome version)."""
        return cls.from_nfg(Path(path).read_text(encoding="utf-8"))

    @classmethod
    def from_nfg(cls, text: str) -> Game:
        """Parse Gambit ``.nfg`` text; errors are :class:`NFGError` naming the line.

        >>> Game.from_nfg('NFG 1 R "x" { "a" "b" } { 2 1 }\\n1 2 3 x')
        Traceback (most recent call last):
        ...
        coalesce_games.solvers.nfg.NFGError: line 2: expected a number; got 'x'
        """
        A, B, labels, title = parse_nfg(text)
        return cls(A, B, labels[0] if labels else None, labels[1] if labels else None, title)
