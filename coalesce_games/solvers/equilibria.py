"""Nash equilibria of bimatrix games: every equilibrium, verified, as a tidy table.

Every game of the toolkit (G1-G5 of MODEL.md section 6: the outsourcing stage
game, provider competition, the empirical meta-game, ...) is a
:class:`~coalesce_games.solvers.game.Game` and is solved here. A mixed profile
``(x, y)`` is a Nash equilibrium when neither player gains by deviating::

    regret(x, y) = max( max_i (A y)_i - x^T A y ,  max_j (x^T B)_j - x^T B y ) = 0

Every profile returned has ``max_regret <= tol * scale`` where ``scale`` is the
payoff range of the game (``Game.payoff_range``), so the test means the same
for payoffs in dollars or in cents; profiles that fail are dropped and counted
in ``df.attrs["rejected"]``. Nothing unverified is returned as an equilibrium.

Methods (``solve(game, method=...)``):

``"vertex"``
    All extreme equilibria by vertex enumeration of the best-response polytopes
    with full label sets (:mod:`coalesce_games.solvers.vertex`): correct on degenerate
    games. scipy's Qhull on the polar polytopes (exhaustive bases as the fallback).
``"lemke_howson"``
    One equilibrium by lexicographic Lemke-Howson (:mod:`coalesce_games.solvers.lemke_howson`),
    restarted from other dropped labels with doubling pivot budgets.
``"lp"``
    Zero-sum (constant-sum) games: the minimax strategies by linear programming
    (scipy HiGHS); one equilibrium (all equilibria share the value).
``"exact"``
    All extreme equilibria in rational arithmetic (small games only).
``"nashpy_support"``, ``"nashpy_vertex"``, ``"nashpy_lemke_howson"``
    nashpy's own methods; support enumeration is called with the scaled
    tolerance instead of its default 1e-16 (which rejects true equilibria), and
    its results go through the same verification. nashpy's Lemke-Howson can
    cycle forever on degenerate games (start label 0 only).
``"auto"``
    ``"vertex"`` while ``m + n <= 30``; otherwise ``"lp"`` for zero-sum games
    and ``"lemke_howson"`` for the rest.

Degeneracy (a mixed strategy with more pure best responses than its support
size) is detected from the vertex labels and reported in
``df.attrs["degenerate"]``. The extreme equilibria then need not be isolated:
they form *components*, unions of Nash subsets, which are the maximal bipartite
cliques of the graph joining the row and column vertices of extreme equilibria
(Avis, Rosenberg, Savani and von Stengel 2010); every convex combination within
a clique is an equilibrium. ``df["component"]`` numbers them and
``df.attrs["components"]`` lists each with its cliques (each a list of the
table rows of its extreme equilibria) and a representative point (the
centroid of its largest clique).

>>> from coalesce_games.solvers.game import Game
>>> bos = Game([[3, 0], [0, 2]], [[2, 0], [0, 3]], ["Opera", "Football"], ["Opera", "Football"])
>>> df = solve(bos)
>>> len(df), bool(df.attrs["degenerate"])
(3, False)
>>> df.loc[2, "row_strategy"].round(3).tolist()
[0.6, 0.4]
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
import pandas as pd

from coalesce_games.solvers._checks import check_choice, check_scalar
from coalesce_games.solvers.game import Game

__all__ = ['DEFAULT_TOL', 'METHODS', 'certify', 'client_optimal', 'is_equilibrium', 'max_regret', 'maximum_entropy', 'select', 'solve', 'solve_one', 'welfare_maximising']

METHODS = ("auto", "vertex", "lemke_howson", "lp", "exact",
           "nashpy_support", "nashpy_vertex", "nashpy_lemke_howson")

#: default verification tolerance, relative to the payoff range
DEFAULT_TOL = 1e-9

_COLUMNS = ["row_strategy", "col_strategy", "row_mix", "col_mix", "row_support", "col_support",
            "row_payoff", "col_payoff", "max_regret", "certified", "kind", "component"]


# --------------------------------------------------------------------- checks
def _scale(game: Game) -> float:
    big = max(float(np.abs(game.A).max()), float(np.abs(game.B).max()), 1.0)
    return max(game.payoff_range(), 1e-12 * big)


def max_regret(game: Game, x: Any, y: Any) -> float:
    """The larger of the two players' gains from a best deviation (>= 0).

    >>> g = Game([[1, -1], [-1, 1]])
    >>> max_regret(g, [0.5, 0.5], [0.5, 0.5]), max_regret(g, [1, 0], [1, 0])
    (0.0, 2.0)
    """
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    Ay = game.A @ y
    xB = x @ game.B
    return float(max(Ay.max() - x @ Ay, xB.max() - xB @ y, 0.0))


def _regrets(game: Game, X: np.ndarray, Y: np.ndarray) -> np.ndarray:
    AY = Y @ game.A.T                       # (E, m)
    XB = X @ game.B                         # (E, n)
    r1 = AY.max(axis=1) - np.einsum("ei,ei->e", X, AY)
    r2 = XB.max(axis=1) - np.einsum("ej,ej->e", XB, Y)
    return np.maximum(np.maximum(r1, r2), 0.0)


def is_equilibrium(game: Game, x: Any, y: Any, tol: float | None = None) -> bool:
    """Mutual best response within ``tol`` (relative to the payoff range)."""
    t = DEFAULT_TOL if tol is None else check_scalar("tol", tol, low=0, low_open=True)
    return max_regret(game, x, y) <= t * _scale(game)


# ------------------------------------------------------------------- solvers
def _lp_zero_sum(A: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    from scipy.optimize import linprog

    m, n = A.shape

    def maximin(M: np.ndarray) -> np.ndarray:
        # max v  s.t.  M^T s >= v, sum s = 1, s >= 0   (variables s (k,), v)
        k, l_ = M.shape
        c = np.zeros(k + 1)
        c[-1] = -1.0
        A_ub = np.hstack([-M.T, np.ones((l_, 1))])
        A_eq = np.concatenate([np.ones(k), [0.0]])[None, :]
        res = linprog(c, A_ub=A_ub, b_ub=np.zeros(l_), A_eq=A_eq, b_eq=[1.0],
                      bounds=[(0, None)] * k + [(None, None)], method="highs")
        if res.status != 0:
            raise RuntimeError(f"linprog failed on the zero-sum game: {res.message}")
        s = np.clip(res.x[:k], 0.0, None)
        return s / s.sum()

    x = maximin(A)
    y = maximin(-A.T)
    return x, y


def _lemke_schedule(game: Game, max_total: int = 2_000_000) -> tuple[np.ndarray, np.ndarray]:
    """Lemke-Howson from labels 0, m, 1, m+1, ... with pivot budgets doubling every 8 tries.

    Path lengths from different dropped labels vary by orders of magnitude (on
    random 200 x 200 games about one label in ten reaches an equilibrium within
    60 pivots while the median needs thousands), so many short attempts beat
    one long one; the doubling keeps the total within a constant factor of the
    best single budget.
    """
    from coalesce_games.solvers.lemke_howson import LemkeHowsonFailure, lemke_howson

    m, n = game.shape
    order = [lab for pair in zip(range(m), range(m, m + n)) for lab in pair]
    order += list(range(min(m, n), m)) + list(range(m + min(m, n), m + n))
    budget = 32
    spent = 0
    attempt = 0
    while spent < max_total:
        label = order[attempt % len(order)]
        try:
            x, y, p = lemke_howson(game.A, game.B, label, max_pivots=budget)
            if max_regret(game, x, y) <= DEFAULT_TOL * _scale(game):
                return x, y
            spent += p
        except LemkeHowsonFailure:
            spent += budget
        attempt += 1
        if attempt % 8 == 0:
            budget *= 2
    raise RuntimeError(f"Lemke-Howson found no verified equilibrium of the {m}x{n} game "
                       f"within {max_total} pivots")


def _nashpy(game: Game, method: str, abs_tol: float) -> tuple[np.ndarray, np.ndarray]:
    g = game.to_nashpy()
    if method == "nashpy_support":
        eqs = list(g.support_enumeration(non_degenerate=False, tol=abs_tol))
    elif method == "nashpy_vertex":
        eqs = list(g.vertex_enumeration())
    else:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            eqs = [g.lemke_howson(initial_dropped_label=0)]
    m, n = game.shape
    eqs = [(np.asarray(x, float), np.asarray(y, float)) for x, y in eqs
           if np.shape(x) == (m,) and np.shape(y) == (n,) and np.all(np.isfinite(x)) and np.all(np.isfinite(y))]
    if not eqs:
        return np.empty((0, m)), np.empty((0, n))
    return np.array([e[0] for e in eqs]), np.array([e[1] for e in eqs])


def _bicliques(ix: np.ndarray, iy: np.ndarray) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Maximal bicliques (Nash subsets) of the bipartite graph with edges (ix[e], iy[e])."""
    nbr: dict[int, frozenset[int]] = {}
    for a in np.unique(ix):
        nbr[int(a)] = frozenset(int(b) for b in iy[ix == a])
    # the column sides of maximal bicliques are the intersections of row neighbourhoods
    sides: set[frozenset[int]] = set(nbr.values())
    frontier = set(sides)
    while frontier:
        new: set[frozenset[int]] = set()
        for s in frontier:
            for nb in nbr.values():
                t = s & nb
                if t and t not in sides:
                    new.add(t)
        sides |= new
        frontier = new
    out = []
    for s in sides:
        rows = tuple(sorted(a for a, nb in nbr.items() if s <= nb))
        common = frozenset.intersection(*(nbr[a] for a in rows))
        if common == s:
            out.append((rows, tuple(sorted(s))))
    return sorted(out)


