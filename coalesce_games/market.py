"""The simulated outsourcing market (MODEL.md sections 2-5).

One run is a stream of tasks arriving at clients on a simulated hourly clock
(never the wall clock). Each step:

1. tasks arrive (Poisson per client; business hours 9-17 Mon-Fri x3.2; or
   the published market-wide load, ``load="published"``);
2. each task meets the skill gate (Eq. 11) and the Eq. 6-9 cost of every
   provider that passes it, at each provider's current Eq. 7 price;
3. the policy's rule decides it; local tasks queue on their client (one job
   at a time: a backlog delays them, lateness costs 0.25 USD/min);
4. outsourced tasks succeed, fail, leak or are fabricated (``threats``); a
   share ``verification_share`` is verified; detections withhold payment and
   blacklist the provider (spoofers re-enter under a new identity a day later);
5. the client's estimates move towards what it observed with weight ``beta``,
   and provider utilisation drives the next step's prices.

A run draws its random numbers when it starts: providers, arrivals (one
Poisson draw per client and hour), tasks, and eight uniforms per task
(exploration, which provider, verification, outcomes), so its hours call no
generator. :func:`simulate_many` prepares many runs at once (each run's
generators give blocks of uniforms that become all runs' providers and tasks
in one call each; the static part of Eq. 11): seeds, and configurations that
differ only in days, clients, contractors or arrival rate (the published
table's 13 configurations form one batch); the hours themselves run in
compiled code, task by task, costing each task as they meet it
(:mod:`coalesce_games._engine`).

Every task is accounted for exactly once, and the same task stream is also
costed as if every task had run locally (common random numbers), which gives
the ``consistent`` cost reduction ``1 - cost under the policy / cost all local``.
The ``paper`` metric reproduces the published definition: savings on the
outsourced tasks (losses clipped to zero) over the cost of the tasks kept
local, in paper accounting (PAPER_FACTS 7).

>>> r = simulate(MarketConfig(days=1, clients=3, contractors=6, seed=1))
>>> int(r.runs.tasks.item()) == int(r.steps.arrived.sum())
True
"""

from __future__ import annotations

import dataclasses
import functools
import tomllib
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numpy as np
import pandas as pd

from . import _engine, data
from ._engine import TOTALS
from ._validate import check_choice, check_int, check_nonnegative, check_probability, check_weights, make_rng
from .costs import dynamic_price, eq69_constants, internal_constants, queued_value_rate
from .criteria import BENEFIT, TASK_UNIFORMS, Providers, required_by_type, task_fields
from .policies import CoalescePolicy, PaperPolicy, eq15_table, weight_factor_constants
from .skills import SkillMatcher, published_type_scores
from .threats import HONEST, ThreatModel, make_rogues

__all__ = ["MarketConfig", "Result", "simulate", "simulate_many", "load_scenario"]


