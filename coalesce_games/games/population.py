"""The market as a role-symmetric population game: a heuristic payoff table from the simulator.

``N`` clients and ``N`` providers (``papers/model.md``, sections 5, 6.7 and 8,
F8). Each client plays one of four settings, each provider one of four
behaviours:

* clients: ``trust/explore-lo``, ``trust/explore-hi``, ``verify/explore-lo``,
  ``verify/explore-hi`` -- verify a share ``budget`` of outsourced tasks or
  none, explore with ``epsilons[0]`` or ``epsilons[1]``;
* providers: ``honest``, ``spoof``, ``leech``, ``fabricate`` (the simulator's
  skill spoofing, prompt leeching and result fabrication).

**What a count profile maps to** (the simulator has one verification share, one
exploration rate and one rogue mix per run, not per agent, so the mapping is a
mean field; everything below is what the code does):

* the market holds the ``N`` clients and ``N + 1`` providers: the ``N``
  strategic ones plus one honest provider outside the game (the simulator
  needs an honest provider, and a profile may have none);
* a client profile sets the run's ``verification_share`` to ``budget`` times
  the share of verifying clients and its ``epsilon`` to the clients' mean;
* a provider profile with ``r`` rogues sets ``rogue_share = r / (N + 1)``;
  a market with ``s`` spoofers, ``l`` leechers and ``f`` fabricators is
  approximated by the mixture, with weights ``(s, l, f) / r``, of the three
  runs in which all ``r`` rogues play one kind (so the kinds meet the honest
  providers and the clients, not each other);
* **a provider's payoff** is the outsourced tasks it is paid for per day (won,
  less those whose detection withheld payment): for a rogue kind, its run's
  rogue tasks less detections over ``r`` (only rogues are ever detected); for
  an honest provider the honest tasks over ``N + 1 - r``, mixed over kinds;
* **a client's payoff** is minus the cost per task (USD, the consistent
  accounting) of the run in which *every* client plays its setting against
  the same providers: the private value of verifying therefore includes the
  blacklisting that a verifying population achieves together (an upper bound
  on what one verifier gets alone).

Every run of the table uses the same seeds (common random numbers). After
``seeds`` seeds per run, the runs behind any profile where two strategies'
paired payoff difference is within ``z`` standard errors of 0 get as many
seeds again, up to ``max_seeds``. A table is cached in ``cache_dir`` under a
hash of the settings that made it.

>>> from coalesce_games.market.config import MarketConfig
>>> s = PopulationSettings(MarketConfig(days=1), agents=2, seeds=2, max_seeds=2)
>>> t = payoff_table(s)
>>> t.mean().shape             # 10 client profiles x 10 provider profiles x 8 strategies
(10, 10, 8)
"""

from __future__ import annotations

import hashlib
import json
import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from coalesce_games.market.config import MarketConfig
from coalesce_games.market.simulation import simulate_many
from coalesce_games.solvers.evolution import RoleGame, alpha_rank, count_profiles, profile_regret, role_replicator
from coalesce_games.validation import check_int, check_probability, check_scalar, make_rng

__all__ = ['CLIENT_STRATEGIES', 'HeuristicPayoffTable', 'PROVIDER_STRATEGIES', 'PopulationSettings',
           'market_alpha_rank', 'payoff_table', 'role_equilibria']

CLIENT_STRATEGIES = ("trust/explore-lo", "trust/explore-hi", "verify/explore-lo", "verify/explore-hi")
PROVIDER_STRATEGIES = ("honest", "spoof", "leech", "fabricate")
_VERIFIES = np.array([0, 0, 1, 1])
_EXPLORES_HI = np.array([0, 1, 0, 1])
_FORMAT = 1     # bump when the cached arrays change meaning