def _components(ix: np.ndarray, iy: np.ndarray) -> np.ndarray:
    """Connected components of the equilibrium graph (union-find over shared vertices)."""
    E = len(ix)
    parent = list(range(E))

    def find(a: int) -> int:
        while parent[a] != a:
            parent[a] = parent[parent[a]]
            a = parent[a]
        return a

    for key in (ix, iy):
        first: dict[int, int] = {}
        for e, v in enumerate(key.tolist()):
            if v in first:
                ra, rb = find(e), find(first[v])
                if ra != rb:
                    parent[ra] = rb
            else:
                first[v] = e
    roots = [find(e) for e in range(E)]
    _, comp = np.unique(roots, return_inverse=True)
    # number components in order of first appearance
    order = {c: k for k, c in enumerate(dict.fromkeys(comp.tolist()))}
    return np.array([order[c] for c in comp.tolist()], dtype=int)


def _dedupe(X: np.ndarray, Y: np.ndarray, digits: int = 9) -> np.ndarray:
    key = np.round(np.hstack([X, Y]), digits) + 0.0
    _, first = np.unique(key, axis=0, return_index=True)
    return np.sort(first)


def _columns(game: Game, X: np.ndarray, Y: np.ndarray, support_tol: float) -> dict[str, Any]:
    """The per-equilibrium columns of the result table (built once: pandas is the slow part)."""
    rl, cl = game.row_labels, game.col_labels
    rsup = [np.nonzero(x > support_tol)[0] for x in X]
    csup = [np.nonzero(y > support_tol)[0] for y in Y]
    return {
        "row_strategy": list(X), "col_strategy": list(Y),
        "row_mix": [{rl[i]: float(x[i]) for i in s} for x, s in zip(X, rsup)],
        "col_mix": [{cl[j]: float(y[j]) for j in s} for y, s in zip(Y, csup)],
        "row_support": [tuple(rl[i] for i in s) for s in rsup],
        "col_support": [tuple(cl[j] for j in s) for s in csup],
        "row_payoff": np.einsum("ei,ij,ej->e", X, game.A, Y),
        "col_payoff": np.einsum("ei,ij,ej->e", X, game.B, Y),
    }


