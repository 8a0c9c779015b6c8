"""G3, the empirical meta-game between market settings, from seeded simulations.

Client policy settings (rows) meet provider strategies (columns); each payoff
is a mean over seeds of the simulated market with its standard error (Wellman
2006, empirical game-theoretic analysis). Bootstraps over seeds give the regret
of a setting and the stability of the equilibria under resampling.

A bootstrap's work arrays hold ``n_boot x (2 m n + s)`` numbers (``m x n``
cells, ``s`` seeds in the largest cell); more than :data:`MAX_BOOT_VALUES`
(800 MB of float64) is refused before anything is allocated.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd

from coalesce_games.market.config import MarketConfig
from coalesce_games.market.simulation import simulate_many
from coalesce_games.solvers.equilibria import select, solve, solve_many
from coalesce_games.solvers.game import Game
from coalesce_games.validation import as_array, check_choice, check_int, check_scalar, make_rng

__all__ = ['MAX_BOOT_VALUES', 'bootstrap_equilibria', 'bootstrap_games', 'bootstrap_regret', 'client_regret', 'empirical_metagame', 'equilibrium_stability', 'metagame_from_samples', 'metagame_samples']

#: the most numbers a bootstrap's work arrays may hold, ``n_boot x (2 m n + s)`` (800 MB of float64)
MAX_BOOT_VALUES = 10**8


def metagame_samples(client_settings: dict[str, dict], provider_strategies: dict[str, dict],
                     base: Any, seeds: Any) -> pd.DataFrame:
    """G3's raw material: one row per (client setting, provider strategy, seed).

    ``client_settings`` and ``provider_strategies`` map labels to
    ``MarketConfig`` field changes applied to ``base``. The client's payoff is
    the run's cost reduction (consistent accounting); the provider
    population's payoff is the share of outsourced tasks won by rogue
    providers minus the share of them caught (a rogue entrant's business won,
    net of detections); in a market without rogues (``rogue_share`` 0) it is
    the outsourcing rate. Columns: ``client``, ``provider``, ``seed``,
    ``client_payoff``, ``provider_payoff``. The same seeds are used in every
    cell (common random numbers).
    """
    if not isinstance(base, MarketConfig):
        raise TypeError(f"base must be a MarketConfig; got {type(base).__name__}: {base!r:.80}")
    seeds = list(seeds)
    for name, value in (("client_settings", client_settings), ("provider_strategies", provider_strategies),
                        ("seeds", seeds)):
        if len(value) == 0:
            raise ValueError(f"{name} must not be empty; got {value!r}")
    rows = []
    for cl, cl_changes in client_settings.items():
        for pv, pv_changes in provider_strategies.items():
            cfg = base.replace(**cl_changes, **pv_changes)
            for run in simulate_many(cfg, seeds).runs.itertuples():   # the seeds as one batch
                seed = run.seed
                outsourced = max(run.outsourcing_rate * run.tasks, 1)
                provider = (run.rogue_task_share - run.detections / outsourced
                            if cfg.rogue_share > 0 else run.outsourcing_rate)
                rows.append({"client": cl, "provider": pv, "seed": seed,
                             "client_payoff": float(run.cost_reduction), "provider_payoff": float(provider)})
    return pd.DataFrame(rows, columns=["client", "provider", "seed", "client_payoff", "provider_payoff"])


_SAMPLE_COLUMNS = ("client", "provider", "seed", "client_payoff", "provider_payoff")


def _cells(samples: Any) -> tuple[list[str], list[str], list[np.ndarray], list[np.ndarray]]:
    """Labels in order of appearance and, per cell (row-major), the client and provider samples."""
    if not isinstance(samples, pd.DataFrame):
        raise TypeError(f"samples must be the DataFrame of metagame_samples; got {type(samples).__name__}")
    missing = [c for c in _SAMPLE_COLUMNS if c not in samples.columns]
    if missing:
        raise ValueError(f"samples lacks column(s) {missing}")
    if len(samples) == 0:
        raise ValueError("samples must not be empty")
    for col in ("client_payoff", "provider_payoff"):
        vals = samples[col].to_numpy(float)
        if not np.all(np.isfinite(vals)):
            raise ValueError(f"samples.{col} must be finite; got {vals[~np.isfinite(vals)][0]!r}")
    rows = list(dict.fromkeys(samples["client"]))
    cols = list(dict.fromkeys(samples["provider"]))
    groups = samples.groupby(["client", "provider"], sort=False)
    a, b = [], []
    for r in rows:
        for c in cols:
            try:
                cell = groups.get_group((r, c))
            except KeyError:
                raise ValueError(f"samples has no runs for cell (client {r!r}, provider {c!r})") from None
            a.append(cell["client_payoff"].to_numpy(float))
            b.append(cell["provider_payoff"].to_numpy(float))
    return rows, cols, a, b


def metagame_from_samples(samples: pd.DataFrame) -> tuple[Game, pd.DataFrame]:
    """The game of means and the tidy table (means, standard errors) of per-seed ``samples``.

    >>> s = pd.DataFrame({"client": ["a", "a", "a", "a"], "provider": ["x", "x", "y", "y"],
    ...                   "seed": [0, 1, 0, 1], "client_payoff": [1.0, 3.0, 0.0, 0.0],
    ...                   "provider_payoff": [0.0, 0.0, 1.0, 2.0]})
    >>> g, table = metagame_from_samples(s)
    >>> g.A.tolist(), g.B.tolist()
    ([[2.0, 0.0]], [[0.0, 1.5]])
    >>> round(float(table.client_se.iloc[0]), 4)
    1.0
    """
    rows, cols, _, _ = _cells(samples)
    agg = samples.groupby(["client", "provider"], sort=False).agg(
        client_mean=("client_payoff", "mean"), client_se=("client_payoff", "sem"),
        provider_mean=("provider_payoff", "mean"), provider_se=("provider_payoff", "sem")).reset_index()
    A = agg.pivot(index="client", columns="provider", values="client_mean").loc[rows, cols]
    B = agg.pivot(index="client", columns="provider", values="provider_mean").loc[rows, cols]
    return Game(A.to_numpy(float), B.to_numpy(float), rows, cols, note="G3 empirical meta-game"), agg


def empirical_metagame(client_settings: dict[str, dict], provider_strategies: dict[str, dict],
                       base: Any, seeds: Any) -> tuple[Game, pd.DataFrame]:
    """G3: client settings x provider strategies, payoffs from seeded simulations.

    ``client_settings`` and ``provider_strategies`` map labels to
    ``MarketConfig`` field changes. The client's payoff is the cost reduction
    (consistent accounting) of the run; the provider population's payoff is
    the share of outsourced tasks won by rogue providers minus the share of
    them caught (a rogue entrant's business won, net of detections); the
    honest column's provider payoff is the outsourcing rate. Returns the game
    of means and a tidy table with the standard errors. The per-seed payoffs
    are :func:`metagame_samples`; this is :func:`metagame_from_samples` of them.
    """
    return metagame_from_samples(metagame_samples(client_settings, provider_strategies, base, seeds))


def client_regret(A: Any, y: Any, setting: int) -> float:
    """Regret of client row ``setting`` against the provider mix ``y``.

    ``max_i (A y)_i - (A y)_setting``: what the client loses by playing the
    setting instead of its best response to ``y`` (>= 0; 0 iff the setting
    is a best response).

    ``A`` is a non-empty (m, n) payoff matrix, ``y`` a probability vector of
    length n (entries >= 0 and summing to 1, both within 1e-9, the rounding
    solvers leave) and ``setting`` a row index in ``0..m-1``.

    >>> client_regret([[1.0, 0.0], [0.0, 2.0]], [0.5, 0.5], 0)
    0.5
    >>> client_regret([[1.0, 0.0], [0.0, 2.0]], [0.5, 0.5], 2)
    Traceback (most recent call last):
    ...
    ValueError: setting must be a row of A, in 0..1; got 2
    """
    a = as_array("A", A, ndim=2)
    if a.size == 0:
        raise ValueError(f"A must have at least one row and one column; got shape {a.shape}")
    mix = as_array("y", y, shape=(a.shape[1],))
    if (mix < -1e-9).any():
        k = int(np.argmax(mix < -1e-9))
        raise ValueError(f"y must be a probability vector (entries >= 0); got {float(mix[k])!r} at index {k}")
    if abs(float(mix.sum()) - 1.0) > 1e-9:
        raise ValueError(f"y must be a probability vector summing to 1 (within 1e-09); got sum {float(mix.sum())!r}")
    s = check_int("setting", setting)
    if not 0 <= s < a.shape[0]:
        raise ValueError(f"setting must be a row of A, in 0..{a.shape[0] - 1}; got {setting!r}")
    return _regret(a, mix, s)


def _regret(a: np.ndarray, y: Any, s: int) -> float:
    """:func:`client_regret` without the checks (the bootstrap's inner loop, on its own matrices)."""
    u = a @ np.asarray(y, float)
    return float(u.max() - u[s])


def _check_boot_size(n_boot: int, m: int, n: int, largest: int) -> None:
    """Refuse a bootstrap whose work arrays would exceed :data:`MAX_BOOT_VALUES` numbers."""
    need = n_boot * (2 * m * n + largest)
    if need > MAX_BOOT_VALUES:
        raise ValueError(f"n_boot={n_boot} needs about {need:.3g} numbers of work arrays (n_boot x (2 x {m} x {n} "
                         f"cells + {largest} seeds in the largest cell)); at most {MAX_BOOT_VALUES:.0e} are "
                         f"allowed: use fewer replicates")


def bootstrap_games(samples: pd.DataFrame, n_boot: int = 200,
                    seed: Any = 0) -> tuple[list[str], list[str], np.ndarray, np.ndarray]:
    """Bootstrap payoff matrices: seeds resampled with replacement within each cell.

    Returns the row and column labels and the arrays ``A`` and ``B`` of shape
    ``(n_boot, m, n)``; each replicate's cell mean is the mean of as many
    draws (with replacement) as the cell has seeds. Deterministic for a
    ``seed`` (one ``numpy.random.Generator`` via ``make_rng``; cells are drawn
    in row-major order, all replicates of a cell at once). At most
    :data:`MAX_BOOT_VALUES` numbers of work arrays (a ValueError before
    allocating).
    """
    n_boot = check_int("n_boot", n_boot, minimum=1)
    rows, cols, a, b = _cells(samples)
    m, n = len(rows), len(cols)
    _check_boot_size(n_boot, m, n, max(len(c) for c in a))
    rng = make_rng(seed)
    A = np.empty((n_boot, m * n))
    B = np.empty((n_boot, m * n))
    for k, (ca, cb) in enumerate(zip(a, b)):   # one vectorised draw per cell (a few dozen cells)
        idx = rng.integers(0, len(ca), size=(n_boot, len(ca)))
        A[:, k] = ca[idx].mean(axis=1)
        B[:, k] = cb[idx].mean(axis=1)
    return rows, cols, A.reshape(n_boot, m, n), B.reshape(n_boot, m, n)


def bootstrap_equilibria(samples: pd.DataFrame, n_boot: int = 200, seed: Any = 0) -> dict[str, Any]:
    """Every verified equilibrium of each bootstrap replicate of G3 (:func:`bootstrap_games`).

    Returns ``rows``, ``cols``, ``A``, ``B`` (n_boot, m, n) and ``equilibria``
    (one :func:`~coalesce_games.solvers.equilibria.solve_many` table, column ``game`` the replicate). Solving
    is the costly part: :func:`bootstrap_regret` and :func:`equilibrium_stability`
    accept this as ``replicates`` so that one set of solutions serves both.
    """
    rows, cols, A, B = bootstrap_games(samples, n_boot, seed)
    return {"rows": rows, "cols": cols, "A": A, "B": B,
            "equilibria": solve_many([Game(a, b, rows, cols) for a, b in zip(A, B)])}


def _selected(game: Game, rule: str) -> pd.Series | None:
    eq = solve(game)
    return None if len(eq) == 0 else select(eq, rule)


def bootstrap_regret(samples: pd.DataFrame, setting: str, n_boot: int = 200, seed: Any = 0,
                     rule: str = "welfare", level: float = 0.95,
                     replicates: dict[str, Any] | None = None) -> pd.Series:
    """Regret of a client setting in G3, with a percentile bootstrap confidence interval.

    Definition: solve the game of means (:func:`coalesce_games.solvers.equilibria.solve`,
    all verified equilibria), pick one equilibrium by ``rule``
    (:func:`~coalesce_games.solvers.equilibria.select`: "welfare", "client" or
    "entropy"), and take its provider mix ``y*``. The regret of client row
    ``s`` is ``max_i (A y*)_i - (A y*)_s`` (:func:`client_regret`): the
    cost-reduction points the client forgoes by playing ``s`` rather than its
    best response to the provider population's equilibrium behaviour. For
    the CI each bootstrap replicate (:func:`bootstrap_games`: seeds resampled
    within each cell) is solved again, its own equilibrium selected by the
    same rule, and the regret recomputed; the interval is the
    ``(1 - level)/2`` and ``(1 + level)/2`` percentiles of these.

    Returns a Series: ``setting``, ``regret`` (point estimate), ``ci_low``,
    ``ci_high``, ``boot_mean``, ``n_boot``, ``level``, ``rule``,
    ``best_response`` (label; the setting itself when its regret is <= 1e-12), ``provider_mix`` ({label: prob}) and
    ``zero_share`` (share of replicates where the setting is a best response,
    regret <= 1e-12 after rounding noise). The replicate regrets are in ``attrs["draws"]``.
    ``replicates`` (from :func:`bootstrap_equilibria`) replaces ``n_boot`` and ``seed``.

    >>> s = pd.DataFrame({"client": ["a"] * 4 + ["b"] * 4, "provider": ["x", "x", "y", "y"] * 2,
    ...                   "seed": [0, 1] * 4,
    ...                   "client_payoff": [1.0, 1.0, 0.0, 0.0, 2.0, 2.0, 1.0, 1.0],
    ...                   "provider_payoff": [0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0]})
    >>> r = bootstrap_regret(s, "a", n_boot=20)
    >>> float(r.regret), float(r.ci_low), float(r.ci_high), r.best_response
    (1.0, 1.0, 1.0, 'b')
    """
    check_choice("rule", rule, ("welfare", "client", "entropy"))
    check_scalar("level", level, low=0, high=1, low_open=True, high_open=True)
    game, _ = metagame_from_samples(samples)
    check_choice("setting", setting, game.row_labels)
    s = game.row_labels.index(setting)
    n_boot = check_int("n_boot", n_boot, minimum=1)
    eq = _selected(game, rule)
    if eq is None:
        raise ValueError("the game of means has no verified equilibrium")
    y = np.asarray(eq["col_strategy"], float)
    point = _regret(game.A, y, s)
    reps = bootstrap_equilibria(samples, n_boot, seed) if replicates is None else replicates
    A, n_boot = reps["A"], len(reps["A"])
    draws = np.full(n_boot, np.nan)
    for k, eq_k in reps["equilibria"].groupby("game"):   # one equilibrium selection per replicate
        draws[k] = _regret(A[k], select(eq_k, rule)["col_strategy"], s)
    ok = draws[np.isfinite(draws)]
    lo, hi = (np.quantile(ok, [(1 - level) / 2, (1 + level) / 2]) if ok.size else (np.nan, np.nan))
    out = pd.Series({"setting": setting, "regret": point, "ci_low": float(lo), "ci_high": float(hi),
                     "boot_mean": float(ok.mean()) if ok.size else np.nan, "n_boot": n_boot,
                     "level": level, "rule": rule,
                     "best_response": setting if point <= 1e-12 else game.row_labels[int(np.argmax(game.A @ y))],
                     "provider_mix": dict(eq["col_mix"]),
                     "zero_share": float((ok <= 1e-12).mean()) if ok.size else np.nan})
    out.attrs["draws"] = draws
    return out


def equilibrium_stability(samples: pd.DataFrame, n_boot: int = 200, seed: Any = 0,
                          rule: str = "welfare", replicates: dict[str, Any] | None = None) -> pd.DataFrame:
    """How often each equilibrium support recurs when G3's payoffs are resampled.

    Every bootstrap replicate (:func:`bootstrap_games`, same ``seed`` gives
    the same replicates as :func:`bootstrap_regret`) is solved for all its
    verified equilibria. One row per support pair (client support, provider
    support) seen: ``share_any``, the share of replicates with an equilibrium
    on that support; ``share_selected``, the share where the equilibrium
    chosen by ``rule`` has that support; ``in_point``, whether the game of
    means has an equilibrium on it. Sorted by ``share_selected`` then
    ``share_any`` (descending). ``attrs`` hold ``n_boot`` and
    ``n_equilibria`` (the count per replicate). ``replicates`` (from
    :func:`bootstrap_equilibria`) replaces ``n_boot`` and ``seed``.

    >>> s = pd.DataFrame({"client": ["a"] * 4 + ["b"] * 4, "provider": ["x", "x", "y", "y"] * 2,
    ...                   "seed": [0, 1] * 4,
    ...                   "client_payoff": [1.0, 1.0, 0.0, 0.0, 2.0, 2.0, 1.0, 1.0],
    ...                   "provider_payoff": [0.0, 0.0, 1.0, 1.0, 0.0, 0.0, 1.0, 1.0]})
    >>> equilibrium_stability(s, n_boot=10)[["client_support", "provider_support", "share_any"]].to_dict("records")
    [{'client_support': ('b',), 'provider_support': ('y',), 'share_any': 1.0}]
    """
    check_choice("rule", rule, ("welfare", "client", "entropy"))
    game, _ = metagame_from_samples(samples)
    reps = bootstrap_equilibria(samples, n_boot, seed) if replicates is None else replicates
    n_boot = len(reps["A"])
    point = {(tuple(r), tuple(c))
             for r, c in zip(*solve(game).to_frame()[["row_support", "col_support"]].T.to_numpy())}
    any_count: dict[tuple, int] = {}
    sel_count: dict[tuple, int] = {}
    n_eq = np.bincount(reps["equilibria"]["game"].to_numpy(int), minlength=n_boot)
    for _, eq in reps["equilibria"].groupby("game"):
        for key in dict.fromkeys((tuple(r), tuple(c)) for r, c in zip(eq["row_support"], eq["col_support"])):
            any_count[key] = any_count.get(key, 0) + 1
        e = select(eq, rule)
        key = (tuple(e["row_support"]), tuple(e["col_support"]))
        sel_count[key] = sel_count.get(key, 0) + 1
    keys = list(dict.fromkeys(list(any_count) + sorted(point - set(any_count))))
    table = pd.DataFrame({"client_support": [k[0] for k in keys], "provider_support": [k[1] for k in keys],
                          "share_any": [any_count.get(k, 0) / n_boot for k in keys],
                          "share_selected": [sel_count.get(k, 0) / n_boot for k in keys],
                          "in_point": [k in point for k in keys]},
                         columns=["client_support", "provider_support", "share_any", "share_selected", "in_point"])
    table = table.sort_values(["share_selected", "share_any"], ascending=False, kind="stable").reset_index(drop=True)
    table.attrs.update({"n_boot": n_boot, "n_equilibria": n_eq, "rule": rule})
    return table
