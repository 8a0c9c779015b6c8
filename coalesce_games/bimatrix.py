"""The two-player normal-form game: labelled strategies and two payoff matrices.

A :class:`Game` is what every game of the toolkit (G1-G5) produces and what
:func:`coalesce_games.equilibria.solve` consumes. It converts to and from a
pandas DataFrame and a ``nashpy.Game``, shows as a labelled payoff table in a
notebook, and reads and writes Gambit's ``.nfg`` text format.

>>> g = Game([[3, 0], [5, 1]], [[3, 5], [0, 1]], ["C", "D"], ["C", "D"], note="prisoner's dilemma")
>>> g.shape
(2, 2)
>>> g.to_frame().loc["D", "C"]
'5, 0'
>>> Game.from_nfg(g.to_nfg()).A.tolist()
[[3.0, 0.0], [5.0, 1.0]]
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ._validate import as_array

__all__ = ["Game"]


def _labels(name: str, labels: Sequence[str] | None, size: int, prefix: str) -> tuple[str, ...]:
    if labels is None:
        return tuple(f"{prefix}{i}" for i in range(size))
    out = tuple(str(x) for x in labels)
    if len(out) != size:
        raise ValueError(f"{name} must have {size} labels; got {len(out)}: {list(out)}")
    if len(set(out)) != len(out):
        dup = sorted({x for x in out if out.count(x) > 1})
        raise ValueError(f"{name} must be unique; got duplicates {dup}")
    return out


@dataclass(frozen=True, init=False)
class Game:
    """A bimatrix game: the row player gets ``A[i, j]``, the column player ``B[i, j]``."""

    A: np.ndarray
    B: np.ndarray
    row_labels: tuple[str, ...]
    col_labels: tuple[str, ...]
    note: str

    def __init__(self, A: Any, B: Any = None, row_labels: Sequence[str] | None = None,
                 col_labels: Sequence[str] | None = None, note: str = "") -> None:
        a = as_array("A (row payoffs)", A, ndim=2)
        b = -a if B is None else as_array("B (column payoffs)", B, ndim=2)
        if a.shape != b.shape:
            raise ValueError(f"A and B must have the same shape; got {a.shape} and {b.shape}")
        if 0 in a.shape:
            raise ValueError(f"each player needs at least one strategy; got shape {a.shape}")
        a, b = a.copy(), b.copy()
        a.flags.writeable = False
        b.flags.writeable = False
        object.__setattr__(self, "A", a)
        object.__setattr__(self, "B", b)
        object.__setattr__(self, "row_labels", _labels("row_labels", row_labels, a.shape[0], "r"))
        object.__setattr__(self, "col_labels", _labels("col_labels", col_labels, a.shape[1], "c"))
        object.__setattr__(self, "note", str(note))

    @property
    def shape(self) -> tuple[int, int]:
        return self.A.shape  # type: ignore[return-value]

    @property
    def is_zero_sum(self) -> bool:
        """True when ``A + B`` is constant (a constant-sum game)."""
        total = self.A + self.B
        return bool(np.allclose(total, total.flat[0], rtol=0, atol=1e-12 * (1 + np.abs(total).max())))

    def payoff_range(self) -> float:
        """The largest payoff spread of either player (scales tolerances)."""
        return float(max(np.ptp(self.A), np.ptp(self.B), 1e-300))

    def subgame(self, rows: Sequence[int], cols: Sequence[int]) -> "Game":
        """The game restricted to the given row and column strategies."""
        r, c = list(rows), list(cols)
        return Game(self.A[np.ix_(r, c)], self.B[np.ix_(r, c)],
                    [self.row_labels[i] for i in r], [self.col_labels[j] for j in c], self.note)

    # ------------------------------------------------------------------ conversions
    def to_frame(self) -> pd.DataFrame:
        """Payoff table with cells ``"a, b"``, rows and columns labelled."""
        cells = [[f"{self.A[i, j]:g}, {self.B[i, j]:g}" for j in range(self.shape[1])]
                 for i in range(self.shape[0])]
        return pd.DataFrame(cells, index=list(self.row_labels), columns=list(self.col_labels))

    @classmethod
    def from_frames(cls, A: pd.DataFrame, B: pd.DataFrame, note: str = "") -> "Game":
        """From two labelled payoff DataFrames with equal index and columns."""
        if list(A.index) != list(B.index) or list(A.columns) != list(B.columns):
            raise ValueError("A and B frames must have the same index and columns")
        return cls(A.to_numpy(float), B.to_numpy(float), list(A.index), list(A.columns), note)

    def to_nashpy(self):
        """A ``nashpy.Game`` with the same payoffs."""
        import nashpy

        return nashpy.Game(np.array(self.A), np.array(self.B))

    @classmethod
    def from_nashpy(cls, game: Any, note: str = "") -> "Game":
        a, b = game.payoff_matrices
        return cls(a, b, note=note)

    def _repr_html_(self) -> str:
        head = f"<p><b>{self.note}</b></p>" if self.note else ""
        return head + self.to_frame().to_html()

    def __repr__(self) -> str:
        return f"Game({self.shape[0]}x{self.shape[1]}{', ' + repr(self.note) if self.note else ''})"

    # ------------------------------------------------------------------ Gambit .nfg
    def to_nfg(self, title: str | None = None) -> str:
        """Gambit's outcome-free ``.nfg`` text (payoffs listed column-major by profile)."""
        name = (title or self.note or "coalesce game").replace('"', "'")
        rows = " ".join(f'"{x}"' for x in self.row_labels)
        cols = " ".join(f'"{x}"' for x in self.col_labels)
        pays = []
        for j in range(self.shape[1]):
            for i in range(self.shape[0]):
                pays += [repr(float(self.A[i, j])), repr(float(self.B[i, j]))]
        return f'NFG 1 R "{name}" {{ "Row" "Column" }}\n{{ {{ {rows} }}\n{{ {cols} }}\n}}\n""\n\n{" ".join(pays)}\n'

    @classmethod
    def from_nfg(cls, text: str) -> "Game":
        """Parse Gambit's payoff-list ``.nfg`` format for two players.

        Errors name the line: ``ValueError: .nfg line 1: ...``.
        """
        tokens: list[tuple[str, int]] = []
        for lineno, line in enumerate(text.splitlines(), start=1):
            for tok in re.findall(r'"(?:[^"\\]|\\.)*"|\{|\}|[^\s{}"]+', line):
                tokens.append((tok, lineno))
        if len(tokens) < 3 or tokens[0][0] != "NFG":
            raise ValueError(f".nfg line {tokens[0][1] if tokens else 1}: must start with 'NFG 1 R'")
        if tokens[1][0] != "1" or tokens[2][0] not in ("R", "D"):
            raise ValueError(f".nfg line {tokens[1][1]}: unsupported header {tokens[1][0]} {tokens[2][0]}")
        pos = 3
        title = ""
        if pos < len(tokens) and tokens[pos][0].startswith('"'):
            title = tokens[pos][0][1:-1]
            pos += 1

        def expect(sym: str) -> None:
            nonlocal pos
            if pos >= len(tokens) or tokens[pos][0] != sym:
                line = tokens[pos][1] if pos < len(tokens) else tokens[-1][1]
                got = tokens[pos][0] if pos < len(tokens) else "end of file"
                raise ValueError(f".nfg line {line}: expected {sym!r}, got {got!r}")
            pos += 1

        def group() -> list[tuple[str, int]]:
            nonlocal pos
            expect("{")
            items = []
            while pos < len(tokens) and tokens[pos][0] != "}":
                if tokens[pos][0] == "{":
                    raise ValueError(f".nfg line {tokens[pos][1]}: unexpected '{{'")
                items.append(tokens[pos])
                pos += 1
            expect("}")
            return items

        players = group()
        if len(players) != 2:
            raise ValueError(f".nfg line {players[0][1] if players else tokens[pos - 1][1]}: "
                             f"coalesce_games reads two-player games; got {len(players)} players")
        expect("{")
        strategies = []
        for _ in range(2):
            items = group()
            if len(items) == 1 and not items[0][0].startswith('"'):
                strategies.append([f"s{k + 1}" for k in range(int(items[0][0]))])
            else:
                strategies.append([t[1:-1] for t, _ in items])
        expect("}")
        if pos < len(tokens) and tokens[pos][0].startswith('"'):
            pos += 1  # comment
        m, n = len(strategies[0]), len(strategies[1])
        rest = tokens[pos:]
        if len(rest) != 2 * m * n:
            line = rest[-1][1] if rest else tokens[-1][1]
            raise ValueError(f".nfg line {line}: expected {2 * m * n} payoffs for a {m}x{n} game; got {len(rest)}")
        values = []
        for tok, line in rest:
            try:
                if "/" in tok:
                    num, den = tok.split("/")
                    values.append(float(num) / float(den))
                else:
                    values.append(float(tok))
            except (ValueError, ZeroDivisionError):
                raise ValueError(f".nfg line {line}: payoff {tok!r} is not a number") from None
        arr = np.array(values).reshape(n, m, 2)  # column-major: row index varies fastest
        return cls(arr[:, :, 0].T, arr[:, :, 1].T, strategies[0], strategies[1], title)
