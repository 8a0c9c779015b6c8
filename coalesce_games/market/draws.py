"""Each run's random numbers, drawn when the run starts, from its own generators.

A run draws its providers, its arrivals (one Poisson draw per client and hour,
or the published market-wide load) and eight uniforms per task (exploration,
which provider, verification, outcomes), and, with the published weight
noise, four normals per task, so its hours call no generator. A
batch of runs is drawn run by run and made into all runs' providers and tasks
in one call each; a run's numbers are the same alone or in any batch.
"""

from __future__ import annotations

import dataclasses
import functools
from dataclasses import dataclass

import numpy as np

from coalesce_games import data
from coalesce_games.market.config import MarketConfig
from coalesce_games.model.providers import Providers
from coalesce_games.model.tasks import TASK_UNIFORMS, task_fields
from coalesce_games.model.threats import make_rogues
from coalesce_games.validation import make_rng

__all__ = ['PER_RUN_FIELDS', 'UNIFORMS_PER_TASK']


def _arrival_multiplier(hours: np.ndarray, business: float) -> np.ndarray:
    hour_of_day = hours % 24
    weekday = (hours // 24) % 7 < 5   # the clock starts on a Monday at 00:00
    busy = weekday & (hour_of_day >= 9) & (hour_of_day < 17)
    return np.where(busy, business, 1.0)


def _build_providers(cfg: MarketConfig, rng: np.random.Generator) -> Providers:
    n_rogue = int(round(cfg.rogue_share * cfg.contractors))
    honest = Providers.sample_table1(cfg.contractors - n_rogue, rng, reliability=cfg.reliability_draw,
                                     shape=cfg.jitter_shape)
    if cfg.mislabelled_share > 0:
        # the best providers describe their skills in another vocabulary: no tag overlap
        k = int(round(cfg.mislabelled_share * len(honest)))
        order = np.argsort(-honest.reliability)[:k]
        declared = honest.declared.copy()
        declared[order] = False
        honest = dataclasses.replace(honest, declared=declared)
    if n_rogue == 0:
        return honest
    rogues = make_rogues(n_rogue, cfg.rogue_mix, honest, rng, cfg.rogue_price_factor,
                         competence=cfg.spoofer_competence)
    return honest.concat(rogues)


#: the fields in which configurations of one batch may differ (besides the seed)
PER_RUN_FIELDS = ("days", "clients", "contractors", "arrival_rate")

#: random numbers drawn per task when the task is drawn: exploration coin, which provider,
#: verified or not, and the five outcome draws of :func:`threats.sample_outcomes`
UNIFORMS_PER_TASK = 8


def _batch_key(cfg: MarketConfig) -> tuple:
    """Configurations with equal keys can share a batch: they differ only in size, load and seed."""
    return tuple((k, v) for k, v in cfg.to_dict().items() if k not in PER_RUN_FIELDS + ("seed",))


@dataclass(frozen=True)
class _BatchDraws:
    """Everything random about a batch's runs that does not depend on decisions, drawn up front."""

    providers: Providers          # all runs' providers, run after run
    provider_start: np.ndarray    # (runs + 1,) where each run's providers start
    arrivals: list[np.ndarray]    # per run, (hours, clients): tasks arriving per client per hour
    tasks: dict[str, np.ndarray]  # all runs' tasks, run after run, hour by hour, client by client
    uniforms: np.ndarray          # (tasks, UNIFORMS_PER_TASK)
    late_complexity: np.ndarray   # (tasks,) what a provider's latency is multiplied by in Eq. 6's lateness
    weight_noise: np.ndarray      # (tasks, 4) the published weights' step after each task, or (0, 4)


def _draw_batch(cfgs: list[MarketConfig], seeds: list[int]) -> _BatchDraws:
    """Each run's market stream (providers, arrivals, tasks) and decision stream (per-task uniforms).

    The two streams are separate generators of the run's own, so the market
    is the same for every policy under one seed (common random numbers). Each
    generator gives its run's blocks of uniforms in a few calls; the blocks of
    all runs are then made into providers (:meth:`Providers.from_table1_uniforms`)
    and tasks (:func:`task_fields`) in one call each, which draws what one
    ``sample_table1`` and one ``draw_task_arrays`` per run would draw.
    """
    cfg = cfgs[0]      # the batch shares everything but days, clients, contractors and arrival rate
    markets = [make_rng([seed, 0xC0A1, 0]) for seed in seeds]
    if cfg.rogue_share == 0 and cfg.mislabelled_share == 0:     # Table-1 providers only: one call for all runs
        sizes = np.array([c.contractors for c in cfgs])
        start = np.concatenate([[0], np.cumsum(sizes)])
        blocks = [rng.random((4, c.contractors)) for rng, c in zip(markets, cfgs)]
        providers = Providers.from_table1_uniforms(np.concatenate(blocks, axis=1),
                                                   np.arange(start[-1]) - np.repeat(start[:-1], sizes),
                                                   reliability=cfg.reliability_draw, shape=cfg.jitter_shape)
    else:
        plist = [_build_providers(c, rng) for c, rng in zip(cfgs, markets)]
        start = np.concatenate([[0], np.cumsum([len(p) for p in plist])])
        providers = plist[0] if len(plist) == 1 else Providers(
            **{f: np.concatenate([getattr(p, f) for p in plist]) for f in Providers.__dataclass_fields__})
    multiplier = _arrival_multiplier(np.arange(max(c.days for c in cfgs) * 24), cfg.business_multiplier)
    arrivals = [_arrivals(c, rng, multiplier) for c, rng in zip(cfgs, markets)]
    counts = [int(a.sum()) for a in arrivals]
    tasks = task_fields(np.concatenate([rng.random((TASK_UNIFORMS, m)) for rng, m in zip(markets, counts)], axis=1))
    if cfg.task_levels == "medium":      # the published tasks: drawn as ours (same stream), levels overwritten
        tasks["sensitivity"] = np.full(len(tasks["value"]), data.parameters_view()["tasks"]["medium_sensitivity"])
        tasks["high_criticality"] = np.zeros(len(tasks["value"]), dtype=bool)
    first = np.concatenate([[0], np.cumsum(counts)])
    uniforms = np.empty((first[-1], UNIFORMS_PER_TASK))
    for r, seed in enumerate(seeds):
        make_rng([seed, 0xC0A1, 1]).random(out=uniforms[first[r]:first[r + 1]])
    late = tasks["complexity"] if cfg.late_latency == "scaled" else np.ones(len(tasks["complexity"]))
    return _BatchDraws(providers, start.astype(np.int64), arrivals, tasks, uniforms, late,
                       _weight_noise(cfg, seeds, counts))


def _weight_noise(cfg: MarketConfig, seeds: list[int], counts: list[int]) -> np.ndarray:
    """The published rule's weight steps, ``rate x N(0, sd)`` per weight and task, (tasks, 4), each run's from
    a fourth stream of its own (so the other draws do not move); (0, 4) without ``weight_noise``."""
    if cfg.weight_noise == "none":
        return np.zeros((0, 4))
    d = data.parameters_view()["decision"]
    return np.concatenate([d["weight_learning_rate"] * make_rng([seed, 0xC0A1, 3]).normal(0.0, d["weight_noise_sd"],
                                                                                          (m, 4))
                           for seed, m in zip(seeds, counts)]).reshape(-1, 4)


def _arrivals(cfg: MarketConfig, rng: np.random.Generator, multiplier: np.ndarray) -> np.ndarray:
    """Tasks per client per hour, (hours, clients): Poisson per client, or the published load."""
    if cfg.load == "published":
        return _published_arrivals(cfg, rng)
    rates = cfg.arrival_rate * multiplier[:cfg.days * 24]       # tasks per client per hour
    return rng.poisson(np.broadcast_to(rates[:, None], (len(rates), cfg.clients)))


def _published_arrivals(cfg: MarketConfig, rng: np.random.Generator) -> np.ndarray:
    """Tasks per client per hour, (hours, clients), as the published simulation makes them.

    Each hour the market's demand is ``clip(0.5 m + N(0, 0.1), 0.1, 2)`` with
    ``m`` the business-hours multiplier from 9:00 to 17:59 on weekdays (the
    published test ``9 <= hour <= 17``), ``Poisson(arrival_rate x demand)``
    tasks arrive for the whole market (the published rate is 4.2, whatever the
    number of clients), and they are dealt to the clients in turn
    (mbhatt1/COALESCE ``simulation_engine.py``: ``_update_market_conditions``,
    ``_generate_tasks``, ``_distribute_tasks``). Our clock starts on a Monday at
    00:00; the published one at the wall-clock time of the run.
    """
    p = data.parameters_view()["published_load"]
    noisy = _published_demand(cfg.days * 24, cfg.business_multiplier) + rng.normal(0.0, p["demand_noise_sd"],
                                                                                   cfg.days * 24)
    total = rng.poisson(cfg.arrival_rate * np.minimum(np.maximum(noisy, p["demand_min"]), p["demand_max"]))
    return total[:, None] // cfg.clients + (np.arange(cfg.clients) < (total % cfg.clients)[:, None])


@functools.lru_cache(maxsize=64)
def _published_demand(hours: int, business_multiplier: float) -> np.ndarray:
    """The published market demand before its noise, hour by hour (read-only)."""
    p = data.parameters_view()["published_load"]
    clock = np.arange(hours)
    hour_of_day = clock % 24
    busy = ((clock // 24) % 7 < 5) & (hour_of_day >= p["business_start"]) & (hour_of_day <= p["business_end"])
    demand = p["base_demand"] * np.where(busy, business_multiplier, 1.0)
    demand.flags.writeable = False
    return demand


def _per_run(every: np.ndarray, sizes: np.ndarray, n: int) -> np.ndarray:
    """(T, providers of all runs) scores as (R, T, n), padding 0."""
    scores = np.zeros((len(sizes), every.shape[0], n))
    present = np.arange(n)[None, :] < np.asarray(sizes)[:, None]
    scores.transpose(0, 2, 1)[present] = every.T
    return scores