@dataclass(frozen=True)
class PopulationSettings:
    """What makes a table: the market's other parameters, ``agents`` per role, the verifying clients'
    ``budget``, the two exploration rates, and the seeds (first round, cap, ambiguity threshold ``z``)."""

    base: MarketConfig = field(default_factory=lambda: MarketConfig(days=2))
    agents: int = 10
    budget: float = 0.5
    epsilons: tuple[float, float] = (0.05, 0.2)
    seeds: int = 4
    max_seeds: int = 8
    z: float = 2.0

    def __post_init__(self) -> None:
        if not isinstance(self.base, MarketConfig):
            raise TypeError(f"base must be a MarketConfig; got {type(self.base).__name__}")
        check_int("agents", self.agents, minimum=2)
        check_probability("budget", self.budget)
        if len(self.epsilons) != 2:
            raise ValueError(f"epsilons must hold two exploration rates (lo, hi); got {self.epsilons!r}")
        check_probability("epsilons", list(self.epsilons))
        object.__setattr__(self, "epsilons", tuple(float(e) for e in self.epsilons))
        check_int("seeds", self.seeds, minimum=2)
        check_int("max_seeds", self.max_seeds, minimum=self.seeds)
        check_scalar("z", self.z, low=0)

    def to_dict(self) -> dict[str, Any]:
        base = {k: (list(v) if isinstance(v, tuple) else v) for k, v in self.base.to_dict().items() if k != "seed"}
        return {"format": _FORMAT, "base": base, "agents": self.agents, "budget": self.budget,
                "epsilons": list(self.epsilons), "seeds": self.seeds, "max_seeds": self.max_seeds, "z": self.z}

    def key(self) -> str:
        """A hash of every setting (16 hex digits): the cache file's name."""
        return hashlib.sha256(json.dumps(self.to_dict(), sort_keys=True).encode()).hexdigest()[:16]

    def config(self, verifying: int, exploring_hi: int, rogues: int, kind: int) -> MarketConfig:
        """The run of the cell: ``verifying`` and ``exploring_hi`` clients of N, ``rogues`` providers of
        one ``kind`` (0 spoof, 1 leech, 2 fabricate)."""
        n = self.agents
        lo, hi = self.epsilons
        mix = [0.0, 0.0, 0.0]
        mix[kind] = 1.0
        return self.base.replace(clients=n, contractors=n + 1, verification_share=self.budget * verifying / n,
                                 epsilon=(exploring_hi * hi + (n - exploring_hi) * lo) / n,
                                 rogue_share=rogues / (n + 1), rogue_mix=tuple(mix))


#: per-run numbers kept for each cell and seed: cost per task, honest and rogue paid tasks per agent per day
_METRICS = ("cost_per_task", "honest_paid", "rogue_paid")