@dataclass(frozen=True)
class MarketConfig:
    """Every parameter of a market run; all fields are validated and take effect."""

    days: int = 7
    clients: int = 15
    contractors: int = 30
    arrival_rate: float = 0.2          # load "per_client": tasks per client per hour outside business hours
                                       # (ours); load "published": tasks per hour in all at market demand 1 (4.2)
    business_multiplier: float = 3.2
    load: str = "per_client"           # "published": the published simulation's arrivals (_published_arrivals)
    policy: str = "coalesce"
    paper_history: str = "decision"    # what the paper rule's Eq. 15 history records (PaperPolicy.record)
    paper_history_scope: str = "scored"   # which tasks add to it (PaperPolicy.scope; "scored": the published code)
    epsilon: float = 0.1
    tau: float = 0.7
    beta: float = 0.7
    exploration_confidence: float = 0.7
    security_weight: float = 1.0
    accounting: str = "consistent"
    skill_mode: str = "declared"       # "probe": noisy true skills; "published": the published Eq. 11 lookup
    probe_noise: float = 0.1
    mislabelled_share: float = 0.0     # share of honest providers whose tags use another vocabulary (F2)
    capacity_per_hour: float = 2.0     # tasks a provider serves per hour at utilisation 1 (ours)
    alpha_demand: float = 0.5          # Eq. 7
    rogue_share: float = 0.0
    rogue_mix: tuple[float, float, float] = (1 / 3, 1 / 3, 1 / 3)
    rogue_entry_day: int = 0
    rogue_price_factor: float = 0.5
    spoofer_competence: float = 0.2
    q_leak: float = 0.5
    leak_loss: float = 200.0
    d_leak: float = 0.5
    d_fab: float = 0.9
    verification_share: float = 0.0
    latency_penalty_per_min: float = 0.25  # paper's latency penalty; 0 ignores lateness
    reentry_hours: int = 24
    seed: int = 0

    def __post_init__(self) -> None:
        for key in ("days", "clients", "contractors"):
            check_int(key, getattr(self, key), minimum=1)
        for key in ("rogue_entry_day", "reentry_hours", "seed"):
            check_int(key, getattr(self, key), minimum=0)
        for key in ("arrival_rate", "business_multiplier", "security_weight", "capacity_per_hour",
                    "alpha_demand", "rogue_price_factor", "leak_loss", "latency_penalty_per_min"):
            check_nonnegative(key, getattr(self, key))
        for key in ("epsilon", "tau", "beta", "exploration_confidence", "probe_noise",
                    "mislabelled_share", "rogue_share", "spoofer_competence", "q_leak", "d_leak",
                    "d_fab", "verification_share"):
            check_probability(key, getattr(self, key))
        if self.capacity_per_hour <= 0:
            raise ValueError(f"capacity_per_hour must be > 0; got {self.capacity_per_hour!r}")
        check_choice("policy", self.policy, ("coalesce", "paper"))
        check_choice("paper_history", self.paper_history, ("closeness", "decision"))
        check_choice("paper_history_scope", self.paper_history_scope, ("scored", "every_task"))
        check_choice("accounting", self.accounting, ("consistent", "paper"))
        check_choice("load", self.load, ("per_client", "published"))
        check_choice("skill_mode", self.skill_mode, ("declared", "probe", "published"))
        check_weights("rogue_mix", list(self.rogue_mix), size=3)
        if self.rogue_share > 0 and round(self.rogue_share * self.contractors) == 0:
            raise ValueError(f"rogue_share {self.rogue_share!r} of {self.contractors} contractors is no provider")
        if self.alpha_demand > self.contractors:
            # Eq. 7 at no demand: P_base (1 - alpha S / (S n)) = P_base (1 - alpha / n)
            raise ValueError(f"alpha_demand {self.alpha_demand!r} above contractors {self.contractors} turns an idle "
                             f"provider's Eq. 7 price negative")
        if self.rogue_share == 1.0:
            raise ValueError("rogue_share must leave at least one honest provider; got 1.0")

    def replace(self, **changes: Any) -> "MarketConfig":
        """A copy with some fields changed (validated again); unknown fields are an error."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ValueError(f"unknown MarketConfig field(s) {sorted(unknown)}")
        if "rogue_mix" in changes:
            changes["rogue_mix"] = tuple(changes["rogue_mix"])
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}   # all values immutable

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "MarketConfig":
        return cls().replace(**values)

    @classmethod
    def from_toml(cls, text: str) -> "MarketConfig":
        """From TOML text with the fields at top level."""
        return cls.from_dict(tomllib.loads(text))


def load_scenario(name: str) -> MarketConfig:
    """A named scenario of ``data/scenarios.toml``; its ``base`` (another scenario) gives the fields it omits.

    >>> cfg = load_scenario("paper_agt_01")          # the published mechanics, 7 days, 5 clients, 10 contractors
    >>> (cfg.load, cfg.skill_mode, cfg.days, cfg.clients, cfg.contractors)
    ('published', 'published', 7, 5, 10)
    """
    scenarios = data.load_scenarios()
    fields: dict[str, Any] = {}
    seen = []
    while name is not None:
        if name not in scenarios:
            raise ValueError(f"unknown scenario {name!r}; known: {sorted(scenarios)}")
        if name in seen:
            raise ValueError(f"scenario bases form a cycle: {' -> '.join(seen + [name])}")
        seen.append(name)
        own = dict(scenarios[name])
        name = own.pop("base", None)
        fields = {**own, **fields}
    return MarketConfig.from_dict(fields)


@dataclass(frozen=True)
class Result:
    """``runs``: one row per run; ``steps``: one row per run per hour."""

    runs: pd.DataFrame
    steps: pd.DataFrame
    events: pd.DataFrame | None = field(default=None, repr=False)


def _arrival_multiplier(hours: np.ndarray, business: float) -> np.ndarray:
    hour_of_day = hours % 24
    weekday = (hours // 24) % 7 < 5   # the clock starts on a Monday at 00:00
    busy = weekday & (hour_of_day >= 9) & (hour_of_day < 17)
    return np.where(busy, business, 1.0)


def _build_providers(cfg: MarketConfig, rng: np.random.Generator) -> Providers:
    n_rogue = int(round(cfg.rogue_share * cfg.contractors))
    honest = Providers.sample_table1(cfg.contractors - n_rogue, rng)
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
                                                   np.arange(start[-1]) - np.repeat(start[:-1], sizes))
    else:
        plist = [_build_providers(c, rng) for c, rng in zip(cfgs, markets)]
        start = np.concatenate([[0], np.cumsum([len(p) for p in plist])])
        providers = plist[0] if len(plist) == 1 else Providers(
            **{f: np.concatenate([getattr(p, f) for p in plist]) for f in Providers.__dataclass_fields__})
    multiplier = _arrival_multiplier(np.arange(max(c.days for c in cfgs) * 24), cfg.business_multiplier)
    arrivals = [_arrivals(c, rng, multiplier) for c, rng in zip(cfgs, markets)]
    counts = [int(a.sum()) for a in arrivals]
    tasks = task_fields(np.concatenate([rng.random((TASK_UNIFORMS, m)) for rng, m in zip(markets, counts)], axis=1))
    first = np.concatenate([[0], np.cumsum(counts)])
    uniforms = np.empty((first[-1], UNIFORMS_PER_TASK))
    for r, seed in enumerate(seeds):
        make_rng([seed, 0xC0A1, 1]).random(out=uniforms[first[r]:first[r + 1]])
    return _BatchDraws(providers, start.astype(np.int64), arrivals, tasks, uniforms)


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


def _skill_arrays(cfg: MarketConfig, seeds: list[int], draws: _BatchDraws, n: int) -> _engine.SkillArrays:
    """The static part of Eq. 11 of every run, and which of its rows each run's hour reads.

    Tasks require their type's skills, so without the history term a
    provider's score depends only on (task type, provider): declared tags and
    the published lookup give one row per run, all runs scored in one call.
    A capability probe is drawn afresh every hour in which the run has tasks,
    from a third stream of the run's own, and scored in one call per run.
    Padding scores 0.
    """
    matcher = SkillMatcher(tau=cfg.tau, mode="probe" if cfg.skill_mode == "probe" else "declared",
                           probe_noise=cfg.probe_noise)
    everyone, start = draws.providers, draws.provider_start
    sizes, runs = np.diff(start), len(draws.arrivals)
    row = np.zeros((runs, max(len(a) for a in draws.arrivals)), dtype=np.int64)
    w_history = matcher.history_weight
    if cfg.skill_mode == "declared":
        static = _per_run(matcher.static_score(required_by_type(), everyone.declared), sizes, n)
        row += np.arange(runs)[:, None]
    elif cfg.skill_mode == "published":   # the published code's whole Eq. 11: its history stand-in is fixed
        w_history = 0.0
        static = _per_run(published_type_scores(everyone.type_id, everyone.declared), sizes, n)
        row += np.arange(runs)[:, None]
    else:   # a fresh noisy probe in every hour with tasks, from a third stream of the run's own
        blocks, first = [np.zeros((0, len(required_by_type()), n))], 0
        for r, (arrivals, seed) in enumerate(zip(draws.arrivals, seeds)):
            rng, active = make_rng([seed, 0xC0A1, 2]), np.flatnonzero(arrivals.sum(axis=1))
            own = everyone.subset(slice(start[r], start[r + 1]))
            probes = [matcher.offered(own, rng) for _ in active]
            if probes:
                blocks.append(_per_run(matcher.static_score(required_by_type(), np.concatenate(probes)),
                                       np.full(len(probes), len(own)), n))
            row[r, active] = first + np.arange(len(active))
            first += len(active)
        static = np.concatenate(blocks)
    return _engine.SkillArrays(np.ascontiguousarray(static), row, float(w_history), float(matcher.prior),
                               float(cfg.tau))


def _provider_arrays(draws: _BatchDraws) -> _engine.ProviderArrays:
    """The providers of all runs end to end, with whether each truly holds each task type's skills."""
    p = draws.providers
    lacks = (required_by_type()[None, :, :] & ~p.true_skills[:, None, :]).any(axis=2)
    return _engine.ProviderArrays(
        start=draws.provider_start, base_price=p.base_price.astype(float), latency=p.latency.astype(float),
        reliability=p.reliability.astype(float), security=p.security.astype(float),
        competence=p.competence.astype(float), behaviour=p.behaviour.astype(np.int64),
        rogue=p.behaviour != HONEST, has_skills=~lacks)