def solve(game: Game, method: str = "auto", tol: float | None = None, exact: bool = False,
          presolve: bool = False) -> pd.DataFrame:
    """All (or, for single-equilibrium methods, one) verified Nash equilibria of ``game``.

    Parameters
    ----------
    game : Game
    method : str
        One of :data:`METHODS` (see the module text).
    tol : float, optional
        Verification tolerance relative to the payoff range (default 1e-9):
        a profile is kept when ``max_regret <= tol * payoff_range``.
    exact : bool
        Certify each extreme equilibrium in rational arithmetic by re-solving its
        support system (:func:`coalesce_games.solvers.exact.certify`).
    presolve : bool
        First remove strictly dominated strategies (pure and mixed,
        :func:`coalesce_games.solvers.dominance.iterated_elimination`), solve the reduced
        game and embed the equilibria back (removed strategies get probability
        0). The equilibrium set is unchanged; the audit trail is in
        ``df.attrs["presolve"]``.

    Returns
    -------
    pandas.DataFrame
        One row per equilibrium: ``row_strategy``, ``col_strategy`` (numpy
        arrays in label order), ``row_mix``, ``col_mix`` ({label: probability}
        over the support), ``row_support``, ``col_support`` (label tuples),
        ``row_payoff``, ``col_payoff``, ``max_regret``, ``certified`` (nullable
        boolean: NA when not attempted), ``kind`` ("extreme" or "lp"/"lemke_howson"
        /"nashpy"), ``component`` (int, for vertex methods). ``attrs`` hold
        ``method`` (the one used), ``degenerate`` (bool, or None when the method
        cannot tell), ``components`` (DataFrame), ``tol``, ``abs_tol`` and
        ``rejected`` (profiles that failed verification).

    >>> pd_game = Game([[3, 0], [5, 1]], [[3, 5], [0, 1]], ["C", "D"], ["C", "D"])
    >>> df = solve(pd_game, exact=True)
    >>> df[["row_support", "col_support", "row_payoff", "certified"]].to_dict("records")
    [{'row_support': ('D',), 'col_support': ('D',), 'row_payoff': 1.0, 'certified': True}]
    >>> solve(pd_game, method="simplex")
    Traceback (most recent call last):
    ...
    ValueError: method must be one of ['auto', 'vertex', 'lemke_howson', 'lp', 'exact', 'nashpy_support', 'nashpy_vertex', 'nashpy_lemke_howson']; got 'simplex'
    """
    if not isinstance(game, Game):
        raise TypeError(f"game must be a coalesce_games.solvers.game.Game; got {type(game).__name__}")
    check_choice("method", method, METHODS)
    rel_tol = DEFAULT_TOL if tol is None else check_scalar("tol", tol, low=0, low_open=True)
    if not isinstance(exact, bool):
        raise TypeError(f"exact must be a bool; got {exact!r}")
    if not isinstance(presolve, bool):
        raise TypeError(f"presolve must be a bool; got {presolve!r}")
    if presolve:
        return _solve_presolved(game, method, rel_tol, exact)
    m, n = game.shape
    scale = _scale(game)
    abs_tol = rel_tol * scale
    if method == "auto":
        if m + n <= 30:
            method = "vertex"
        else:
            method = "lp" if game.is_zero_sum else "lemke_howson"
    degenerate: bool | None = None
    ix = iy = None
    kind = method
    if method == "vertex":
        from coalesce_games.solvers.vertex import extreme_equilibria

        res = extreme_equilibria(game.A, game.B, tol=max(rel_tol, 1e-12))
        X, Y, degenerate, ix, iy = res.xs, res.ys, res.degenerate, res.ix, res.iy
        kind = "extreme"
    elif method == "exact":
        from coalesce_games.solvers.exact import exact_extreme_equilibria
        from coalesce_games.solvers.vertex import bases_count

        if bases_count(m, n) > 20_000:
            raise ValueError(f"method='exact' enumerates {bases_count(m, n)} bases for a {m}x{n} game; "
                             "that is too many (limit 20000): use method='vertex' with exact=True")
        eqs = exact_extreme_equilibria(game.A, game.B)
        X = np.array([[float(v) for v in e[0]] for e in eqs]).reshape(-1, m)
        Y = np.array([[float(v) for v in e[1]] for e in eqs]).reshape(-1, n)
        kind = "extreme"
    elif method == "lp":
        if not game.is_zero_sum:
            raise ValueError("method='lp' needs a zero-sum (constant-sum) game; got A + B not constant")
        x, y = _lp_zero_sum(np.asarray(game.A))
        X, Y = x[None, :], y[None, :]
    elif method == "lemke_howson":
        x, y = _lemke_schedule(game)
        X, Y = x[None, :], y[None, :]
    else:
        X, Y = _nashpy(game, method, abs_tol)
        kind = "nashpy"
    X = np.asarray(X, dtype=float).reshape(-1, m)
    Y = np.asarray(Y, dtype=float).reshape(-1, n)
    reg = _regrets(game, X, Y) if len(X) else np.empty(0)
    ok = reg <= abs_tol
    rejected = int((~ok).sum())
    X, Y, reg = X[ok], Y[ok], reg[ok]
    if ix is not None:
        ix, iy = ix[ok], iy[ok]
    keep = _dedupe(X, Y) if len(X) else np.empty(0, dtype=int)
    if len(keep):  # deterministic order: smaller supports first, then lexicographically
        sizes = (X[keep] > 1e-12).sum(1) + (Y[keep] > 1e-12).sum(1)
        keys = np.round(np.hstack([X[keep], Y[keep]]), 9)
        order = np.lexsort(tuple(-keys[:, ::-1].T) + (sizes,))
        keep = keep[order]
    X, Y, reg = X[keep], Y[keep], reg[keep]
    if ix is not None:
        ix, iy = ix[keep], iy[keep]
    support_tol = max(rel_tol, 1e-12)
    cols = _columns(game, X, Y, support_tol)
    cols["max_regret"] = reg
    if method == "exact":
        certified = pd.array([True] * len(X), dtype="boolean")
    elif exact:
        from coalesce_games.solvers.exact import certify

        certified = pd.array([certify(game.A, game.B, x, y, support_tol)[0] for x, y in zip(X, Y)],
                             dtype="boolean")
    else:
        certified = pd.array([pd.NA] * len(X), dtype="boolean")
    cols["certified"] = certified
    cols["kind"] = [kind] * len(X)
    records = []
    if ix is not None and len(ix):
        comp = _components(ix, iy)
        cols["component"] = comp
        for c in range(int(comp.max()) + 1):
            sel = np.nonzero(comp == c)[0]
            cliques = _bicliques(ix[sel], iy[sel])
            big = max(cliques, key=lambda q: len(q[0]) * len(q[1]))
            # centroid of the largest clique: its row and column vertices mix freely
            xr = np.mean([X[sel][np.nonzero(ix[sel] == a)[0][0]] for a in big[0]], axis=0)
            yr = np.mean([Y[sel][np.nonzero(iy[sel] == b)[0][0]] for b in big[1]], axis=0)
            # each Nash subset as the table rows of its extreme equilibria
            subsets = [sorted(int(sel[e]) for e in range(len(sel))
                              if ix[sel][e] in set(q[0]) and iy[sel][e] in set(q[1])) for q in cliques]
            records.append({"component": c, "n_extreme": len(sel), "cliques": sorted(subsets),
                            "row_strategy": xr, "col_strategy": yr,
                            "max_regret": max_regret(game, xr, yr)})
    else:
        cols["component"] = np.arange(len(X))
    df = pd.DataFrame(cols, columns=_COLUMNS)
    comp_table = pd.DataFrame(records, columns=["component", "n_extreme", "cliques", "row_strategy",
                                                "col_strategy", "max_regret"])
    df.attrs.update({"complete": method in ("vertex", "exact"), "method": method, "degenerate": degenerate,
                     "components": comp_table, "tol": rel_tol, "abs_tol": abs_tol, "rejected": rejected,
                     "game": repr(game)})
    return df


