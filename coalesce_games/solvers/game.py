"""Two-player normal-form (bimatrix) games with labelled strategies.

A :class:`Game` holds the row player's payoff matrix ``A`` (m x n), the column
player's payoff matrix ``B`` (m x n), one label per strategy and a free-text
``note`` recording where the numbers came from (for the outsourcing games of
MODEL.md section 6, e.g. "G1 at value=10, verification cost=0.5"). Entry
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
import re
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from coalesce_games.solvers._checks import as_array

__all__ = ['Game', 'NFGError']


class NFGError(ValueError):
    """A malformed Gambit ``.nfg`` file; the message names the line number."""


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
        """Gambit ``.nfg`` text (payoff-list version; row strategy varies fastest).

        Payoffs are written with ``repr`` precision, so a round trip is exact.
        """
        def q(s: str) -> str:
            return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'

        def num(v: float) -> str:
            return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))

        m, n = self.shape
        lines = [f"NFG 1 R {q(self.note)} {{ {q(players[0])} {q(players[1])} }}", "",
                 "{ { " + " ".join(q(s) for s in self.row_labels) + " }",
                 "{ " + " ".join(q(s) for s in self.col_labels) + " }", "}", '""', ""]
        vals = []
        for j in range(n):
            for i in range(m):
                vals.append(f"{num(self.A[i, j])} {num(self.B[i, j])}")
        lines.append(" ".join(vals))
        return "\n".join(lines) + "\n"

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
        coalesce_games.solvers.game.NFGError: line 2: expected a number; got 'x'
        """
        return _parse_nfg(text)


_TOKEN = re.compile(r'\s+|"(?:[^"\\]|\\.)*"|[{},]|[^\s{},"]+')


def _tokenize(text: str) -> list[tuple[str, int]]:
    out: list[tuple[str, int]] = []
    pos, line = 0, 1
    while pos < len(text):
        mt = _TOKEN.match(text, pos)
        if mt is None:  # an unterminated string
            raise NFGError(f"line {line}: unterminated string starting {text[pos:pos + 20]!r}")
        tok = mt.group(0)
        if not tok.isspace():
            out.append((tok, line))
        line += tok.count("\n")
        pos = mt.end()
    return out


def _parse_nfg(text: str) -> Game:
    if not isinstance(text, str):
        raise TypeError(f"text must be a string; got {type(text).__name__}")
    toks = _tokenize(text)
    k = 0

    def peek() -> tuple[str, int]:
        return toks[k] if k < len(toks) else ("<end of file>", toks[-1][1] if toks else 1)

    def take(expect: str | None = None) -> tuple[str, int]:
        nonlocal k
        tok, line = peek()
        if k >= len(toks):
            raise NFGError(f"line {line}: unexpected end of file" + (f", expected {expect!r}" if expect else ""))
        if expect is not None and tok != expect:
            raise NFGError(f"line {line}: expected {expect!r}; got {tok!r}")
        k += 1
        return tok, line

    def string() -> str:
        tok, line = take()
        if not tok.startswith('"'):
            raise NFGError(f"line {line}: expected a quoted string; got {tok!r}")
        return re.sub(r"\\(.)", r"\1", tok[1:-1])

    def number() -> float:
        tok, line = take()
        try:
            val = float(Fraction(tok))
        except (ValueError, ZeroDivisionError):
            raise NFGError(f"line {line}: expected a number; got {tok!r}") from None
        if not np.isfinite(val):
            raise NFGError(f"line {line}: payoff must be finite; got {tok!r}")
        return val

    def integer() -> int:
        tok, line = take()
        if not re.fullmatch(r"\d+", tok):
            raise NFGError(f"line {line}: expected a positive integer; got {tok!r}")
        return int(tok)

    tok, line = take()
    if tok != "NFG":
        raise NFGError(f"line {line}: a .nfg file must start with 'NFG'; got {tok!r}")
    tok, line = take()
    if tok != "1":
        raise NFGError(f"line {line}: only NFG version 1 is supported; got {tok!r}")
    tok, line = take()
    if tok not in ("R", "D"):
        raise NFGError(f"line {line}: expected 'R' or 'D' after the version; got {tok!r}")
    title = string()
    take("{")
    players = []
    while peek()[0] != "}":
        players.append(string())
    _, line = take("}")
    if len(players) != 2:
        raise NFGError(f"line {line}: only two-player games are supported; got {len(players)} players {players!r}")
    _, labels_line = take("{")
    labels: list[list[str]] = []
    if peek()[0] == "{":  # strategy names
        for _p in range(2):
            take("{")
            names = []
            while peek()[0] != "}":
                names.append(string())
            take("}")
            labels.append(names)
        sizes = [len(lab) for lab in labels]
    else:
        sizes = [integer(), integer()]
    _, line = take("}")
    if min(sizes) < 1:
        raise NFGError(f"line {line}: each player needs at least one strategy; got sizes {sizes}")
    m, n = sizes
    if peek()[0].startswith('"'):  # optional comment
        string()
    A = np.empty((m, n))
    B = np.empty((m, n))
    if peek()[0] == "{":  # outcome version
        take("{")
        outcomes: list[tuple[float, float]] = []
        while peek()[0] != "}":
            take("{")
            if peek()[0].startswith('"'):
                string()
            a = number()
            if peek()[0] == ",":
                take(",")
            b = number()
            _, line = take()
            if _ != "}":
                raise NFGError(f"line {line}: an outcome must hold exactly two payoffs; got {_!r}")
            outcomes.append((a, b))
        take("}")
        for j in range(n):
            for i in range(m):
                idx_tok, line = peek()
                idx = integer()
                if idx > len(outcomes):
                    raise NFGError(f"line {line}: outcome {idx} does not exist (there are {len(outcomes)})")
                A[i, j], B[i, j] = outcomes[idx - 1] if idx > 0 else (0.0, 0.0)
    else:
        for j in range(n):
            for i in range(m):
                if k >= len(toks):
                    raise NFGError(f"line {peek()[1]}: expected {2 * m * n} payoffs; the file ends after "
                                   f"{2 * (j * m + i)}")
                A[i, j] = number()
                if k >= len(toks):
                    raise NFGError(f"line {peek()[1]}: expected {2 * m * n} payoffs; the file ends after "
                                   f"{2 * (j * m + i) + 1}")
                B[i, j] = number()
    if k < len(toks):
        tok, line = toks[k]
        raise NFGError(f"line {line}: unexpected text after the payoffs: {tok!r}")
    try:
        return Game(A, B, labels[0] if labels else None, labels[1] if labels else None, title)
    except ValueError as exc:
        raise NFGError(f"line {labels_line}: {exc}") from exc
