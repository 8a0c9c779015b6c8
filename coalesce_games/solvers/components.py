"""Components and Nash subsets of the extreme equilibria of a degenerate game.

In a degenerate game the extreme equilibria need not be isolated. Join the row
vertex and the column vertex of each extreme equilibrium by an edge: the
maximal bipartite cliques of this graph are the *Nash subsets* (every convex
combination of a clique's row vertices with its column vertices is an
equilibrium) and its connected components are the *components* of the
equilibrium set (Avis, Rosenberg, Savani and von Stengel 2010, section 4).

>>> import numpy as np
>>> ix, iy = np.array([0, 0, 1]), np.array([0, 1, 1])   # (T,L), (T,R), (B,R)
>>> components(ix, iy).tolist()
[0, 0, 0]
>>> bicliques(ix, iy)
[((0,), (0, 1)), ((0, 1), (1,))]
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from coalesce_games.solvers.verify import regrets

__all__ = ['Component', 'bicliques', 'component_table', 'components']


@dataclass(frozen=True)
class Component:
    """A connected component of extreme equilibria (a union of Nash subsets).

    ``cliques`` lists each Nash subset as the result rows of its extreme
    equilibria; every convex combination inside one subset is an equilibrium.
    ``row_strategy``/``col_strategy`` is a representative point (the centroid
    of the largest subset) and ``max_regret`` its regret.
    """

    component: int
    n_extreme: int
    cliques: list[list[int]]
    row_strategy: np.ndarray
    col_strategy: np.ndarray
    max_regret: float


def bicliques(ix: np.ndarray, iy: np.ndarray) -> list[tuple[tuple[int, ...], tuple[int, ...]]]:
    """Maximal bicliques (Nash subsets) of the bipartite graph with edges ``(ix[e], iy[e])``."""
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


def components(ix: np.ndarray, iy: np.ndarray) -> np.ndarray:
    """Connected components of the equilibrium graph (union-find over shared vertices),
    numbered in order of first appearance."""
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
    order = {c: k for k, c in enumerate(dict.fromkeys(comp.tolist()))}
    return np.array([order[c] for c in comp.tolist()], dtype=int)


def component_table(game: Any, X: np.ndarray, Y: np.ndarray, ix: np.ndarray, iy: np.ndarray,
                    comp: np.ndarray) -> tuple[Component, ...]:
    """Each component with its Nash subsets (as rows of ``X``/``Y``) and a representative point
    (the centroid of its largest subset, whose row and column vertices mix freely)."""
    out = []
    for c in range(int(comp.max()) + 1 if len(comp) else 0):
        sel = np.nonzero(comp == c)[0]
        cliques = bicliques(ix[sel], iy[sel])
        big = max(cliques, key=lambda q: len(q[0]) * len(q[1]))
        xr = np.mean([X[sel][np.nonzero(ix[sel] == a)[0][0]] for a in big[0]], axis=0)
        yr = np.mean([Y[sel][np.nonzero(iy[sel] == b)[0][0]] for b in big[1]], axis=0)
        subsets = [sorted(int(sel[e]) for e in range(len(sel))
                          if ix[sel][e] in set(q[0]) and iy[sel][e] in set(q[1])) for q in cliques]
        out.append(Component(c, len(sel), sorted(subsets), xr, yr,
                             float(regrets(game, xr[None, :], yr[None, :])[0])))
    return tuple(out)