def _solve_presolved(game: Game, method: str, rel_tol: float, exact: bool) -> pd.DataFrame:
    from coalesce_games.solvers.dominance import iterated_elimination

    reduced, audit = iterated_elimination(game, tol=rel_tol)
    df = solve(reduced, method=method, tol=rel_tol, exact=exact)
    if reduced is not game:
        rows = np.array([game.row_labels.index(r) for r in reduced.row_labels])
        cols = np.array([game.col_labels.index(c) for c in reduced.col_labels])
        m, n = game.shape

        def embed(v: np.ndarray, idx: np.ndarray, size: int) -> np.ndarray:
            out = np.zeros(size)
            out[idx] = v
            return out

        df["row_strategy"] = [embed(x, rows, m) for x in df["row_strategy"]]
        df["col_strategy"] = [embed(y, cols, n) for y in df["col_strategy"]]
        comps = df.attrs["components"].copy()
        if len(comps):
            comps["row_strategy"] = [embed(x, rows, m) for x in comps["row_strategy"]]
            comps["col_strategy"] = [embed(y, cols, n) for y in comps["col_strategy"]]
            comps["max_regret"] = [max_regret(game, x, y) for x, y in zip(comps["row_strategy"], comps["col_strategy"])]
        df.attrs["components"] = comps
        df["max_regret"] = _regrets(game, np.array(list(df["row_strategy"])).reshape(-1, m),
                                    np.array(list(df["col_strategy"])).reshape(-1, n)) if len(df) else []
        if exact:
            from coalesce_games.solvers.exact import certify as _certify

            df["certified"] = pd.array([_certify(game.A, game.B, x, y, max(rel_tol, 1e-12))[0]
                                        for x, y in zip(df["row_strategy"], df["col_strategy"])], dtype="boolean")
        df.attrs["abs_tol"] = rel_tol * _scale(game)
        df.attrs["game"] = repr(game)
        ok = (df["max_regret"] <= df.attrs["abs_tol"]).to_numpy()
        df.attrs["rejected"] = df.attrs.get("rejected", 0) + int((~ok).sum())
        df = df[ok].reset_index(drop=True) if not ok.all() else df
    df.attrs["presolve"] = audit
    return df


