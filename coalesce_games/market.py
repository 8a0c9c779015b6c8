"""The simulated outsourcing market (MODEL.md sections 2-5).

One run is a stream of tasks arriving at clients on a simulated hourly clock
(never the wall clock). Each step:

1. tasks arrive (Poisson per client; business hours 9-17 Mon-Fri x3.2);
2. the skill gate (Eq. 11) is computed for the whole batch against every
   provider, and the costs (Eq. 1-10) for the pairs that pass it, with each
   provider's current Eq. 7 price;
3. the policy decides the batch; local tasks queue on their client (one job
   at a time: a backlog delays them, lateness costs 0.25 USD/min);
4. outsourced tasks succeed, fail, leak or are fabricated (``threats``); a
   share ``verification_share`` is verified; detections withhold payment and
   blacklist the provider (spoofers re-enter under a new identity a day later);
5. the client's estimates move towards what it observed with weight ``beta``,
   and provider utilisation drives the next step's prices.

A run draws its random numbers when it starts: providers, arrivals (one
Poisson draw per client and hour), tasks, and eight uniforms per task
(exploration, which provider, verification, outcomes), so a step calls no
generator. :func:`simulate_many` runs many runs in lockstep, one array
operation per step for all of them: seeds, and configurations that differ
only in days, clients, contractors or arrival rate (the published table's 13
configurations run as one batch).

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
import tomllib
from dataclasses import dataclass, field
from typing import Any, Callable, Sequence

import numba
import numpy as np
import pandas as pd

from . import data
from ._validate import check_choice, check_int, check_nonnegative, check_probability, check_weights, make_rng
from .costs import (dynamic_price, external_cost_pairs, internal_cost, lateness_cost, queued_value_rate,
                    verification_cost)
from .criteria import Providers, Tasks, draw_task_arrays, required_by_type
from .policies import DecisionContext, Outcome, make_policy
from .skills import SkillMatcher, published_type_scores
from .threats import FABRICATOR, HONEST, LEECHER, SPOOFER, ThreatModel, make_rogues, sample_outcomes

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


#: the fields in which configurations of one lockstep batch may differ (besides the seed)
PER_RUN_FIELDS = ("days", "clients", "contractors", "arrival_rate")

#: random numbers drawn per task when the task is drawn: exploration coin, which provider,
#: verified or not, and the five outcome draws of :func:`threats.sample_outcomes`
UNIFORMS_PER_TASK = 8


def _lockstep_key(cfg: MarketConfig) -> tuple:
    """Configurations with equal keys can share a lockstep batch: they differ only in size, load and seed."""
    return tuple((k, v) for k, v in cfg.to_dict().items() if k not in PER_RUN_FIELDS + ("seed",))


@dataclass(frozen=True)
class _RunDraws:
    """Everything random about one run that does not depend on its decisions, drawn up front."""

    providers: Providers
    arrivals: np.ndarray    # (hours, clients) tasks arriving per client per hour
    tasks: dict[str, np.ndarray]   # the run's tasks, hour by hour, client by client
    uniforms: np.ndarray    # (tasks, UNIFORMS_PER_TASK)


def _draw_run(cfg: MarketConfig, seed: int, multiplier: np.ndarray) -> _RunDraws:
    """One run's market stream (providers, arrivals, tasks) and decision stream (per-task uniforms).

    The two streams are separate generators, so the market is the same for
    every policy under one seed (common random numbers); each is drawn in a
    few calls per run rather than per hour.
    """
    market = make_rng([seed, 0xC0A1, 0])
    providers = _build_providers(cfg, market)
    hours = cfg.days * 24
    if cfg.load == "per_client":
        rates = cfg.arrival_rate * multiplier[:hours]       # tasks per client per hour
        arrivals = market.poisson(np.broadcast_to(rates[:, None], (hours, cfg.clients)))
    else:
        arrivals = _published_arrivals(cfg, market)
    total = int(arrivals.sum())
    tasks = draw_task_arrays(total, market)
    uniforms = make_rng([seed, 0xC0A1, 1]).random((total, UNIFORMS_PER_TASK))
    return _RunDraws(providers, arrivals, tasks, uniforms)


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
    clock = np.arange(cfg.days * 24)
    hour_of_day = clock % 24
    busy = ((clock // 24) % 7 < 5) & (hour_of_day >= p["business_start"]) & (hour_of_day <= p["business_end"])
    demand = np.clip(p["base_demand"] * np.where(busy, cfg.business_multiplier, 1.0)
                     + rng.normal(0.0, p["demand_noise_sd"], len(clock)), p["demand_min"], p["demand_max"])
    total = rng.poisson(cfg.arrival_rate * demand)
    return total[:, None] // cfg.clients + (np.arange(cfg.clients)[None, :] < (total % cfg.clients)[:, None])


def _pad_providers(providers: list[Providers], n: int) -> tuple[dict[str, np.ndarray], np.ndarray]:
    """The providers of R runs as (R, n, ...) arrays keyed by field, and ``present`` (R, n).

    A run with fewer than n providers is padded with copies of its first
    provider (finite values for the arithmetic); ``present`` marks the real
    ones, and padding is never available, eligible or counted.
    """
    sizes = np.array([len(p) for p in providers])
    present = np.arange(n)[None, :] < sizes[:, None]
    # slot (r, j) reads provider j of run r, or run r's first provider for padding, from all runs laid end to end
    slot = _exclusive_cumsum(sizes)[:, None] + np.where(present, np.arange(n)[None, :], 0)
    fields = {f: np.concatenate([getattr(p, f) for p in providers])[slot] for f in Providers.__dataclass_fields__}
    return fields, present


def _static_scores(matcher: SkillMatcher, offered: list[np.ndarray], n: int) -> np.ndarray:
    """Eq. 11 without its history term for every run x task type x provider, (R, T, n).

    Tasks require their type's skills, so this part of the score depends only
    on (task type, provider): computed once per run (or once per step with a
    noisy capability probe), for all runs in one call, looked up per task;
    padding scores 0.
    """
    every = matcher.static_score(required_by_type(), np.concatenate(offered))   # (T, providers of all runs)
    return _per_run(every, [len(off) for off in offered], n)


def _per_run(every: np.ndarray, sizes: list[int], n: int) -> np.ndarray:
    """(T, providers of all runs) scores as (R, T, n), padding 0."""
    scores = np.zeros((len(sizes), every.shape[0], n))
    present = np.arange(n)[None, :] < np.array(sizes)[:, None]
    scores.transpose(0, 2, 1)[present] = every.T
    return scores


@numba.njit(cache=True, nogil=True)
def _queue(work: np.ndarray, client: np.ndarray, state: np.ndarray) -> np.ndarray:  # pragma: no cover (compiled)
    """Finish times (minutes) of tasks on their clients' single workers; updates ``state``.

    Tasks come in arrival order; ``work`` (m, q) is each task's execution time
    in q independent queues per client (0 for a task that does not queue
    there) and ``state`` (clients, q) each client's queued minutes: a task
    finishes when the work queued before it and its own are done.
    """
    finish = np.empty_like(work)
    for t in range(work.shape[0]):
        for q in range(work.shape[1]):
            state[client[t], q] += work[t, q]
            finish[t, q] = state[client[t], q]
    return finish


@numba.njit(cache=True, nogil=True)
def _skill_gate(static: np.ndarray, history: np.ndarray, w_history: float, present: np.ndarray, run: np.ndarray,
                task_type: np.ndarray, tau: float) -> tuple[np.ndarray, ...]:  # pragma: no cover (compiled)
    """Eq. 11 for every (task, provider): the score, the gate ``score >= tau``, the pairs that pass.

    ``static`` (R, T, n) is the score without its history term per run, task
    type and provider, ``history`` (R, n) the history term's value; padding
    providers (``present`` False) never pass. The pairs come as flat indices
    ``task * n + provider`` in increasing order, with each pair's task and its
    provider across runs (``run * n + provider``).
    """
    m, n = len(run), static.shape[2]
    score, eligible = np.empty((m, n)), np.zeros((m, n), dtype=np.bool_)
    pairs, count = np.empty(m * n, dtype=np.int64), 0
    for k in range(m):
        r, t = run[k], task_type[k]
        for j in range(n):
            score[k, j] = static[r, t, j] + w_history * history[r, j]
            if score[k, j] >= tau and present[r, j]:
                eligible[k, j] = True
                pairs[count] = k * n + j
                count += 1
    pairs = pairs[:count]
    pair_task = pairs // n
    return score, eligible, pairs, pair_task, run[pair_task] * n + (pairs - pair_task * n)


def _by_run(run: np.ndarray, columns: dict[str, Any], runs: int) -> dict[str, np.ndarray]:
    """Per-run sums (R,) of per-task columns, all in one ``bincount``.

    Each (column, run) bin adds its values in task order, as a run alone
    would: the sums do not depend on the other runs of the batch.
    """
    values = np.stack([np.asarray(v, float) for v in columns.values()])
    bins = (np.arange(len(columns))[:, None] * runs + run[None, :]).ravel()
    sums = np.bincount(bins, values.ravel(), minlength=len(columns) * runs).reshape(len(columns), runs)
    return dict(zip(columns, sums))


def _exclusive_cumsum(counts: np.ndarray) -> np.ndarray:
    out = np.zeros(counts.size, dtype=np.int64)
    np.cumsum(counts.ravel()[:-1], out=out[1:])
    return out.reshape(counts.shape)


def _take(costs: Any, index: np.ndarray) -> Any:
    """The rows at ``index`` of a per-task cost dataclass."""
    return type(costs)(**{f: getattr(costs, f)[index] for f in costs.__dataclass_fields__})


TOTALS = ("tasks", "outsourced", "explored", "cost_policy", "cost_all_local", "latency_policy",
          "latency_all_local", "paper_savings", "paper_kept_cost", "paper_time_savings",
          "paper_kept_latency", "paper_policy_cost", "paper_all_local_cost", "topsis_sum",
          "rogue_tasks", "sensitive_out", "rogue_sensitive", "realised_loss", "expected_loss",
          "leaks", "undetected_fabrications", "detections", "failures", "verifications", "confidence_sum")
STEP_COLUMNS = ("arrived", "outsourced", "rogue", "mean_price", "cost")


def _run_batch(cfgs: list[MarketConfig], seeds: list[int],
               with_events: bool) -> tuple[list[dict], pd.DataFrame, pd.DataFrame | None]:
    """R runs in lockstep, run r of configuration ``cfgs[r]`` with seed ``seeds[r]``.

    The configurations may differ in days, clients, contractors and arrival
    rate (nothing else: :func:`_lockstep_key`); shorter runs stop receiving tasks, smaller
    markets are padded with providers that are never available. Every run
    has its own random streams, drawn up front (:func:`_draw_run`), and its
    own state; arrays carry a leading run axis or hold the tasks of all runs
    one run after another. No operation mixes runs (per-run sums accumulate
    in order with ``bincount``), so a run's numbers do not depend on which
    other runs share its batch. ``steps`` and ``events`` carry a ``job``
    column: the run's position in the batch.
    """
    cfg = cfgs[0]
    runs = len(cfgs)
    run_hours = np.array([c.days * 24 for c in cfgs])
    hours = np.arange(run_hours.max())
    multiplier = _arrival_multiplier(hours, cfg.business_multiplier)
    draws = [_draw_run(c, s, multiplier) for c, s in zip(cfgs, seeds)]
    plist = [d.providers for d in draws]
    n_run = np.array([len(p) for p in plist])
    n = int(n_run.max())
    P, present = _pad_providers(plist, n)
    flat = {f: v.reshape(runs * n, *v.shape[2:]) for f, v in P.items()}   # provider r*n + j
    provider_run = np.repeat(np.arange(runs), n_run)
    present_flat = np.flatnonzero(present.ravel())
    provider_mean = lambda x: np.bincount(provider_run, x.ravel()[present_flat], minlength=runs) / n_run  # noqa: E731

    # ---- the tasks of all runs, run by run, hour by hour, client by client
    clients = np.array([c.clients for c in cfgs])
    client_offset = _exclusive_cumsum(clients)
    per_hour = np.zeros((runs, len(hours)), dtype=np.int64)
    for r, d in enumerate(draws):
        per_hour[r, :run_hours[r]] = d.arrivals.sum(axis=1)
    # drawn run by run; laid out hour by hour (runs in order within an hour), so that each
    # hour's tasks are one contiguous slice: a step takes views, not copies
    task_hour = np.concatenate([np.repeat(np.arange(h), d.arrivals.sum(axis=1)) for d, h in zip(draws, run_hours)])
    task_run = np.repeat(np.arange(runs), per_hour.sum(axis=1))
    hour_major = np.argsort(task_hour * runs + task_run, kind="stable")
    hour_start = np.concatenate([[0], np.cumsum(per_hour.sum(axis=0))])   # hour h: tasks hour_start[h]:[h + 1]
    task_run, task_hour = task_run[hour_major], task_hour[hour_major]
    task_client = np.concatenate([np.repeat(np.tile(np.arange(c), h) + off, d.arrivals.ravel())
                                  for d, c, h, off in zip(draws, clients, run_hours, client_offset)])[hour_major]
    all_tasks = Tasks(**{f: np.concatenate([d.tasks[f] for d in draws])[hour_major]
                         for f in Tasks.__dataclass_fields__})
    uniforms = np.concatenate([d.uniforms for d in draws])[hour_major]
    internal_c_all = internal_cost(all_tasks, "consistent")
    # the published accounting prices the best task still queued behind each one in its client's hour (Eq. 4);
    # ours prices waiting as lateness instead
    waiting = queued_value_rate(all_tasks.value, task_hour * int(clients.sum()) + task_client)
    internal_p_all = internal_cost(all_tasks, "paper", opportunity_rate=waiting)
    price_complexity = data.parameters_view()["external"]["complexity_price_factor"]
    complexity_all = 1 + price_complexity * (all_tasks.complexity - 1)   # Eq. 7's complexity factor

    threats = ThreatModel(spoofer_competence=cfg.spoofer_competence, q_leak=cfg.q_leak,
                          leak_loss=cfg.leak_loss, d_leak=cfg.d_leak, d_fab=cfg.d_fab,
                          verification_share=cfg.verification_share)
    if cfg.policy == "paper":
        policy = make_policy("paper", epsilon=cfg.epsilon, exploration_confidence=cfg.exploration_confidence,
                             record=cfg.paper_history, scope=cfg.paper_history_scope, runs=runs)
    else:
        policy = make_policy("coalesce", epsilon=cfg.epsilon, beta=cfg.beta,
                             exploration_confidence=cfg.exploration_confidence,
                             security_weight=cfg.security_weight, runs=runs)
    matcher = SkillMatcher(tau=cfg.tau, mode="probe" if cfg.skill_mode == "probe" else "declared",
                           probe_noise=cfg.probe_noise)
    w_history = matcher.history_weight
    if cfg.skill_mode == "declared":
        static = _static_scores(matcher, [p.declared for p in plist], n)
    elif cfg.skill_mode == "published":   # the published code's whole Eq. 11: its history stand-in is fixed
        w_history = 0.0
        static = _per_run(published_type_scores(np.concatenate([p.type_id for p in plist]),
                                                np.concatenate([p.declared for p in plist])), n_run.tolist(), n)
    else:   # a fresh noisy probe each hour, from a third stream of the run's own
        probe_rngs = [make_rng([s, 0xC0A1, 2]) for s in seeds]
    learns = cfg.policy == "coalesce"
    high_sensitivity = data.parameters_view()["decision"]["high_sensitivity"]
    pen = cfg.latency_penalty_per_min
    est_rel = P["reliability"].copy()
    est_sec = P["security"].copy()
    history = np.full((runs, n), matcher.prior)
    blacklisted_at = np.full((runs, n), -1)
    is_rogue = P["behaviour"] != HONEST
    entry_hour = cfg.rogue_entry_day * 24
    base_price_mean = provider_mean(P["base_price"])
    supply_total = cfg.capacity_per_hour * n_run[:, None]
    demand = np.zeros((runs, n))                       # tasks each provider took last hour (Eq. 7's D)
    final_demand = np.zeros((runs, n))                 # ... in each run's own last hour
    backlog = np.zeros((int(clients.sum()), 2))        # minutes of queued local work per client: under
                                                       # the policy, and in the counterfactual (all local)
    totals = {key: np.zeros(runs) for key in TOTALS}
    chosen_count = np.zeros(runs * n)
    step = {key: np.zeros((runs, len(hours))) for key in STEP_COLUMNS}
    events = []
    for h, hour in enumerate(hours):
        # spoofers re-enter under a new identity: fresh history, off the blacklist
        back = (blacklisted_at >= 0) & (P["behaviour"] == SPOOFER) & (hour - blacklisted_at >= cfg.reentry_hours)
        blacklisted_at[back] = -1
        history[back] = matcher.prior
        est_rel[back] = P["reliability"][back]
        per_run = per_hour[:, h]
        price_now = dynamic_price(P["base_price"], demand, cfg.capacity_per_hour, supply_total, 1.0,
                                  cfg.alpha_demand, check=False)
        step["arrived"][:, h] = per_run
        step["mean_price"][:, h] = provider_mean(price_now)
        m = int(per_run.sum())
        if m > 0:
            now = slice(hour_start[h], hour_start[h + 1])  # this hour's tasks, run after run
            run, client = task_run[now], task_client[now]
            tasks = all_tasks.subset(now)
            internal_c, internal_p = _take(internal_c_all, now), _take(internal_p_all, now)
            complexity, task_uniforms = complexity_all[now], uniforms[now]
            internal = internal_c if cfg.accounting == "consistent" else internal_p
            available = present & (blacklisted_at < 0) & (~is_rogue | (hour >= entry_hour))
            if cfg.skill_mode != "probe":
                base_score = static
            else:
                active = np.flatnonzero(per_run)
                base_score = np.zeros((runs, len(required_by_type()), n))
                base_score[active] = _static_scores(matcher, [matcher.offered(plist[r], probe_rngs[r])
                                                              for r in active], n)
            score, eligible, pairs, pair_task, pair_g = _skill_gate(base_score, history, w_history, present, run,
                                                                    tasks.task_type, cfg.tau)
            # external costs of the pairs the policy may score (a market's own, validated state)
            rel_pairs = est_rel.ravel().take(pair_g)
            external = external_cost_pairs(
                tasks, price_now.ravel().take(pair_g) * complexity.take(pair_task), rel_pairs,
                flat["latency"].take(pair_g), check=False, task_of=pair_task)
            # the client knows its own queue: local execution's expected lateness is part of its cost
            queue_wait = backlog[client, 0] + internal_c.latency_min
            internal_seen = dataclasses.replace(
                internal, total=internal.total + lateness_cost(queue_wait, tasks.max_latency, pen, check=False))
            ctx = DecisionContext(tasks, internal_seen, external, rel_pairs, est_sec.ravel().take(pair_g),
                                  score, eligible, available, run=run,
                                  uniforms=task_uniforms[:, :2], pairs=pairs)
            decision = policy.decide(ctx, None)
            choice = decision.choice
            out = choice >= 0
            local = ~out
            # ---- local execution on each client's single worker (arrival order within the hour)
            exec_min = internal_c.latency_min
            # two queues per client: under the policy (local tasks only), and with every task local
            finish_local, finish_all = _queue(np.stack([np.where(local, exec_min, 0.0), exec_min], axis=1),
                                              client, backlog).T
            late_all = lateness_cost(finish_all, tasks.max_latency, pen, check=False)
            cost_all_local = internal_c.total + late_all
            # ---- outsourced execution
            k = np.flatnonzero(out)
            j = choice[k]
            rk = run[k]
            g = rk * n + j                                  # the provider, across runs
            chosen = external_cost_pairs(tasks, price_now.ravel().take(g) * complexity.take(k),   # as the client
                                         est_rel.ravel().take(g), flat["latency"].take(g),        # priced it
                                         check=False, task_of=k)
            lacks_skill = ~(tasks.required[k] <= flat["true_skills"][g]).all(axis=1)
            p_success = np.where(lacks_skill, flat["competence"][g], flat["reliability"][g])
            u_out = task_uniforms[k]
            verified = u_out[:, 2] < cfg.verification_share
            res = sample_outcomes(flat["behaviour"][g], p_success, flat["security"][g], verified,
                                  tasks.sensitivity[k], threats, draws=u_out[:, 3:].T)
            load_factor = 1 + np.maximum(demand.ravel()[g] / cfg.capacity_per_hour - 1, 0)
            ext_latency = chosen.latency_min * load_factor
            paid = ~res["detected"]
            verify_cost = verified * verification_cost(flat["reliability"][g])
            base_ext = chosen.communication + chosen.integration + verify_cost + paid * chosen.price
            failed = ~res["success"] & ~res["fabricated"]
            undetected_fab = res["fabricated"] & ~res["detected"]
            redone = failed | (res["fabricated"] & res["detected"])
            impact = np.where(tasks.high_criticality[k], threats.high_criticality_impact, threats.fabrication_impact)
            fab_harm = undetected_fab * tasks.value[k] * impact
            latency_out = ext_latency + redone * exec_min[k]
            late_out = lateness_cost(latency_out, tasks.max_latency[k], pen, check=False)
            cost_out = base_ext + redone * internal_c.total[k] + late_out + res["security_loss"] + fab_harm
            latency = np.where(local, finish_local, 0.0)
            latency[k] = latency_out
            cost = internal_c.total + lateness_cost(finish_local, tasks.max_latency, pen, check=False)   # local ...
            cost[k] = cost_out                                                                       # ... and out
            paper_cost = internal_p.total.copy()             # the published accounting of the same decisions
            paper_cost[k] = chosen.total
            # ---- exposure
            behaviour = flat["behaviour"][g]
            rogue = is_rogue.ravel()[g]
            sensitive = tasks.sensitivity[k] > high_sensitivity
            expected = (behaviour == FABRICATOR) * tasks.value[k] * impact * (1 - cfg.verification_share * cfg.d_fab) \
                + (behaviour == LEECHER) * cfg.q_leak * tasks.sensitivity[k] * cfg.leak_loss \
                + (behaviour != LEECHER) * (behaviour != FABRICATOR) * (1 - flat["security"][g]) * tasks.sensitivity[k] * cfg.leak_loss
            per_task = {   # summed per run over all tasks of the step
                "tasks": np.ones(m), "explored": decision.explored,
                "paper_policy_cost": paper_cost, "cost_all_local": cost_all_local,
                "latency_policy": latency, "latency_all_local": finish_all,
                "paper_kept_cost": local * internal_p.total, "paper_kept_latency": local * internal_p.latency_min,
                "paper_all_local_cost": internal_p.total, "confidence_sum": decision.confidence,
            }
            per_out = {    # summed per run over the outsourced tasks
                "outsourced": np.ones(len(k)),
                "paper_savings": np.maximum(internal_p.total[k] - chosen.total, 0.0),
                "paper_time_savings": np.maximum(internal_p.latency_min[k] - ext_latency, 0.0),
                "topsis_sum": decision.closeness[k],
                "rogue_tasks": rogue, "sensitive_out": sensitive, "rogue_sensitive": rogue & sensitive,
                "realised_loss": res["security_loss"] + fab_harm, "expected_loss": expected,
                "leaks": res["leaked"], "undetected_fabrications": undetected_fab, "detections": res["detected"],
                "failures": failed, "verifications": verified,
            }
            sums = {**_by_run(run, {**per_task, "cost_policy": cost}, runs), **_by_run(rk, per_out, runs)}
            for key, values in sums.items():
                totals[key] += values
            took = np.bincount(g, minlength=runs * n)       # tasks each provider took this hour
            chosen_count += took
            step["outsourced"][:, h] = sums["outsourced"]
            step["rogue"][:, h] = sums["rogue_tasks"]
            step["cost"][:, h] = sums["cost_policy"]
            # ---- learning with market responsiveness beta
            blacklisted_at.ravel()[np.unique(g[res["detected"]])] = hour
            if learns and len(k):
                seen_success = (res["success"] | undetected_fab).astype(float)
                seen_secure = (~(res["detected"] & res["leaked"]) & ~res["incident"]).astype(float)
                touched = took > 0
                mean_success = np.bincount(g, seen_success, minlength=runs * n)[touched] / took[touched]
                mean_secure = np.bincount(g, seen_secure, minlength=runs * n)[touched] / took[touched]
                rel_flat, sec_flat, hist_flat = est_rel.ravel(), est_sec.ravel(), history.ravel()
                rel_flat[touched] = (1 - cfg.beta) * rel_flat[touched] + cfg.beta * mean_success
                sec_flat[touched] = (1 - cfg.beta) * sec_flat[touched] + cfg.beta * mean_secure
                hist_flat[touched] = rel_flat[touched]
            if len(k):
                price_index = provider_mean(price_now) / base_price_mean
                policy.observe(decision, Outcome(j, res["success"], res["incident"] | res["leaked"],
                                                 latency_out > tasks.max_latency[k], price_index, run=rk))
            # ---- utilisation drives the next prices (Eq. 7: D = the provider's tasks last hour, S its capacity)
            demand = took.reshape(runs, n).astype(float)
            if with_events:
                events.append(pd.DataFrame({"job": run, "seed": np.asarray(seeds)[run], "hour": int(hour),
                                            "client": client - client_offset[run], "task_type": tasks.task_type,
                                            "choice": choice, "explored": decision.explored,
                                            "closeness": decision.closeness, "latency": latency}))
        else:
            demand = np.zeros((runs, n))
        ending = run_hours == h + 1
        final_demand[ending] = demand[ending]
        backlog = np.maximum(backlog - 60.0, 0.0)
    final_price = dynamic_price(P["base_price"], final_demand, cfg.capacity_per_hour, supply_total, 1.0,
                                cfg.alpha_demand)
    chosen = chosen_count.reshape(runs, n)
    rows = [_run_row(seed, {key: float(v[r]) for key, v in totals.items()}, chosen[r, :n_run[r]],
                     final_price[r, :n_run[r]]) for r, seed in enumerate(seeds)]
    within = hours[None, :] < run_hours[:, None]                 # each run's own hours, run by run
    steps = pd.DataFrame({"job": np.repeat(np.arange(runs), run_hours),
                          "seed": np.repeat(np.asarray(seeds), run_hours),
                          "hour": np.broadcast_to(hours, within.shape)[within],
                          **{key: v[within] for key, v in step.items()}})
    for key in ("arrived", "outsourced", "rogue"):
        steps[key] = steps[key].astype(int)
    ev = pd.concat(events, ignore_index=True).sort_values(["job", "hour"], kind="stable", ignore_index=True) \
        if with_events and events else None
    return rows, steps, ev


def _run_row(seed: int, t: dict[str, float], chosen: np.ndarray, final_price: np.ndarray) -> dict[str, Any]:
    """The one-row summary of a run from its totals."""
    shares = chosen / max(chosen.sum(), 1)
    ratio = lambda a, b, empty=np.nan: t[a] / t[b] if t[b] else empty   # noqa: E731
    return {
        "seed": seed,
        "tasks": int(t["tasks"]),
        "cost_reduction": 1 - t["cost_policy"] / t["cost_all_local"] if t["cost_all_local"] else np.nan,
        "time_savings": 1 - t["latency_policy"] / t["latency_all_local"] if t["latency_all_local"] else np.nan,
        "paper_cost_reduction": ratio("paper_savings", "paper_kept_cost"),
        "paper_time_savings": ratio("paper_time_savings", "paper_kept_latency"),
        "paper_accounting_all_local_reduction":
            1 - t["paper_policy_cost"] / t["paper_all_local_cost"] if t["paper_all_local_cost"] else np.nan,
        "outsourcing_rate": ratio("outsourced", "tasks", 0.0),
        "exploration_rate": ratio("explored", "tasks", 0.0),
        "mean_confidence": ratio("confidence_sum", "tasks"),
        "mean_topsis": ratio("topsis_sum", "outsourced"),
        "hhi": float((100 * shares) @ (100 * shares)),
        "price_cv": float(final_price.std() / final_price.mean()),
        "rogue_task_share": ratio("rogue_tasks", "outsourced", 0.0),
        "rogue_sensitive_share": ratio("rogue_sensitive", "sensitive_out", 0.0),
        "realised_loss": t["realised_loss"], "expected_loss": t["expected_loss"],
        "leaks": int(t["leaks"]), "undetected_fabrications": int(t["undetected_fabrications"]),
        "detections": int(t["detections"]), "failures": int(t["failures"]),
        "verifications": int(t["verifications"]),
        "cost_policy": t["cost_policy"], "cost_all_local": t["cost_all_local"],
        "paper_cost_policy": t["paper_policy_cost"], "paper_cost_all_local": t["paper_all_local_cost"],
    }


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
    """Every configuration with every seed, up to ``batch`` runs at a time in lockstep.

    ``config`` is one :class:`MarketConfig` or a sequence of them; rows come
    configuration by configuration, seed by seed. Configurations that differ
    only in days, clients, contractors and arrival rate share lockstep
    batches (the published table's 13 configurations run as one), the others
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
    seeds = [check_int("seed", int(s), minimum=0) for s in seeds]
    if not seeds:
        raise ValueError("seeds must not be empty")
    check_int("batch", batch, minimum=1)
    jobs = [(c, cfg, seed) for c, cfg in enumerate(configs) for seed in seeds]
    groups: dict[tuple, list[int]] = {}
    for i, (_, cfg, _) in enumerate(jobs):
        groups.setdefault(_lockstep_key(cfg), []).append(i)
    rows: dict[int, dict] = {}
    steps, evs = [], []
    for members in groups.values():
        # the largest markets together: the least padding
        members = sorted(members, key=lambda i: (-jobs[i][1].contractors, -jobs[i][1].clients * jobs[i][1].days))
        for start in range(0, len(members), batch):
            chunk = members[start:start + batch]
            batch_rows, batch_steps, batch_ev = _run_batch([jobs[i][1] for i in chunk], [jobs[i][2] for i in chunk],
                                                           events)
            job = np.asarray(chunk)
            rows.update({i: {**_settings(jobs[i][1]), **row} for i, row in zip(chunk, batch_rows)})
            steps.append(batch_steps.assign(job=job[batch_steps.job]))
            if batch_ev is not None:
                evs.append(batch_ev.assign(job=job[batch_ev.job]))
            if progress is not None:
                progress(len(chunk))
    config_of = np.array([c for c, _, _ in jobs])
    runs = pd.DataFrame([rows[i] for i in range(len(jobs))])
    frames = [runs.assign(job=np.arange(len(jobs)))] + [_in_job_order(pd.concat(steps, ignore_index=True))]
    frames.append(_in_job_order(pd.concat(evs, ignore_index=True)) if evs else None)
    out = []
    for frame in frames:
        if frame is not None:
            if several:
                frame.insert(0, "config", config_of[frame.job])
            frame = frame.drop(columns="job")
        out.append(frame)
    return Result(*out)


def _in_job_order(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("job", kind="stable", ignore_index=True)
