"""What nashpy finds on the toolkit's degenerate games, against coalesce_games.solve and Gambit.

The outsourcing games are degenerate: in G1 the client's Local row pays the provider 0 in every
column, and in G2 two identical providers tie. This script solves a fixed set of such games with

- ``coalesce_games.solve`` (vertex enumeration, the default): the reference set of extreme
  equilibria, checked equal to Gambit's ``enummixed_solve`` (every extreme equilibrium, in
  exact rational arithmetic);
- nashpy's ``support_enumeration``, ``vertex_enumeration`` and ``lemke_howson`` from every
  initial dropped label, called directly as a nashpy user would;

and the same three through ``solve(method="nashpy_...")`` (the toolkit's wrappers, which rescale
the payoffs and verify each profile); and counts, per method: the extreme equilibria it **missed**, the profiles it returned
that are **not equilibria** (invented: a regret above 1e-6 of the payoff spread), the valid
profiles that are not extreme (points inside a continuum, correct but not a vertex), and the
calls that failed (an exception or NaN). ``python benchmarks/nashpy_degenerate.py`` prints the
table that ``docs/nashpy.md`` shows; ``tests/test_docs.py`` checks the page against it.
"""

from __future__ import annotations

import warnings
from collections.abc import Iterable

import numpy as np
import pandas as pd

import coalesce_games as cg

TOL = 1e-6


def games() -> dict[str, cg.Game]:
    """The measured games: G1 at its defaults and at seven other points, G1 with Spoof, G2 small."""
    out = {"G1 default": cg.stage_game(cg.StageParameters()),
           "G1 with Spoof": cg.stage_game(cg.StageParameters(), spoof=True)}
    for value in (100.0, 200.0):
        for price in (10.0, 20.0):
            for d_fab in (0.5, 0.9):
                if (value, price, d_fab) != (200.0, 20.0, 0.9):
                    par = cg.StageParameters(value=value, price=price, d_fab=d_fab)
                    out[f"G1 V={value:g} p={price:g} d={d_fab:g}"] = cg.stage_game(par)
    market = cg.CompetitionMarket.build(tasks=60, background=6, seed=1)
    par = cg.CompetitionParameters(price_levels=(0.7, 1.0), security_levels=(0.9, 0.99))
    out["G2 2x2 levels"] = cg.competition_game(market, par, security_weight=1.0, budget=0.5)
    return out


def _is_nash(game: cg.Game, x: np.ndarray, y: np.ndarray) -> bool:
    return bool(np.all(np.isfinite(x)) and np.all(np.isfinite(y))
                and cg.max_regret(game, x, y) <= TOL * max(game.payoff_range, 1.0))


def _matches(x: np.ndarray, y: np.ndarray, reference: list[tuple[np.ndarray, np.ndarray]]) -> int:
    for k, (rx, ry) in enumerate(reference):
        if np.allclose(x, rx, atol=1e-7) and np.allclose(y, ry, atol=1e-7):
            return k
    return -1


def _gambit_extreme(game: cg.Game) -> list[tuple[np.ndarray, np.ndarray]]:
    import pygambit as gbt

    g = gbt.Game.from_arrays(game.A, game.B)
    result = gbt.nash.enummixed_solve(g, rational=False)
    m = game.shape[0]
    out = []
    for profile in result.equilibria:
        flat = np.array([float(profile[s]) for s in g.strategies])
        out.append((flat[:m], flat[m:]))
    return out


def _nashpy_profiles(game: cg.Game, method: str) -> tuple[list[tuple[np.ndarray, np.ndarray]], int]:
    """The profiles a nashpy method returns, and how many of its calls failed."""
    if method.startswith("solve("):               # the toolkit's wrapper: scaled payoffs, verified profiles
        try:
            result = cg.solve(game, method=method[len("solve("):-1])
        except Exception:  # noqa: BLE001
            return [], 1
        return [(np.asarray(x, float), np.asarray(y, float)) for x, y in result.equilibria], 0
    nash = game.to_nashpy()
    failed = 0
    profiles: list[tuple[np.ndarray, np.ndarray]] = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")          # nashpy warns that the game is degenerate; we count instead
        if method == "lemke_howson":
            for label in range(sum(game.shape)):
                try:
                    x, y = nash.lemke_howson(initial_dropped_label=label)
                except Exception:  # noqa: BLE001 - a failed call is what is being counted
                    failed += 1
                    continue
                if not (np.all(np.isfinite(x)) and np.all(np.isfinite(y))):
                    failed += 1
                    continue
                profiles.append((np.asarray(x, float), np.asarray(y, float)))
        else:
            run = nash.support_enumeration if method == "support_enumeration" else nash.vertex_enumeration
            try:
                profiles = [(np.asarray(x, float), np.asarray(y, float)) for x, y in run()]
            except Exception:  # noqa: BLE001
                failed += 1
    return profiles, failed


#: nashpy called raw (Lemke-Howson from every initial label), then through ``solve`` (its wrappers
#: rescale the payoffs to [1, 2] and verify every profile; Lemke-Howson from label 0)
METHODS = ("support_enumeration", "vertex_enumeration", "lemke_howson",
           "solve(nashpy_support)", "solve(nashpy_vertex)", "solve(nashpy_lemke_howson)")


def measure(selected: Iterable[str] | None = None) -> pd.DataFrame:
    """One row per (game, nashpy method): extreme equilibria (ours), found, missed, invented, ..."""
    rows = []
    for name, game in games().items():
        if selected is not None and name not in selected:
            continue
        result = cg.solve(game)
        reference = [(np.asarray(x, float), np.asarray(y, float)) for x, y in result.equilibria]
        gambit = _gambit_extreme(game)
        agree = len(gambit) == len(reference) and all(_matches(x, y, reference) >= 0 for x, y in gambit)
        for method in METHODS:
            profiles, failed = _nashpy_profiles(game, method)
            found, invented, interior = set(), 0, 0
            for x, y in profiles:
                k = _matches(x, y, reference)
                if k >= 0:
                    found.add(k)
                elif _is_nash(game, x, y):
                    interior += 1
                else:
                    invented += 1
            rows.append({"game": name, "shape": f"{game.shape[0]}x{game.shape[1]}", "method": method,
                         "extreme": len(reference), "gambit_agrees": agree, "returned": len(profiles),
                         "found": len(found), "missed": len(reference) - len(found), "invented": invented,
                         "valid_not_extreme": interior, "failed_calls": failed})
    return pd.DataFrame(rows)


def totals(table: pd.DataFrame) -> pd.DataFrame:
    """Per method, summed over the games (the columns the docs page shows)."""
    cols = ["missed", "found", "invented", "valid_not_extreme", "failed_calls"]
    out = table.groupby("method", sort=False)[cols].sum()
    out.insert(0, "extreme", table.groupby("method", sort=False).extreme.sum())
    out["games_with_a_miss"] = table.assign(m=table.missed > 0).groupby("method", sort=False).m.sum()
    return out.reset_index().rename(columns={"valid_not_extreme": "interior", "failed_calls": "failed",
                                             "games_with_a_miss": "games_missed"})


if __name__ == "__main__":
    detail = measure()
    print("every reference set equals Gambit's enummixed:", bool(detail.gambit_agrees.all()))
    print(totals(detail).to_markdown(index=False))
    print()
    print(detail.to_markdown(index=False))