def _task_arrays(draws: _BatchDraws) -> tuple[_engine.TaskArrays, np.ndarray, np.ndarray]:
    """The tasks of all runs, run after run, where each sits (run, hour, client), and Eq. 4's
    opportunity rate in the paper accounting; the hours cost each task as they meet it.

    Also returns each task's run and hour (for the event log).
    """
    runs, hours = len(draws.arrivals), max(len(a) for a in draws.arrivals)
    # each task's run, hour, client (numbered across runs) and queue: its (run, hour, client) cell
    counts = np.concatenate([a.ravel() for a in draws.arrivals]).astype(np.int64, copy=False)
    first_cell = np.concatenate([[0], np.cumsum([a.size for a in draws.arrivals])])
    clients = np.concatenate([[0], np.cumsum([a.shape[1] for a in draws.arrivals])])
    hour_start = np.empty((runs, hours + 1), dtype=np.int64)
    task_client, task_hour, task_run, queue = (np.empty(len(draws.uniforms), dtype=np.int64) for _ in range(4))
    _engine.place_tasks(counts, first_cell, clients, hour_start, task_client, task_hour, task_run, queue)
    t = draws.tasks     # valid by construction: drawn within their ranges (criteria.task_fields)
    # the published accounting prices the best task still queued behind each one in its client's hour (Eq. 4);
    # ours prices waiting as lateness instead
    arrays = _engine.TaskArrays(
        hour_start=hour_start, client=task_client, task_type=t["task_type"], value=t["value"],
        complexity=t["complexity"], data_gb=t["data_gb"], max_latency=t["max_latency"].astype(float),
        sensitivity=t["sensitivity"], high_criticality=t["high_criticality"], budget=t["budget"],
        opportunity_rate=queued_value_rate(t["value"], queue), uniforms=draws.uniforms)
    return arrays, task_run, task_hour


