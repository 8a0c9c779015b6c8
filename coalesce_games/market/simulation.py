"""The simulated outsourcing market: runs and batches of runs into tables (``papers/model.md``, section 7).

One run is a stream of tasks arriving at clients on a simulated hourly clock.
Each hour tasks arrive; each meets the skill gate (Eq. 11) and the Eq. 6-9 cost
of every provider that passes it at its current Eq. 7 price; the policy's rule
decides it; local tasks queue on their client; outsourced tasks succeed, fail,
leak or are fabricated; a share is verified, detections withhold payment and
blacklist the provider; estimates move with responsiveness ``beta`` and
utilisation drives the next hour's prices. The hours run in compiled code
(:mod:`coalesce_games.market.kernel`).

Every task is also costed as if run locally (common random numbers), which
gives the ``consistent`` cost reduction ``1 - cost under the policy / cost all
local``; the ``paper`` metric is the published definition (savings on the
outsourced tasks over the cost of the tasks kept local, in paper accounting).

>>> from coalesce_games.market.config import MarketConfig
>>> r = simulate(MarketConfig(days=1, clients=3, contractors=6, seed=1))
>>> int(r.runs.tasks.item()) == int(r.steps.arrived.sum())
True
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Callable, Iterable, Sequence

import numpy as np
import pandas as pd

from coalesce_games import data
from coalesce_games.market import arrays
from coalesce_games.market import kernel
from coalesce_games.market.config import MarketConfig
from coalesce_games.market.draws import _batch_key, _BatchDraws, _draw_batch, _per_run
from coalesce_games.market.arrays import TOTALS
from coalesce_games.model.cost_terms import eq69_constants, internal_constants
from coalesce_games.model.costs import dynamic_price, queued_value_rate
from coalesce_games.model.criteria import BENEFIT, required_by_type
from coalesce_games.model.policies import CoalescePolicy, PaperPolicy
from coalesce_games.model.rules import eq15_table
from coalesce_games.model.skills import SkillMatcher, published_type_scores
from coalesce_games.model.threats import HONEST, ThreatModel
from coalesce_games.model.weights import weight_factor_constants
from coalesce_games.validation import check_bool, check_int, check_seed, check_seeds, make_rng

__all__ = ['Result', 'simulate', 'simulate_many']


@dataclass(frozen=True)
class Result:
    """``runs``: one row per run; ``steps``: one row per run per hour; ``events`` (or None): one row per task.

    Each field must be a DataFrame (``events`` may be None): a TypeError otherwise.
    """

    runs: pd.DataFrame
    steps: pd.DataFrame
    events: pd.DataFrame | None = field(default=None, repr=False)

    def __post_init__(self) -> None:
        for name in ("runs", "steps", "events"):
            value = getattr(self, name)
            if not isinstance(value, pd.DataFrame) and not (name == "events" and value is None):
                allowed = "a pandas DataFrame" + (" or None" if name == "events" else "")
                raise TypeError(f"{name} must be {allowed}; got {type(value).__name__}: {value!r:.80}")


def _skill_arrays(cfg: MarketConfig, seeds: list[int], draws: _BatchDraws, n: int) -> arrays.SkillArrays:
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
    return arrays.SkillArrays(np.ascontiguousarray(static), row, float(w_history), float(matcher.prior),
                               float(cfg.tau))


def _provider_arrays(draws: _BatchDraws) -> arrays.ProviderArrays:
    """The providers of all runs end to end, with whether each truly holds each task type's skills."""
    p = draws.providers
    lacks = (required_by_type()[None, :, :] & ~p.true_skills[:, None, :]).any(axis=2)
    return arrays.ProviderArrays(
        start=draws.provider_start, base_price=p.base_price.astype(float), latency=p.latency.astype(float),
        reliability=p.reliability.astype(float), security=p.security.astype(float),
        competence=p.competence.astype(float), behaviour=p.behaviour.astype(np.int64),
        rogue=p.behaviour != HONEST, has_skills=~lacks)