@dataclass(frozen=True)
class HeuristicPayoffTable:
    """Per-seed run numbers of every cell (verifying, exploring-hi, rogues, kind), ``nan`` where a
    seed was not run, shape (N+1, N+1, N+1, 3, seeds) each; and the profiles and payoffs they give.

    The fields are checked (types, the three metrics, float arrays of that shape with one seed count);
    the arrays are kept, not copied (:func:`payoff_table` fills them in place round by round)."""

    settings: PopulationSettings
    metrics: dict[str, np.ndarray]

    def __post_init__(self) -> None:
        if not isinstance(self.settings, PopulationSettings):
            raise TypeError(f"settings must be a PopulationSettings; got {type(self.settings).__name__}")
        if not isinstance(self.metrics, dict) or set(self.metrics) != set(_METRICS):
            raise TypeError(f"metrics must be a dict of {list(_METRICS)}; got {self.metrics!r:.80}")
        k = self.settings.agents + 1
        seeds = {np.shape(v)[-1:] for v in self.metrics.values()}
        for name, values in self.metrics.items():
            if not (isinstance(values, np.ndarray) and values.dtype.kind == "f"):
                raise TypeError(f"metrics[{name!r}] must be a float numpy array; got {type(values).__name__} "
                                f"{getattr(values, 'dtype', '')}")
            if values.shape[:4] != (k, k, k, 3) or values.ndim != 5 or values.shape[4] < 1 or len(seeds) != 1:
                raise ValueError(f"metrics[{name!r}] must have shape ({k}, {k}, {k}, 3, seeds), the same seeds "
                                 f"for every metric; got {values.shape}")

    @property
    def client_profiles(self) -> np.ndarray:
        return count_profiles(self.settings.agents, 4)

    @property
    def provider_profiles(self) -> np.ndarray:
        return count_profiles(self.settings.agents, 4)

    def seeds_run(self) -> np.ndarray:
        """Seeds run per cell, shape (N+1, N+1, N+1)."""
        return np.isfinite(self.metrics["cost_per_task"][:, :, :, 0, :]).sum(axis=-1)

    def per_seed(self) -> np.ndarray:
        """Payoffs per seed, shape (seeds, client profiles, provider profiles, 8), ``nan`` where the
        strategy is absent or the seed was not run for the profile's cells."""
        n = self.settings.agents
        cp, pp = self.client_profiles, self.provider_profiles
        nv, nh = cp[:, 2] + cp[:, 3], cp[:, 1] + cp[:, 3]
        r = pp[:, 1:].sum(axis=1)
        w = np.where(r[:, None] > 0, pp[:, 1:] / np.maximum(r, 1)[:, None], [1.0, 0.0, 0.0])   # (n_p, 3)
        m = {k: np.moveaxis(v, -1, 0) for k, v in self.metrics.items()}                     # seed axis first

        def weighted(values: np.ndarray) -> np.ndarray:   # (..., n_p, 3) -> (..., n_p); kinds of weight 0 unread
            return np.where(w > 0, values * w, 0.0).sum(axis=-1)

        out = np.full((m["cost_per_task"].shape[0], len(cp), len(pp), 8), np.nan)
        for s in range(4):                                # a client's payoff: its own setting's run
            cell = m["cost_per_task"][:, n * _VERIFIES[s], n * _EXPLORES_HI[s], r, :]       # (S, n_p, 3)
            out[:, :, :, s] = -weighted(cell)[:, None, :]
        hon = m["honest_paid"][:, nv[:, None], nh[:, None], r[None, :], :]                  # (S, n_c, n_p, 3)
        out[..., 4] = weighted(hon)
        rog = m["rogue_paid"][:, nv[:, None], nh[:, None], r[None, :], :]
        out[..., 5:] = rog
        absent = np.concatenate([np.broadcast_to(cp[:, None, :] == 0, (len(cp), len(pp), 4)),
                                 np.broadcast_to(pp[None, :, :] == 0, (len(cp), len(pp), 4))], axis=-1)
        out[:, absent] = np.nan
        return out

    def mean(self, per_seed: np.ndarray | None = None) -> np.ndarray:
        """Mean payoff over the seeds run, shape (client profiles, provider profiles, 8)."""
        ps = self.per_seed() if per_seed is None else per_seed
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)      # absent strategies: all-nan slices stay nan
            return np.nanmean(ps, axis=0)

    def standard_error(self) -> np.ndarray:
        """Standard error of each mean payoff (seeds as independent replications)."""
        ps = self.per_seed()
        k = np.isfinite(ps).sum(axis=0)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            return np.nanstd(ps, axis=0, ddof=1) / np.sqrt(k)

    def role_game(self, payoffs: np.ndarray | None = None) -> RoleGame:
        """The role-symmetric game of the mean payoffs (or of ``payoffs``, e.g. a bootstrap resample)."""
        n = self.settings.agents
        return RoleGame((n, n), (4, 4), self.mean() if payoffs is None else payoffs)

    def to_frame(self) -> pd.DataFrame:
        """One row per (client profile, provider profile): the counts, each strategy's mean and SE."""
        cp, pp = self.client_profiles, self.provider_profiles
        mean, se = self.mean(), self.standard_error()
        i, j = np.meshgrid(np.arange(len(cp)), np.arange(len(pp)), indexing="ij")
        cols: dict[str, Any] = {f"n_{s}": cp[i.ravel(), k] for k, s in enumerate(CLIENT_STRATEGIES)}
        cols.update({f"n_{s}": pp[j.ravel(), k] for k, s in enumerate(PROVIDER_STRATEGIES)})
        for k, s in enumerate(CLIENT_STRATEGIES + PROVIDER_STRATEGIES):
            cols[f"payoff_{s}"] = mean[..., k].ravel()
            cols[f"se_{s}"] = se[..., k].ravel()
        return pd.DataFrame(cols)