def _market_constants(cfgs: list[MarketConfig]) -> _engine.MarketConstants:
    cfg, threats = cfgs[0], ThreatModel()
    return _engine.MarketConstants(
        days_hours=np.array([c.days * 24 for c in cfgs], dtype=np.int64), alpha_demand=float(cfg.alpha_demand),
        capacity_per_hour=float(cfg.capacity_per_hour), latency_penalty_per_min=float(cfg.latency_penalty_per_min),
        rogue_entry_hour=int(cfg.rogue_entry_day * 24), reentry_hours=int(cfg.reentry_hours),
        verification_share=float(cfg.verification_share), q_leak=float(cfg.q_leak), d_fab=float(cfg.d_fab),
        d_leak=float(cfg.d_leak), leak_loss=float(cfg.leak_loss),
        fabrication_impact=float(threats.fabrication_impact),
        high_criticality_impact=float(threats.high_criticality_impact),
        beta=float(cfg.beta),
        paper_accounting=cfg.accounting == "paper", learns=cfg.policy == "coalesce", paper=cfg.policy == "paper")


def _run_batch(cfgs: list[MarketConfig], seeds: list[int],
               with_events: bool) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """R runs in one compiled pass, run r of configuration ``cfgs[r]`` with seed ``seeds[r]``.

    The configurations may differ in days, clients, contractors and arrival
    rate (nothing else: :func:`_batch_key`). Every run has its own random
    streams, drawn up front (:func:`_draw_batch`); what does not depend on
    decisions is prepared for all runs at once (:func:`_task_arrays`,
    :func:`_skill_arrays`), and :func:`coalesce_games._engine.run_batch` then
    runs the market hour by hour, task by task, one run after another. No
    operation mixes runs, so a run's numbers do not depend on which other
    runs share its batch. ``steps`` and ``events`` carry a ``job`` column: the
    run's position in the batch.
    """
    cfg = cfgs[0]
    runs = len(cfgs)
    run_hours = np.array([c.days * 24 for c in cfgs])
    hours = np.arange(run_hours.max())
    draws = _draw_batch(cfgs, seeds)
    n_run = np.diff(draws.provider_start)
    prov = _provider_arrays(draws)
    skill = _skill_arrays(cfg, seeds, draws, int(n_run.max()))
    tasks, task_run, task_hour = _task_arrays(draws)
    common = dict(epsilon=cfg.epsilon, exploration_confidence=cfg.exploration_confidence)
    paper = PaperPolicy(record=cfg.paper_history, scope=cfg.paper_history_scope, **common)
    coalesce = CoalescePolicy(beta=cfg.beta, security_weight=cfg.security_weight, **common)
    base_weights = np.asarray(paper.weights, float) if cfg.policy == "paper" else coalesce.base_weights()
    clients = np.concatenate([[0], np.cumsum([c.clients for c in cfgs])]).astype(np.int64)
    m, total_providers = len(tasks.value), len(prov.base_price)
    out = _engine.Outputs(totals=np.zeros((runs, len(TOTALS))),
                          steps=np.zeros((runs, len(hours), len(_engine.STEP_COLUMNS))),
                          choice=np.full(m, -1, dtype=np.int64), explored=np.zeros(m, dtype=bool),
                          closeness=np.zeros(m), latency=np.zeros(m), chosen_count=np.zeros(total_providers),
                          final_demand=np.zeros(total_providers))
    _engine.run_batch(prov, skill, tasks, _market_constants(cfgs), internal_constants(), eq69_constants(),
                      weight_factor_constants(), paper.rule(), coalesce.rule(), base_weights, BENEFIT,
                      eq15_table(paper.window), clients, out)
    provider_run = np.repeat(np.arange(runs), n_run)
    final_price = dynamic_price(prov.base_price, out.final_demand, cfg.capacity_per_hour,
                                cfg.capacity_per_hour * n_run[provider_run], 1.0, cfg.alpha_demand)
    rows = _run_rows(seeds, out.totals, out.chosen_count, final_price, prov.start)
    within = hours[None, :] < run_hours[:, None]                 # each run's own hours, run by run
    per_hour = out.steps[within]
    steps = pd.DataFrame({"job": np.repeat(np.arange(runs), run_hours),
                          "seed": np.repeat(np.asarray(seeds), run_hours),
                          "hour": np.broadcast_to(hours, within.shape)[within],
                          **{key: per_hour[:, c].astype(int) if key in ("arrived", "outsourced", "rogue")
                             else per_hour[:, c] for c, key in enumerate(_engine.STEP_COLUMNS)}})
    events = None
    if with_events:
        events = pd.DataFrame({"job": task_run, "seed": np.asarray(seeds)[task_run], "hour": task_hour,
                               "client": tasks.client - clients[task_run], "task_type": tasks.task_type,
                               "choice": out.choice, "explored": out.explored, "closeness": out.closeness,
                               "latency": out.latency})
    return rows, steps, events