def _task_arrays(draws: _BatchDraws) -> tuple[arrays.TaskArrays, np.ndarray, np.ndarray]:
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
    kernel.place_tasks(counts, first_cell, clients, hour_start, task_client, task_hour, task_run, queue)
    t = draws.tasks     # valid by construction: drawn within their ranges (criteria.task_fields)
    # the published accounting prices the best task still queued behind each one in its client's hour (Eq. 4);
    # ours prices waiting as lateness instead
    task_arrays = arrays.TaskArrays(
        hour_start=hour_start, client=task_client, task_type=t["task_type"], value=t["value"],
        complexity=t["complexity"], data_gb=t["data_gb"], max_latency=t["max_latency"].astype(float),
        sensitivity=t["sensitivity"], high_criticality=t["high_criticality"], budget=t["budget"],
        opportunity_rate=queued_value_rate(t["value"], queue), uniforms=draws.uniforms,
        late_complexity=draws.late_complexity, weight_noise=draws.weight_noise)
    return task_arrays, task_run, task_hour


def _market_constants(cfgs: list[MarketConfig]) -> arrays.MarketConstants:
    cfg, threats = cfgs[0], ThreatModel()
    return arrays.MarketConstants(
        days_hours=np.array([c.days * 24 for c in cfgs], dtype=np.int64), alpha_demand=float(cfg.alpha_demand),
        capacity_per_hour=float(cfg.capacity_per_hour), latency_penalty_per_min=float(cfg.latency_penalty_per_min),
        rogue_entry_hour=int(cfg.rogue_entry_day * 24), reentry_hours=int(cfg.reentry_hours),
        verification_share=float(cfg.verification_share), q_leak=float(cfg.q_leak), d_fab=float(cfg.d_fab),
        d_leak=float(cfg.d_leak), leak_loss=float(cfg.leak_loss),
        fabrication_impact=float(threats.fabrication_impact),
        high_criticality_impact=float(threats.high_criticality_impact),
        beta=float(cfg.beta),
        paper_accounting=cfg.accounting == "paper", learns=cfg.policy == "coalesce", paper=cfg.policy == "paper",
        weight_noise=cfg.weight_noise == "published",
        weight_noise_keep_above=float(data.parameters_view()["decision"]["weight_noise_keep_above"]))


def _run_batch(cfgs: list[MarketConfig], seeds: list[int],
               with_events: bool) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame | None]:
    """R runs in one compiled pass, run r of configuration ``cfgs[r]`` with seed ``seeds[r]``.

    The configurations may differ in days, clients, contractors and arrival
    rate (nothing else: :func:`_batch_key`). Every run has its own random
    streams, drawn up front (:func:`_draw_batch`); what does not depend on
    decisions is prepared for all runs at once (:func:`_task_arrays`,
    :func:`_skill_arrays`), and :func:`coalesce_games.market.kernel.run_batch` then
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
    out = arrays.Outputs(totals=np.zeros((runs, len(TOTALS))),
                          steps=np.zeros((runs, len(hours), len(arrays.STEP_COLUMNS))),
                          choice=np.full(m, -1, dtype=np.int64), explored=np.zeros(m, dtype=bool),
                          closeness=np.zeros(m), latency=np.zeros(m), chosen_count=np.zeros(total_providers),
                          final_demand=np.zeros(total_providers))
    state = arrays.new_run_state(int(n_run.max()), int(np.diff(clients).max()), skill.static.shape[1], paper.window)
    kernel.run_batch(arrays.KernelInputs(prov, skill, tasks, _market_constants(cfgs), internal_constants(),
                                          eq69_constants(), weight_factor_constants(), paper.rule(), coalesce.rule(),
                                          base_weights, BENEFIT, eq15_table(paper.window), clients), state, out)
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
                             else per_hour[:, c] for c, key in enumerate(arrays.STEP_COLUMNS)}})
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
    kernel.market_shape(chosen, final_price, start, concentration, spread)
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
    seed = config.seed if seed is None else check_seed("seed", seed)
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
    check_bool("events", events)
    if progress is not None and not callable(progress):
        raise TypeError(f"progress must be a function of the runs done, or None; got {progress!r}")
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
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Iterable):
        raise TypeError(f"seeds must be a sequence of integer seeds (not a string); got {seeds!r}")
    seeds = list(seeds)
    if several and seeds and all(isinstance(s, (Sequence, np.ndarray)) for s in seeds):
        if len(seeds) != count:
            raise ValueError(f"seeds must give one sequence of seeds per configuration ({count}); got {len(seeds)}")
        blocks = [list(block) for block in seeds]
    else:
        blocks = [seeds] * count
    if any(not block for block in blocks):
        raise ValueError("seeds must not be empty")
    return [check_seeds("seeds", block) for block in blocks]


def _in_job_order(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("job", kind="stable", ignore_index=True)
