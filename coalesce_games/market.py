"""The simulated outsourcing market (MODEL.md sections 2-5).

One run is a stream of tasks arriving at clients on a simulated hourly clock
(never the wall clock). Each step:

1. tasks arrive (Poisson per client; business hours 9-17 Mon-Fri x3.2);
2. the skill gate (Eq. 11) and the costs (Eq. 1-10) are computed for the whole
   batch against every provider, with each provider's current Eq. 7 price;
3. the policy decides the batch; local tasks queue on their client (one job
   at a time: a backlog delays them, lateness costs 0.25 USD/min);
4. outsourced tasks succeed, fail, leak or are fabricated (``threats``); a
   share ``verification_share`` is verified; detections withhold payment and
   blacklist the provider (spoofers re-enter under a new identity a day later);
5. the client's estimates move towards what it observed with weight ``beta``,
   and provider utilisation drives the next step's prices.

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
from typing import Any

import numpy as np
import pandas as pd

from . import data
from ._validate import check_choice, check_int, check_nonnegative, check_probability, check_weights, make_rng
from .costs import dynamic_price, external_cost, internal_cost, lateness_cost, verification_cost
from .criteria import Providers, Tasks
from .policies import DecisionContext, Outcome, make_policy
from .skills import SkillMatcher
from .threats import FABRICATOR, HONEST, SPOOFER, ThreatModel, make_rogues, sample_outcomes

__all__ = ["MarketConfig", "Result", "simulate", "simulate_many", "load_scenario"]


@dataclass(frozen=True)
class MarketConfig:
    """Every parameter of a market run; all fields are validated and take effect."""

    days: int = 7
    clients: int = 15
    contractors: int = 30
    arrival_rate: float = 0.2          # tasks per client per hour outside business hours (ours)
    business_multiplier: float = 3.2
    policy: str = "coalesce"
    epsilon: float = 0.1
    tau: float = 0.7
    beta: float = 0.7
    exploration_confidence: float = 0.7
    security_weight: float = 1.0
    accounting: str = "consistent"
    skill_mode: str = "declared"
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
        check_choice("accounting", self.accounting, ("consistent", "paper"))
        check_choice("skill_mode", self.skill_mode, ("declared", "probe"))
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
        return dataclasses.asdict(self)

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "MarketConfig":
        return cls().replace(**values)

    @classmethod
    def from_toml(cls, text: str) -> "MarketConfig":
        """From TOML text with the fields at top level."""
        return cls.from_dict(tomllib.loads(text))


def load_scenario(name: str) -> MarketConfig:
    """A named scenario of ``data/scenarios.toml``."""
    scenarios = data.load_scenarios()
    if name not in scenarios:
        raise ValueError(f"unknown scenario {name!r}; known: {sorted(scenarios)}")
    return MarketConfig.from_dict(scenarios[name])


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


def _run(cfg: MarketConfig, seed: int, with_events: bool) -> tuple[dict, pd.DataFrame, pd.DataFrame | None]:
    # separate streams: the market (providers, arrivals, tasks) is the same for every policy
    # under one seed (common random numbers); decisions and outcomes draw from their own stream
    market_rng = make_rng([seed, 0xC0A1, 0])
    rng = make_rng([seed, 0xC0A1, 1])
    providers = _build_providers(cfg, market_rng)
    n = len(providers)
    threats = ThreatModel(spoofer_competence=cfg.spoofer_competence, q_leak=cfg.q_leak,
                          leak_loss=cfg.leak_loss, d_leak=cfg.d_leak, d_fab=cfg.d_fab,
                          verification_share=cfg.verification_share)
    if cfg.policy == "paper":
        policy = make_policy("paper", epsilon=cfg.epsilon, exploration_confidence=cfg.exploration_confidence)
    else:
        policy = make_policy("coalesce", epsilon=cfg.epsilon, beta=cfg.beta,
                             exploration_confidence=cfg.exploration_confidence,
                             security_weight=cfg.security_weight)
    matcher = SkillMatcher(tau=cfg.tau, mode=cfg.skill_mode, probe_noise=cfg.probe_noise)
    learns = cfg.policy == "coalesce"
    pen = cfg.latency_penalty_per_min
    est_rel = providers.reliability.copy()
    est_sec = providers.security.copy()
    history = np.full(n, matcher.prior)
    blacklisted_at = np.full(n, -1)
    is_rogue = providers.behaviour != HONEST
    entry_hour = cfg.rogue_entry_day * 24
    demand = np.zeros(n)                       # tasks each provider took last hour (Eq. 7's D)
    backlog = np.zeros(cfg.clients)            # minutes of queued local work per client
    backlog_all_local = np.zeros(cfg.clients)  # the counterfactual: every task local
    hours = np.arange(cfg.days * 24)
    rates = cfg.arrival_rate * _arrival_multiplier(hours, cfg.business_multiplier)
    totals = dict.fromkeys([
        "tasks", "outsourced", "explored", "cost_policy", "cost_all_local", "latency_policy",
        "latency_all_local", "paper_savings", "paper_kept_cost", "paper_time_savings",
        "paper_kept_latency", "paper_policy_cost", "paper_all_local_cost", "topsis_sum",
        "rogue_tasks", "sensitive_out", "rogue_sensitive", "realised_loss", "expected_loss",
        "leaks", "undetected_fabrications", "detections", "failures", "verifications", "confidence_sum"], 0.0)
    chosen_count = np.zeros(n)
    step_rows, events = [], []
    for hour, rate in zip(hours, rates):
        # spoofers re-enter under a new identity: fresh history, off the blacklist
        back = (blacklisted_at >= 0) & (providers.behaviour == SPOOFER) & (hour - blacklisted_at >= cfg.reentry_hours)
        blacklisted_at[back] = -1
        history[back] = matcher.prior
        est_rel[back] = providers.reliability[back]
        arrivals = market_rng.poisson(rate, cfg.clients)
        m = int(arrivals.sum())
        price_now = dynamic_price(providers.base_price, demand, cfg.capacity_per_hour,
                                  cfg.capacity_per_hour * n, 1.0, cfg.alpha_demand)
        if m == 0:
            demand[:] = 0.0
            backlog = np.maximum(backlog - 60.0, 0.0)
            backlog_all_local = np.maximum(backlog_all_local - 60.0, 0.0)
            step_rows.append({"hour": int(hour), "arrived": 0, "outsourced": 0, "rogue": 0,
                              "mean_price": float(price_now.mean()), "cost": 0.0})
            continue
        client = np.repeat(np.arange(cfg.clients), arrivals)
        tasks = Tasks.sample(m, market_rng)
        available = (blacklisted_at < 0) & (~is_rogue | (hour >= entry_hour))
        score = matcher.score(tasks.required, providers, history, rng)
        eligible = score >= cfg.tau
        internal = internal_cost(tasks, cfg.accounting)
        internal_c = internal if cfg.accounting == "consistent" else internal_cost(tasks, "consistent")
        internal_p = internal if cfg.accounting == "paper" else internal_cost(tasks, "paper")
        complexity_factor = 1 + 0.3 * (tasks.complexity[:, None] - 1)
        external = external_cost(tasks, providers, prices=price_now[None, :] * complexity_factor,
                                 reliability=est_rel)
        # the client knows its own queue: local execution's expected lateness is part of its cost
        queue_wait = backlog[client] + internal_c.latency_min
        internal_seen = dataclasses.replace(
            internal, total=internal.total + lateness_cost(queue_wait, tasks.max_latency, pen))
        ctx = DecisionContext(tasks, internal_seen, external, est_rel, est_sec, score, eligible, available)
        decision = policy.decide(ctx, rng)
        choice = decision.choice
        out = choice >= 0
        local = ~out
        # ---- local execution on each client's single worker (arrival order within the hour)
        exec_min = internal_c.latency_min

        def queue(mask: np.ndarray, queue_state: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
            order = np.flatnonzero(mask)
            work = np.zeros(m)
            work[order] = exec_min[order]
            cum = np.zeros(m)
            for c in np.unique(client[order]):  # per client (not per candidate): a few per step
                idx = order[client[order] == c]
                cum[idx] = queue_state[c] + np.cumsum(work[idx])
                queue_state[c] = cum[idx][-1]
            return cum, queue_state

        finish_local, backlog = queue(local, backlog)
        finish_all, backlog_all_local = queue(np.ones(m, bool), backlog_all_local)
        late_all = lateness_cost(finish_all, tasks.max_latency, pen)
        cost_all_local = internal_c.total + late_all
        # ---- outsourced execution
        k = np.flatnonzero(out)
        j = choice[k]
        lacks_skill = ~(tasks.required[k] <= providers.true_skills[j]).all(axis=1)
        p_success = np.where(lacks_skill, providers.competence[j], providers.reliability[j])
        verified = rng.random(len(k)) < cfg.verification_share
        res = sample_outcomes(providers.behaviour[j], p_success, providers.security[j], verified,
                              tasks.sensitivity[k], threats, rng)
        load_factor = 1 + np.maximum(demand[j] / cfg.capacity_per_hour - 1, 0)
        ext_latency = external.latency_min[k, j] * load_factor
        paid = ~res["detected"]
        verify_cost = verified * verification_cost(providers.reliability[j])
        base_ext = (external.communication[k, j] + external.integration[k, j] + verify_cost
                    + paid * external.price[k, j])
        failed = ~res["success"] & ~res["fabricated"]
        undetected_fab = res["fabricated"] & ~res["detected"]
        redone = failed | (res["fabricated"] & res["detected"])
        impact = np.where(tasks.high_criticality[k], 1.5, 1.0)
        fab_harm = undetected_fab * tasks.value[k] * impact
        latency_out = ext_latency + redone * exec_min[k]
        cost_out = (base_ext + redone * internal_c.total[k] + lateness_cost(latency_out, tasks.max_latency[k], pen)
                    + res["security_loss"] + fab_harm)
        latency = np.where(local, finish_local, 0.0)
        latency[k] = latency_out
        cost_local = internal_c.total[local] + lateness_cost(finish_local[local], tasks.max_latency[local], pen)
        # ---- the published metric, in paper accounting (PAPER_FACTS 7)
        ext_total_k = external.total[k, j]
        totals["paper_savings"] += np.maximum(internal_p.total[k] - ext_total_k, 0.0).sum()
        totals["paper_kept_cost"] += internal_p.total[local].sum()
        totals["paper_time_savings"] += np.maximum(internal_p.latency_min[k] - ext_latency, 0.0).sum()
        totals["paper_kept_latency"] += internal_p.latency_min[local].sum()
        totals["paper_policy_cost"] += internal_p.total[local].sum() + ext_total_k.sum()
        totals["paper_all_local_cost"] += internal_p.total.sum()
        # ---- exposure
        rogue = is_rogue[j]
        sensitive = tasks.sensitivity[k] > 0.7
        expected = (providers.behaviour[j] == FABRICATOR) * tasks.value[k] * impact * (1 - cfg.verification_share * cfg.d_fab) \
            + (providers.behaviour[j] == 2) * cfg.q_leak * tasks.sensitivity[k] * cfg.leak_loss \
            + (providers.behaviour[j] != 2) * (providers.behaviour[j] != FABRICATOR) * (1 - providers.security[j]) * tasks.sensitivity[k] * cfg.leak_loss
        totals.update(
            tasks=totals["tasks"] + m, outsourced=totals["outsourced"] + len(k),
            explored=totals["explored"] + decision.explored.sum(),
            cost_policy=totals["cost_policy"] + cost_out.sum() + cost_local.sum(),
            cost_all_local=totals["cost_all_local"] + cost_all_local.sum(),
            latency_policy=totals["latency_policy"] + latency.sum(),
            latency_all_local=totals["latency_all_local"] + finish_all.sum(),
            topsis_sum=totals["topsis_sum"] + decision.closeness[k].sum(),
            rogue_tasks=totals["rogue_tasks"] + rogue.sum(),
            sensitive_out=totals["sensitive_out"] + sensitive.sum(),
            rogue_sensitive=totals["rogue_sensitive"] + (rogue & sensitive).sum(),
            realised_loss=totals["realised_loss"] + res["security_loss"].sum() + fab_harm.sum(),
            expected_loss=totals["expected_loss"] + expected.sum(),
            leaks=totals["leaks"] + res["leaked"].sum(),
            undetected_fabrications=totals["undetected_fabrications"] + undetected_fab.sum(),
            detections=totals["detections"] + res["detected"].sum(),
            failures=totals["failures"] + failed.sum(),
            verifications=totals["verifications"] + verified.sum(),
            confidence_sum=totals["confidence_sum"] + decision.confidence.sum(),
        )
        np.add.at(chosen_count, j, 1)
        # ---- learning with market responsiveness beta
        blacklisted_at[np.unique(j[res["detected"]])] = hour
        if learns and len(k):
            seen_success = (res["success"] | undetected_fab).astype(float)
            seen_secure = (~(res["detected"] & res["leaked"]) & ~res["incident"]).astype(float)
            counts = np.bincount(j, minlength=n)
            touched = counts > 0
            mean_success = np.bincount(j, seen_success, minlength=n)[touched] / counts[touched]
            mean_secure = np.bincount(j, seen_secure, minlength=n)[touched] / counts[touched]
            est_rel[touched] = (1 - cfg.beta) * est_rel[touched] + cfg.beta * mean_success
            est_sec[touched] = (1 - cfg.beta) * est_sec[touched] + cfg.beta * mean_secure
            history[touched] = est_rel[touched]
        if len(k):
            policy.observe(decision, Outcome(j, res["success"], res["incident"] | res["leaked"],
                                             latency_out > tasks.max_latency[k],
                                             float(price_now.mean() / providers.base_price.mean())))
        # ---- utilisation drives the next prices (Eq. 7: D = the provider's tasks last hour, S its capacity)
        demand = np.bincount(j, minlength=n).astype(float)
        backlog = np.maximum(backlog - 60.0, 0.0)
        backlog_all_local = np.maximum(backlog_all_local - 60.0, 0.0)
        step_rows.append({"hour": int(hour), "arrived": m, "outsourced": len(k), "rogue": int(rogue.sum()),
                          "mean_price": float(price_now.mean()), "cost": float(cost_out.sum() + cost_local.sum())})
        if with_events:
            events.append(pd.DataFrame({"hour": int(hour), "client": client, "task_type": tasks.task_type,
                                        "choice": choice, "explored": decision.explored,
                                        "closeness": decision.closeness, "latency": latency}))
    t = totals
    shares = chosen_count / max(chosen_count.sum(), 1)
    final_price = dynamic_price(providers.base_price, demand, cfg.capacity_per_hour,
                                cfg.capacity_per_hour * n, 1.0, cfg.alpha_demand)
    row = {
        "seed": seed,
        "tasks": int(t["tasks"]),
        "cost_reduction": 1 - t["cost_policy"] / t["cost_all_local"] if t["cost_all_local"] else np.nan,
        "time_savings": 1 - t["latency_policy"] / t["latency_all_local"] if t["latency_all_local"] else np.nan,
        "paper_cost_reduction": t["paper_savings"] / t["paper_kept_cost"] if t["paper_kept_cost"] else np.nan,
        "paper_time_savings": t["paper_time_savings"] / t["paper_kept_latency"] if t["paper_kept_latency"] else np.nan,
        "paper_accounting_all_local_reduction": 1 - t["paper_policy_cost"] / t["paper_all_local_cost"] if t["paper_all_local_cost"] else np.nan,
        "outsourcing_rate": t["outsourced"] / t["tasks"] if t["tasks"] else 0.0,
        "exploration_rate": t["explored"] / t["tasks"] if t["tasks"] else 0.0,
        "mean_confidence": t["confidence_sum"] / t["tasks"] if t["tasks"] else np.nan,
        "mean_topsis": t["topsis_sum"] / t["outsourced"] if t["outsourced"] else np.nan,
        "hhi": float((100 * shares) @ (100 * shares)),
        "price_cv": float(final_price.std() / final_price.mean()),
        "rogue_task_share": t["rogue_tasks"] / t["outsourced"] if t["outsourced"] else 0.0,
        "rogue_sensitive_share": t["rogue_sensitive"] / t["sensitive_out"] if t["sensitive_out"] else 0.0,
        "realised_loss": t["realised_loss"], "expected_loss": t["expected_loss"],
        "leaks": int(t["leaks"]), "undetected_fabrications": int(t["undetected_fabrications"]),
        "detections": int(t["detections"]), "failures": int(t["failures"]),
        "verifications": int(t["verifications"]),
        "cost_policy": t["cost_policy"], "cost_all_local": t["cost_all_local"],
    }
    steps = pd.DataFrame(step_rows)
    steps.insert(0, "seed", seed)
    return row, steps, (pd.concat(events, ignore_index=True) if with_events and events else None)


def simulate(config: MarketConfig, seed: int | None = None, events: bool = False) -> Result:
    """One seeded run of the market (``seed`` defaults to ``config.seed``).

    A run that fails raises; nothing is dropped.
    """
    if not isinstance(config, MarketConfig):
        raise TypeError(f"config must be a MarketConfig; got {type(config).__name__}")
    seed = config.seed if seed is None else check_int("seed", seed, minimum=0)
    row, steps, ev = _run(config, seed, events)
    runs = pd.DataFrame([{**{f"cfg_{k}": (str(v) if isinstance(v, tuple) else v)
                             for k, v in config.to_dict().items() if k != "seed"}, **row}])
    return Result(runs, steps, ev)


def simulate_many(config: MarketConfig, seeds: Any) -> Result:
    """Runs for several seeds, concatenated (one row per seed)."""
    seeds = [check_int("seed", int(s), minimum=0) for s in seeds]
    if not seeds:
        raise ValueError("seeds must not be empty")
    parts = [simulate(config, s) for s in seeds]
    return Result(pd.concat([p.runs for p in parts], ignore_index=True),
                  pd.concat([p.steps for p in parts], ignore_index=True))
