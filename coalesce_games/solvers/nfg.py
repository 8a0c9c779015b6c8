"""Gambit's ``.nfg`` text format for two-player games: writing, and parsing with bounded work.

The format (Gambit's "NFG 1 R" normal-form files) holds a title, the players,
the strategies (as name lists or as counts), an optional comment and the
payoffs, either as a flat list (the *payoff version*: for each profile, row
strategy varying fastest, the two players' payoffs) or as numbered outcomes
followed by one outcome index per profile (the *outcome version*).

Parsing is bounded so that hostile input fails fast: a number's exponent is
checked before converting it (``1e999999999`` would otherwise be expanded
into a billion-digit integer), and the declared sizes are checked against the
number of tokens actually present before anything of that size is allocated.
Errors are :class:`NFGError` (a ``ValueError``) naming the line.

>>> A, B, labels, title = parse_nfg('NFG 1 R "pd" { "1" "2" } { 2 2 }\\n3 3 5 0 0 5 1 1')
>>> A.tolist(), B.tolist(), labels, title
([[3.0, 0.0], [5.0, 1.0]], [[3.0, 5.0], [0.0, 1.0]], None, 'pd')
>>> parse_nfg('NFG 1 R "x" { "a" "b" } { 1000000 1000000 }\\n1 2')
Traceback (most recent call last):
...
coalesce_games.solvers.nfg.NFGError: line 2: the sizes 1000000 x 1000000 need 2000000000000 payoffs; the file holds 2
"""

from __future__ import annotations

import re
from fractions import Fraction

import numpy as np

__all__ = ['MAX_EXPONENT', 'NFGError', 'format_nfg', 'parse_nfg']

#: the largest decimal exponent accepted in a payoff (floats end near 1e308)
MAX_EXPONENT = 400

_TOKEN = re.compile(r'\s+|"(?:[^"\\]|\\.)*"|[{},]|[^\s{},"]+')
_DECIMAL = re.compile(r"[+-]?(?:\d+\.?\d*|\.\d+)(?:[eE]([+-]?\d+))?")
_RATIONAL = re.compile(r"([+-]?\d+)/(\d+)")


class NFGError(ValueError):
    """A malformed Gambit ``.nfg`` file; the message names the line number."""


def _quote(s: str) -> str:
    return '"' + s.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _num(v: float) -> str:
    return str(int(v)) if float(v).is_integer() and abs(v) < 1e15 else repr(float(v))


def format_nfg(A: np.ndarray, B: np.ndarray, row_labels: tuple[str, ...], col_labels: tuple[str, ...],
               title: str, players: tuple[str, str] = ("Row", "Column")) -> str:
    """``.nfg`` text, payoff version (row strategy varies fastest); ``repr`` precision, so exact."""
    m, n = A.shape
    lines = [f"NFG 1 R {_quote(title)} {{ {_quote(players[0])} {_quote(players[1])} }}", "",
             "{ { " + " ".join(_quote(s) for s in row_labels) + " }",
             "{ " + " ".join(_quote(s) for s in col_labels) + " }", "}", '""', ""]
    vals = [f"{_num(A[i, j])} {_num(B[i, j])}" for j in range(n) for i in range(m)]
    lines.append(" ".join(vals))
    return "\n".join(lines) + "\n"


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


def _to_number(tok: str) -> float | None:
    """The float of a decimal or ``p/q`` token, or None when it is not one; bounded work."""
    dec = _DECIMAL.fullmatch(tok)
    if dec is not None:
        if dec.group(1) is not None and abs(int(dec.group(1))) > MAX_EXPONENT:
            raise OverflowError(tok)
        return float(tok)   # correctly rounded, as float(Fraction(tok))
    rat = _RATIONAL.fullmatch(tok)
    if rat is not None and int(rat.group(2)) != 0:
        return float(Fraction(int(rat.group(1)), int(rat.group(2))))
    return None


class _Tokens:
    """A cursor over the tokens, with typed reads that raise :class:`NFGError` naming the line."""

    def __init__(self, text: str) -> None:
        self.toks = _tokenize(text)
        self.k = 0

    def left(self) -> int:
        return len(self.toks) - self.k

    def peek(self) -> tuple[str, int]:
        if self.k < len(self.toks):
            return self.toks[self.k]
        return ("<end of file>", self.toks[-1][1] if self.toks else 1)

    def take(self, expect: str | None = None) -> tuple[str, int]:
        tok, line = self.peek()
        if self.k >= len(self.toks):
            raise NFGError(f"line {line}: unexpected end of file" + (f", expected {expect!r}" if expect else ""))
        if expect is not None and tok != expect:
            raise NFGError(f"line {line}: expected {expect!r}; got {tok!r}")
        self.k += 1
        return tok, line

    def string(self) -> str:
        tok, line = self.take()
        if not tok.startswith('"'):
            raise NFGError(f"line {line}: expected a quoted string; got {tok!r}")
        return re.sub(r"\\(.)", r"\1", tok[1:-1])

    def number(self) -> float:
        tok, line = self.take()
        try:
            val = _to_number(tok)
        except (OverflowError, ValueError):
            raise NFGError(f"line {line}: payoff must be finite with an exponent of at most {MAX_EXPONENT}; "
                           f"got {tok[:40]!r}") from None
        if val is None:
            raise NFGError(f"line {line}: expected a number; got {tok[:40]!r}")
        if not np.isfinite(val):
            raise NFGError(f"line {line}: payoff must be finite; got {tok[:40]!r}")
        return val

    def integer(self) -> int:
        tok, line = self.take()
        if not re.fullmatch(r"\d{1,18}", tok):
            raise NFGError(f"line {line}: expected a positive integer; got {tok[:40]!r}")
        return int(tok)