def _run_rows(seeds: list[int], totals: np.ndarray, chosen: np.ndarray, final_price: np.ndarray,
              start: np.ndarray) -> pd.DataFrame:
    """One summary row per run from the runs' totals, (runs, len(TOTALS)), and their providers' counts
    and final prices (run after run, from ``start``)."""
    t = dict(zip(TOTALS, totals.T))
    runs = len(seeds)

    def ratio(a: str, b: str, empty: float = np.nan) -> np.ndarray:
        return np.divide(t[a], t[b], out=np.full(runs, empty), where=t[b] != 0)

    concentration, spread = np.empty(runs), np.empty(runs)
    _engine.market_shape(chosen, final_price, start, concentration, spread)
    count = lambda key: t[key].astype(np.int64)   # noqa: E731
    return pd.DataFrame({
        "seed": np.asarray(seeds, dtype=np.int64),
        "tasks": count("tasks"),
        "cost_reduction": 1 - ratio("cost_policy", "cost_all_local"),
        "time_savings": 1 - ratio("latency_policy", "latency_all_local"),
        "paper_cost_reduction": ratio("paper_savings", "paper_kept_cost"),
        "paper_time_savings": ratio("paper_time_savings", "paper_kept_latency"),
        "paper_accounting_all_local_reduction": 1 - ratio("paper_policy_cost", "paper_all_local_cost"),
        "outsourcing_rate": ratio("outsourced", "tasks", 0.0),
        "exploration_rate": ratio("explored", "tasks", 0.0),
        "mean_confidence": ratio("confidence_sum", "tasks"),
        "mean_topsis": ratio("topsis_sum", "outsourced"),
        "hhi": concentration,
        "price_cv": spread,
        "rogue_task_share": ratio("rogue_tasks", "outsourced", 0.0),
        "rogue_sensitive_share": ratio("rogue_sensitive", "sensitive_out", 0.0),
        "realised_loss": t["realised_loss"], "expected_loss": t["expected_loss"],
        "leaks": count("leaks"), "undetected_fabrications": count("undetected_fabrications"),
        "detections": count("detections"), "failures": count("failures"),
        "verifications": count("verifications"),
        "cost_policy": t["cost_policy"], "cost_all_local": t["cost_all_local"],
        "paper_cost_policy": t["paper_policy_cost"], "paper_cost_all_local": t["paper_all_local_cost"],
    })