def _cells(settings: PopulationSettings) -> np.ndarray:
    """Every (verifying, exploring-hi, rogues, kind) cell; without rogues only kind 0 is run."""
    n = settings.agents
    grid = np.array(np.meshgrid(np.arange(n + 1), np.arange(n + 1), np.arange(n + 1), np.arange(3),
                                indexing="ij")).reshape(4, -1).T
    return grid[(grid[:, 2] > 0) | (grid[:, 3] == 0)]


def _run_cells(settings: PopulationSettings, cells: np.ndarray, seeds: list[int],
               metrics: dict[str, np.ndarray], progress: Callable[[int], None] | None) -> None:
    """Simulate every cell with every seed in one :func:`simulate_many` call and store the numbers."""
    if len(cells) == 0:
        return
    n, days = settings.agents, settings.base.days
    configs = [settings.config(*map(int, c)) for c in cells]
    runs = simulate_many(configs, seeds, progress=progress).runs
    tasks = runs.tasks.to_numpy(float)
    outsourced = np.rint(runs.outsourcing_rate.to_numpy() * tasks)
    rogue_tasks = np.rint(runs.rogue_task_share.to_numpy() * outsourced)
    rogues = cells[runs.config.to_numpy(), 2]
    with np.errstate(invalid="ignore", divide="ignore"):
        values = {"cost_per_task": runs.cost_policy.to_numpy() / tasks,
                  "honest_paid": (outsourced - rogue_tasks) / (n + 1 - rogues) / days,
                  "rogue_paid": np.where(rogues > 0, (rogue_tasks - runs.detections.to_numpy()) / rogues, np.nan)
                  / days}
    at = cells[runs.config.to_numpy()]
    column = runs.seed.to_numpy()
    for key, v in values.items():
        metrics[key][at[:, 0], at[:, 1], at[:, 2], at[:, 3], column] = v
        none = at[:, 2] == 0                      # no rogues: every kind is the same run
        for kind in (1, 2):
            metrics[key][at[none, 0], at[none, 1], 0, kind, column[none]] = v[none]


def _ambiguous_cells(table: HeuristicPayoffTable) -> np.ndarray:
    """The (verifying, exploring-hi, rogues) cells behind profiles where two strategies of a role are
    within ``z`` standard errors of each other (paired over seeds) and below the seed cap."""
    s = table.settings
    ps = table.per_seed()
    count = np.isfinite(ps).sum(axis=0)
    flagged = np.zeros((len(table.client_profiles), len(table.provider_profiles), 8), dtype=bool)
    for lo in (0, 4):
        for a in range(lo, lo + 4):
            for b in range(a + 1, lo + 4):
                d = ps[..., a] - ps[..., b]
                k = np.isfinite(d).sum(axis=0)
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore", RuntimeWarning)
                    mean, sd = np.nanmean(d, axis=0), np.nanstd(d, axis=0, ddof=1)
                close = (k >= 2) & (np.abs(mean) <= s.z * sd / np.sqrt(np.maximum(k, 1))) & (k < s.max_seeds)
                flagged[..., a] |= close
                flagged[..., b] |= close
    flagged &= count > 0
    n, cp, pp = s.agents, table.client_profiles, table.provider_profiles
    r = pp[:, 1:].sum(axis=1)
    ci, pj = np.nonzero(flagged[..., 4:].any(axis=-1))                   # providers: the profile's mean field
    cells = {(int(cp[i, 2] + cp[i, 3]), int(cp[i, 1] + cp[i, 3]), int(r[j])) for i, j in zip(ci, pj)}
    ci, pj = np.nonzero(flagged[..., :4].any(axis=-1))                   # clients: their settings' own runs
    for j in np.unique(pj):
        for strat in range(4):
            cells.add((int(n * _VERIFIES[strat]), int(n * _EXPLORES_HI[strat]), int(r[j])))
    return np.array(sorted(cells), dtype=np.int64).reshape(-1, 3)