def solve_one(game: Game, tol: float | None = None) -> pd.Series:
    """One verified equilibrium, fast at any size (LP for zero-sum, else Lemke-Howson).

    >>> mp = Game([[1, -1], [-1, 1]], [[-1, 1], [1, -1]])
    >>> solve_one(mp)["row_strategy"].tolist()
    [0.5, 0.5]
    """
    if not isinstance(game, Game):
        raise TypeError(f"game must be a coalesce_games.solvers.game.Game; got {type(game).__name__}")
    rel_tol = DEFAULT_TOL if tol is None else check_scalar("tol", tol, low=0, low_open=True)
    abs_tol = rel_tol * _scale(game)
    method = "lp" if game.is_zero_sum else "lemke_howson"
    # no DataFrame on the fast path: the table costs more than Lemke-Howson on small games
    x, y = _lp_zero_sum(np.asarray(game.A)) if method == "lp" else _lemke_schedule(game)
    reg = max_regret(game, x, y)
    if reg > abs_tol:  # numerical trouble: fall back to the verified table of solve()
        df = solve(game, method="vertex" if sum(game.shape) <= 30 else method, tol=tol)
        if len(df) == 0:
            raise RuntimeError(f"no verified equilibrium found for {game!r}")
        row = df.iloc[0].copy()
        row.attrs = dict(df.attrs)
        return row
    cols = _columns(game, x[None, :], y[None, :], max(rel_tol, 1e-12))
    data = {k: v[0] for k, v in cols.items()}
    data.update({"max_regret": reg, "certified": pd.NA, "kind": method, "component": 0})
    row = pd.Series(data, index=_COLUMNS, dtype=object, name=0)
    row.attrs = {"method": method, "tol": rel_tol, "abs_tol": abs_tol, "degenerate": None, "complete": False}
    return row