def simulate(config: MarketConfig, seed: int | None = None, events: bool = False) -> Result:
    """One seeded run of the market (``seed`` defaults to ``config.seed``).

    A run that fails raises; nothing is dropped.
    """
    if not isinstance(config, MarketConfig):
        raise TypeError(f"config must be a MarketConfig; got {type(config).__name__}")
    seed = config.seed if seed is None else check_int("seed", seed, minimum=0)
    return simulate_many(config, [seed], events=events)


def _settings(config: MarketConfig) -> dict[str, Any]:
    return {f"cfg_{k}": (str(v) if isinstance(v, tuple) else v) for k, v in config.to_dict().items() if k != "seed"}


def simulate_many(config: MarketConfig | Sequence[MarketConfig], seeds: Any, batch: int = 256,
                  events: bool = False, progress: Callable[[int], None] | None = None) -> Result:
    """Every configuration with every seed, up to ``batch`` runs at a time.

    ``config`` is one :class:`MarketConfig` or a sequence of them; ``seeds``
    one sequence of seeds for every configuration or, given a sequence of
    configurations, one sequence per configuration (independent runs for
    configurations that would otherwise share their seeds' markets); rows come
    configuration by configuration, seed by seed. Configurations that differ
    only in days, clients, contractors and arrival rate share batches (the
    published table's 13 configurations run as one), the others
    run in batches of their own; ``progress(k)`` is called as each batch of k
    runs completes. Each run's numbers equal those of
    ``simulate(config, seed)``: runs in a batch share no randomness and no
    arithmetic. Given a sequence, the ``runs``, ``steps`` and ``events``
    frames start with a ``config`` column, the configuration's position.
    """
    several = not isinstance(config, MarketConfig)
    configs = list(config) if several else [config]
    for i, cfg in enumerate(configs):
        if not isinstance(cfg, MarketConfig):
            raise TypeError(f"config must be a MarketConfig or a sequence of them; got {type(cfg).__name__} "
                            f"at position {i}")
    if not configs:
        raise ValueError("config must not be an empty sequence")
    seeds_of = _seeds_per_config(seeds, len(configs), several)
    check_int("batch", batch, minimum=1)
    jobs = [(c, cfg, seed) for c, cfg in enumerate(configs) for seed in seeds_of[c]]
    keys, settings = [_batch_key(cfg) for cfg in configs], [_settings(cfg) for cfg in configs]
    groups: dict[tuple, list[int]] = {}
    for i, (c, _, _) in enumerate(jobs):
        groups.setdefault(keys[c], []).append(i)
    rows, steps, evs = [], [], []
    for members in groups.values():
        for start in range(0, len(members), batch):
            chunk = members[start:start + batch]
            batch_rows, batch_steps, batch_ev = _run_batch([jobs[i][1] for i in chunk], [jobs[i][2] for i in chunk],
                                                           events)
            job = np.asarray(chunk)
            rows.append(batch_rows.assign(job=job))
            steps.append(batch_steps.assign(job=job[batch_steps.job]))
            if batch_ev is not None:
                evs.append(batch_ev.assign(job=job[batch_ev.job]))
            if progress is not None:
                progress(len(chunk))
    config_of = np.array([c for c, _, _ in jobs])
    runs = _in_job_order(pd.concat(rows, ignore_index=True))
    settings_of = pd.DataFrame(settings)        # one row per configuration: its columns' types as pandas infers them
    runs = pd.DataFrame({**{key: settings_of[key].to_numpy()[config_of] for key in settings_of},
                         **{key: runs[key].to_numpy() for key in runs}})
    frames = [runs] + [_in_job_order(pd.concat(steps, ignore_index=True))]
    frames.append(_in_job_order(pd.concat(evs, ignore_index=True)) if evs else None)
    out = []
    for frame in frames:
        if frame is not None:
            if several:
                frame.insert(0, "config", config_of[frame.job])
            frame = frame.drop(columns="job")
        out.append(frame)
    return Result(*out)


def _seeds_per_config(seeds: Any, count: int, several: bool) -> list[list[int]]:
    """``seeds`` as one list of seeds per configuration (see :func:`simulate_many`)."""
    seeds = list(seeds)
    if several and seeds and all(isinstance(s, (Sequence, np.ndarray)) for s in seeds):
        if len(seeds) != count:
            raise ValueError(f"seeds must give one sequence of seeds per configuration ({count}); got {len(seeds)}")
        blocks = [list(block) for block in seeds]
    else:
        blocks = [seeds] * count
    if any(not block for block in blocks):
        raise ValueError("seeds must not be empty")
    return [[check_int("seed", int(seed), minimum=0) for seed in block] for block in blocks]


def _in_job_order(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("job", kind="stable", ignore_index=True)