def payoff_table(settings: PopulationSettings, cache_dir: str | Path | None = None,
                 progress: Callable[[int], None] | None = None) -> HeuristicPayoffTable:
    """The heuristic payoff table of the market game (see the module's docstring for the mapping).

    Loaded from ``cache_dir`` when a table of the same settings is there,
    else simulated (all cells and seeds of a round in one batch) and saved.
    ``progress(k)`` is called as each batch of k runs completes.
    """
    if not isinstance(settings, PopulationSettings):
        raise TypeError(f"settings must be a PopulationSettings; got {type(settings).__name__}")
    path = None if cache_dir is None else Path(cache_dir) / f"population-{settings.key()}.npz"
    if path is not None and path.exists():
        with np.load(path, allow_pickle=False) as stored:
            if json.loads(str(stored["settings"])) == settings.to_dict():
                return HeuristicPayoffTable(settings, {k: stored[k] for k in _METRICS})
    n = settings.agents
    metrics = {k: np.full((n + 1, n + 1, n + 1, 3, settings.max_seeds), np.nan) for k in _METRICS}
    cells = _cells(settings)
    _run_cells(settings, cells, list(range(settings.seeds)), metrics, progress)
    done = settings.seeds
    table = HeuristicPayoffTable(settings, metrics)
    while done < settings.max_seeds:
        more = _ambiguous_cells(table)
        if len(more) == 0:
            break
        new = list(range(done, min(2 * done, settings.max_seeds)))
        wanted = np.array([c + (k,) for c in map(tuple, more) for k in range(3) if c[2] > 0 or k == 0])
        _run_cells(settings, wanted, new, metrics, progress)
        done = new[-1] + 1
    if path is not None:
        path.parent.mkdir(parents=True, exist_ok=True)
        np.savez_compressed(path, settings=json.dumps(settings.to_dict()), **metrics)
    return table


def _bootstrap_means(table: HeuristicPayoffTable, n_boot: int, seed: int) -> list[np.ndarray]:
    """Mean payoff tables of ``n_boot`` resamples of the seeds (with replacement, seed by seed, so the
    common random numbers stay paired); a seed not run for a profile stays out of its mean."""
    ps = table.per_seed()
    rng = make_rng([seed, 0xB0075])
    run = np.flatnonzero(np.isfinite(ps).any(axis=(1, 2, 3)))
    return [table.mean(ps[rng.choice(run, size=len(run))]) for _ in range(n_boot)]


def _in_range_units(payoffs: np.ndarray, like: np.ndarray | None = None) -> np.ndarray:
    """Each role's payoffs divided by the range of that role's payoffs in ``like`` (default: their own),
    which makes clients' USD and providers' tasks comparable."""
    pay = np.array(payoffs, dtype=float)
    ref = pay if like is None else like
    for lo in (0, 4):
        spread = np.nanmax(ref[..., lo:lo + 4]) - np.nanmin(ref[..., lo:lo + 4])
        pay[..., lo:lo + 4] /= spread if spread > 0 else 1.0
    return pay