def certify(game: Game, x: Any, y: Any, tol: float | None = None) -> bool:
    """True when an exact rational equilibrium with the supports and best-response
    sets of ``(x, y)`` exists and ``(x, y)`` is it up to ``tol`` (relative).

    >>> bos = Game([[3, 0], [0, 2]], [[2, 0], [0, 3]])
    >>> certify(bos, [0.6, 0.4], [0.4, 0.6]), certify(bos, [0.5, 0.5], [0.5, 0.5])
    (True, False)
    """
    from coalesce_games.solvers.exact import certify as _certify

    t = DEFAULT_TOL if tol is None else check_scalar("tol", tol, low=0, low_open=True)
    x = np.asarray(x, dtype=float)
    y = np.asarray(y, dtype=float)
    ok, sol = _certify(game.A, game.B, x, y, max(t, 1e-12))
    if not ok or sol is None:
        return False
    xe = np.array([float(v) for v in sol[0]])
    ye = np.array([float(v) for v in sol[1]])
    return bool(np.abs(xe - x).max() <= 1e-6 and np.abs(ye - y).max() <= 1e-6)


# ----------------------------------------------------------------- selection
def _check_table(df: Any) -> pd.DataFrame:
    if not isinstance(df, pd.DataFrame) or "row_strategy" not in df.columns:
        raise TypeError("df must be the DataFrame returned by solve()")
    if len(df) == 0:
        raise ValueError("df holds no equilibria to select from")
    return df