def _header(t: _Tokens) -> str:
    tok, line = t.take()
    if tok != "NFG":
        raise NFGError(f"line {line}: a .nfg file must start with 'NFG'; got {tok!r}")
    tok, line = t.take()
    if tok != "1":
        raise NFGError(f"line {line}: only NFG version 1 is supported; got {tok!r}")
    tok, line = t.take()
    if tok not in ("R", "D"):
        raise NFGError(f"line {line}: expected 'R' or 'D' after the version; got {tok!r}")
    title = t.string()
    t.take("{")
    players = []
    while t.peek()[0] != "}":
        players.append(t.string())
    _, line = t.take("}")
    if len(players) != 2:
        raise NFGError(f"line {line}: only two-player games are supported; got {len(players)} players {players!r}")
    return title


def _strategies(t: _Tokens) -> tuple[list[list[str]] | None, int, int]:
    """Strategy names (or None when only counts are given) and the two sizes."""
    t.take("{")
    labels: list[list[str]] | None = None
    if t.peek()[0] == "{":
        labels = []
        for _p in range(2):
            t.take("{")
            names = []
            while t.peek()[0] != "}":
                names.append(t.string())
            _, line = t.take("}")
            dup = next((s for k, s in enumerate(names) if s in names[:k]), None)
            if dup is not None:
                raise NFGError(f"line {line}: strategy names must be unique; got the duplicate {dup!r}")
            labels.append(names)
        sizes = [len(lab) for lab in labels]
    else:
        sizes = [t.integer(), t.integer()]
    _, line = t.take("}")
    if min(sizes) < 1:
        raise NFGError(f"line {line}: each player needs at least one strategy; got sizes {sizes}")
    return labels, sizes[0], sizes[1]


def _payoff_version(t: _Tokens, m: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    need, line = 2 * m * n, t.peek()[1]
    if t.left() != need:   # checked before allocating
        raise NFGError(f"line {line}: the sizes {m} x {n} need {need} payoffs; the file holds {t.left()}")
    vals = np.array([t.number() for _ in range(need)]).reshape(n, m, 2)
    return vals[:, :, 0].T.copy(), vals[:, :, 1].T.copy()


def _outcome_version(t: _Tokens, m: int, n: int) -> tuple[np.ndarray, np.ndarray]:
    t.take("{")
    outcomes: list[tuple[float, float]] = []
    while t.peek()[0] != "}":
        t.take("{")
        if t.peek()[0].startswith('"'):
            t.string()
        a = t.number()
        if t.peek()[0] == ",":
            t.take(",")
        b = t.number()
        tok, line = t.take()
        if tok != "}":
            raise NFGError(f"line {line}: an outcome must hold exactly two payoffs; got {tok!r}")
        outcomes.append((a, b))
    _, line = t.take("}")
    if t.left() != m * n:   # checked before allocating
        raise NFGError(f"line {line}: the sizes {m} x {n} need {m * n} outcome indices; the file holds {t.left()}")
    table = np.array([(0.0, 0.0)] + outcomes)
    idx = np.empty(m * n, dtype=np.int64)
    for p in range(m * n):
        line = t.peek()[1]
        idx[p] = t.integer()
        if idx[p] > len(outcomes):
            raise NFGError(f"line {line}: outcome {idx[p]} does not exist (there are {len(outcomes)})")
    vals = table[idx].reshape(n, m, 2)
    return vals[:, :, 0].T.copy(), vals[:, :, 1].T.copy()


def parse_nfg(text: str) -> tuple[np.ndarray, np.ndarray, list[list[str]] | None, str]:
    """Parse two-player ``.nfg`` text into ``(A, B, labels or None, title)``."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string; got {type(text).__name__}")
    t = _Tokens(text)
    title = _header(t)
    labels, m, n = _strategies(t)
    if t.peek()[0].startswith('"'):  # optional comment
        t.string()
    if t.peek()[0] == "{":
        A, B = _outcome_version(t, m, n)
    else:
        A, B = _payoff_version(t, m, n)
    return A, B, labels, title