def role_equilibria(table: HeuristicPayoffTable, starts: int = 64, seed: int = 0, tol: float = 0.01,
                    n_boot: int = 200, level: float = 0.95, horizon: float = 200.0,
                    steps: int = 1000) -> pd.DataFrame:
    """Role-symmetric Nash equilibria of the mean table, by replicator dynamics from many starts.

    Starts: the uniform mix and ``starts - 1`` Dirichlet(1) draws per role.
    Candidates: each path's end point and its mean over the second half of the
    horizon (an orbit that cycles around an equilibrium averages to it). Every
    candidate whose regret (:func:`profile_regret`, in units of each role's
    payoff range) is below ``tol`` is kept, duplicates (within 0.01)
    merged; each row gives the mixes, the regret, how many candidates reached it,
    and the ``level`` percentile interval of its regret over ``n_boot``
    bootstrap resamples of the seeds.
    """
    check_int("starts", starts, minimum=1)
    check_scalar("tol", tol, low=0, low_open=True)
    check_int("n_boot", n_boot, minimum=1)
    check_scalar("level", level, low=0, high=1, low_open=True, high_open=True)
    mean = table.mean()
    game = table.role_game(_in_range_units(mean))
    rng = make_rng([seed, 0x5EED])
    x0 = np.vstack([np.full((1, 4), 0.25), rng.dirichlet(np.ones(4), starts - 1)])
    y0 = np.vstack([np.full((1, 4), 0.25), rng.dirichlet(np.ones(4), starts - 1)])
    path = role_replicator(game, [x0, y0], horizon=horizon, steps=steps, trajectory=True)
    late = path[steps // 2:].mean(axis=0)             # where an orbit cycles, its time average is the candidate
    x, y = np.vstack([path[-1, :, :4], late[:, :4]]), np.vstack([path[-1, :, 4:], late[:, 4:]])
    regret = profile_regret(game, [x, y])
    found: list[list[Any]] = []
    for xi, yi, ri in zip(x, y, regret):
        if ri > tol:
            continue
        for row in found:
            if np.abs(row[0] - xi).max() < 0.01 and np.abs(row[1] - yi).max() < 0.01:
                row[3] += 1
                break
        else:
            found.append([xi, yi, ri, 1])
    boots = [table.role_game(_in_range_units(m, mean)) for m in _bootstrap_means(table, n_boot, seed)]
    rows = []
    for xi, yi, ri, hits in found:
        b = np.array([profile_regret(g, [xi, yi])[0] for g in boots])
        rows.append({**{f"client:{s}": v for s, v in zip(CLIENT_STRATEGIES, xi)},
                     **{f"provider:{s}": v for s, v in zip(PROVIDER_STRATEGIES, yi)},
                     "regret": ri, "candidates": hits, "regret_ci_low": np.quantile(b, (1 - level) / 2),
                     "regret_ci_high": np.quantile(b, (1 + level) / 2)})
    return pd.DataFrame(rows)


def market_alpha_rank(table: HeuristicPayoffTable, alpha: float, payoffs: np.ndarray | None = None) -> pd.DataFrame:
    """alpha-Rank of the market game: stationary mass on each pure profile (client setting,
    provider behaviour), every role's population its ``N`` agents (:func:`alpha_rank`).

    Each role's payoffs are divided by their range first (USD per task for
    clients, paid tasks per day for providers), so ``alpha`` is one selection
    intensity in units of a role's payoff range. ``insecure`` marks a rogue
    provider behaviour met by a client setting that verifies nothing (a
    trusting one, or any at a budget of 0).
    """
    check_scalar("alpha", alpha, low=0)
    pi = alpha_rank(table.role_game(_in_range_units(table.mean() if payoffs is None else payoffs)), alpha)
    c, p = np.divmod(np.arange(16), 4)
    return pd.DataFrame({"client": np.array(CLIENT_STRATEGIES)[c], "provider": np.array(PROVIDER_STRATEGIES)[p],
                         "mass": pi,
                         "insecure": ((_VERIFIES[c] == 0) | (table.settings.budget == 0)) & (p > 0)})