def welfare_maximising(df: pd.DataFrame) -> pd.Series:
    """The equilibrium with the largest ``row_payoff + col_payoff`` (first on ties)."""
    df = _check_table(df)
    return df.loc[(df["row_payoff"] + df["col_payoff"]).idxmax()]


def client_optimal(df: pd.DataFrame, client: str = "row") -> pd.Series:
    """The equilibrium best for the client (the row player in G1 and G3 unless told ``"col"``)."""
    df = _check_table(df)
    check_choice("client", client, ("row", "col"))
    return df.loc[df[f"{client}_payoff"].idxmax()]


def _entropy(p: np.ndarray) -> float:
    q = p[p > 0]
    return float(-(q * np.log(q)).sum())


def maximum_entropy(df: pd.DataFrame) -> pd.Series:
    """The most mixed equilibrium: largest sum of the two strategies' Shannon entropies (nats).

    Among extreme equilibria of a component this favours the interior points;
    the component representatives in ``df.attrs["components"]`` are more mixed still.
    """
    df = _check_table(df)
    h = [_entropy(x) + _entropy(y) for x, y in zip(df["row_strategy"], df["col_strategy"])]
    return df.iloc[int(np.argmax(h))]


def select(df: pd.DataFrame, rule: str = "welfare") -> pd.Series:
    """One representative equilibrium by ``rule``: "welfare", "client" or "entropy"."""
    check_choice("rule", rule, ("welfare", "client", "entropy"))
    return {"welfare": welfare_maximising, "client": client_optimal, "entropy": maximum_entropy}[rule](df)
