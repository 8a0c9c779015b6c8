"""The arrays the market's compiled hours read, keep and fill (:mod:`coalesce_games.market.kernel`).

A batch of runs is laid end to end: its providers (:class:`ProviderArrays`),
the static part of its skill scores (:class:`SkillArrays`), its tasks in
arrival order (:class:`TaskArrays`) and its configuration's scalars
(:class:`MarketConstants`) make the :class:`KernelInputs`; a run's
:class:`RunState` lives while its hours run; :class:`Outputs` receives the
per-run totals (:data:`TOTALS`), per-hour steps and per-task events.
"""

from __future__ import annotations

from typing import NamedTuple

import numpy as np

from coalesce_games.model.cost_terms import Eq69Constants, InternalConstants
from coalesce_games.model.decisions import Work, new_work
from coalesce_games.model.rules import CoalesceRule, PaperRule
from coalesce_games.model.weights import WeightFactors

__all__ = ['new_run_state', 'CONFIDENCE_SUM', 'COST_ALL_LOCAL', 'COST_POLICY', 'DETECTIONS', 'EXPECTED_LOSS',
           'EXPLORED', 'FAILURES',
           'KernelInputs', 'LATENCY_ALL_LOCAL', 'LATENCY_POLICY', 'LEAKS', 'MarketConstants', 'OUTSOURCED', 'Outputs',
           'PAPER_ALL_LOCAL_COST', 'PAPER_KEPT_COST', 'PAPER_KEPT_LATENCY', 'PAPER_POLICY_COST', 'PAPER_SAVINGS',
           'PAPER_TIME_SAVINGS', 'ProviderArrays', 'REALISED_LOSS', 'ROGUE_SENSITIVE', 'ROGUE_TASKS', 'RunState',
           'SENSITIVE_OUT', 'STEP_COLUMNS', 'SkillArrays', 'TASKS', 'TOPSIS_SUM', 'TOTALS', 'TaskArrays',
           'UNDETECTED_FABRICATIONS', 'VERIFICATIONS']

#: the per-run totals, in the order of the kernel's ``totals`` columns
TOTALS = ("tasks", "outsourced", "explored", "cost_policy", "cost_all_local", "latency_policy",
          "latency_all_local", "paper_savings", "paper_kept_cost", "paper_time_savings",
          "paper_kept_latency", "paper_policy_cost", "paper_all_local_cost", "topsis_sum",
          "rogue_tasks", "sensitive_out", "rogue_sensitive", "realised_loss", "expected_loss",
          "leaks", "undetected_fabrications", "detections", "failures", "verifications", "confidence_sum")
(TASKS, OUTSOURCED, EXPLORED, COST_POLICY, COST_ALL_LOCAL, LATENCY_POLICY, LATENCY_ALL_LOCAL, PAPER_SAVINGS,
 PAPER_KEPT_COST, PAPER_TIME_SAVINGS, PAPER_KEPT_LATENCY, PAPER_POLICY_COST, PAPER_ALL_LOCAL_COST, TOPSIS_SUM,
 ROGUE_TASKS, SENSITIVE_OUT, ROGUE_SENSITIVE, REALISED_LOSS, EXPECTED_LOSS, LEAKS, UNDETECTED_FABRICATIONS,
 DETECTIONS, FAILURES, VERIFICATIONS, CONFIDENCE_SUM) = range(len(TOTALS))
#: the per-run, per-hour columns of the kernel's ``steps``
STEP_COLUMNS = ("arrived", "outsourced", "rogue", "mean_price", "cost")


class ProviderArrays(NamedTuple):
    """The providers of all runs laid end to end; run r's are ``start[r]:start[r + 1]``."""

    start: np.ndarray          # (R + 1,)
    base_price: np.ndarray     # (P,) USD per task at balanced demand
    latency: np.ndarray        # minutes at complexity 1
    reliability: np.ndarray    # true (published) reliability
    security: np.ndarray       # true probability of no incident
    competence: np.ndarray     # success probability without the skill
    behaviour: np.ndarray      # int64 codes of threats.BEHAVIOURS
    rogue: np.ndarray          # bool
    has_skills: np.ndarray     # (P, T) bool: truly holds every skill task type t requires


class SkillArrays(NamedTuple):
    """Eq. 11 without its history term, and where each run and hour reads it."""

    static: np.ndarray         # (rows, T, n_max): w_J J + w_C C per task type and provider
    row: np.ndarray            # (R, hours): the row of ``static`` run r's hour h reads
    history_weight: float      # w_H (0 when the history term is part of ``static``)
    prior: float               # the history term's value for a newcomer
    tau: float                 # the gate: score >= tau


class TaskArrays(NamedTuple):
    """The tasks of all runs, run after run, hour by hour, in arrival order; run r's hour h is
    ``hour_start[r, h]:hour_start[r, h + 1]``. The hours cost each task as they meet it (Eq. 1-9)."""

    hour_start: np.ndarray     # (R, hours + 1)
    client: np.ndarray         # (m,) the task's client, numbered across runs
    task_type: np.ndarray
    value: np.ndarray
    complexity: np.ndarray
    data_gb: np.ndarray
    max_latency: np.ndarray
    sensitivity: np.ndarray
    high_criticality: np.ndarray
    budget: np.ndarray
    opportunity_rate: np.ndarray  # Eq. 4 in the paper accounting: the best value an hour queued behind it
    uniforms: np.ndarray          # (m, 8) exploration coin, which provider, verified, five outcome draws
    late_complexity: np.ndarray   # (m,) Eq. 6's lateness is on latency x this: complexity, or 1 (published)
    weight_noise: np.ndarray      # (m, 4) the published rule's weight step after task k, or (0, 4)


class MarketConstants(NamedTuple):
    """The scalars of a market configuration the hours need."""

    days_hours: np.ndarray       # (R,) hours of each run
    alpha_demand: float
    capacity_per_hour: float
    latency_penalty_per_min: float   # on local and outsourced lateness (the run's own)
    rogue_entry_hour: int
    reentry_hours: int
    verification_share: float
    q_leak: float
    d_fab: float
    d_leak: float
    leak_loss: float
    fabrication_impact: float
    high_criticality_impact: float
    beta: float
    paper_accounting: bool       # the rule compares with the paper accounting's internal cost
    learns: bool                 # the client updates its estimates (the coalesce rule)
    paper: bool                  # the published rule (else the coalesce rule)
    weight_noise: bool           # the published rule's weights take the steps ``TaskArrays.weight_noise``
    weight_noise_keep_above: float   # ... except after an outsourcing above this closeness


class Outputs(NamedTuple):
    """What the kernel fills."""

    totals: np.ndarray         # (R, len(TOTALS))
    steps: np.ndarray          # (R, hours, len(STEP_COLUMNS))
    choice: np.ndarray         # (m,) provider within its run, -1 local
    explored: np.ndarray       # (m,) bool
    closeness: np.ndarray      # (m,) as the rule recorded it
    latency: np.ndarray        # (m,) minutes until the client had the result
    chosen_count: np.ndarray   # (P,) tasks each provider took
    final_demand: np.ndarray   # (P,) tasks each provider took in its run's last hour


class KernelInputs(NamedTuple):
    """Everything the hours read and never change: a batch's providers, skills, tasks and constants."""

    prov: ProviderArrays
    skill: SkillArrays
    tasks: TaskArrays
    market: MarketConstants
    internal: InternalConstants
    costs: Eq69Constants
    factors: WeightFactors
    paper: PaperRule
    coalesce: CoalesceRule
    base_weights: np.ndarray   # (4,) the rule's criteria weights before any market pressure
    benefit: np.ndarray        # (4,) bool: larger is better
    eq15_table: np.ndarray     # rules.eq15_table(paper.window)
    clients: np.ndarray        # (R + 1,): run r's clients are numbered from clients[r]


class RunState(NamedTuple):
    """One run's state (what the client believes, the market's load) and the work space its hours reuse."""

    est_rel: np.ndarray        # (n,) the client's estimates of reliability
    est_sec: np.ndarray        # (n,) ... and of security
    history: np.ndarray        # (n,) Eq. 11's history term
    blacklisted_at: np.ndarray  # (n,) int64: the hour of the blacklisting, -1 for none
    demand: np.ndarray         # (n,) tasks each provider took last hour (Eq. 7's D)
    price_now: np.ndarray      # (n,) the hour's Eq. 7 price at complexity 1
    available: np.ndarray      # (n,) int64: the hour's available providers, ``counts[0]`` of them
    usable: np.ndarray         # (T, n) int64: per task type, the available providers that pass the gate
    n_usable: np.ndarray       # (T,) int64
    gated: np.ndarray          # (n,) int64: the available providers the gate last listed
    took: np.ndarray           # (n,) int64: tasks each provider took this hour
    detected_at: np.ndarray    # (n,) bool: a detection this hour
    success_sum: np.ndarray    # (n,) successes the client saw this hour
    secure_sum: np.ndarray     # (n,) tasks without a seen incident this hour
    ext_total: np.ndarray      # (n,) a task's Eq. 6-9 cost at each listed provider
    ext_latency: np.ndarray    # (n,) ... and its latency there
    weights: np.ndarray        # (4,) a task's TOPSIS weights
    factor: np.ndarray         # (4,) work space of the task's weight factors
    weights_now: np.ndarray    # (4,) our rule's criteria weights, following the market
    hour_sum: np.ndarray       # (len(TOTALS),) the hour's sums
    backlog: np.ndarray        # (clients, 2) queued minutes: under the rule, and all local
    queued: np.ndarray         # (clients,) ... under the rule when the hour began
    ring: np.ndarray           # (window,) bool: the published rule's Eq. 15 history
    ring_state: np.ndarray     # (3,) int64: next slot, flags held, high flags
    counts: np.ndarray         # int64: available providers, gated row, gated providers, history moved
    hour: np.ndarray           # float: mean price, successes, late and incidents among the outsourced tasks
    weight_work: np.ndarray    # (4, 4) work space of the criteria weights' hourly step
    work: Work                 # the candidates of a task




def new_run_state(n: int, clients: int, types: int, window: int) -> RunState:
    """A :class:`RunState` for runs of up to ``n`` providers, ``clients`` clients and ``types`` task types
    (with an Eq. 15 window of ``window``); the kernel resets it at the start of each run."""
    return RunState(np.empty(n), np.empty(n), np.empty(n), np.empty(n, dtype=np.int64), np.empty(n), np.empty(n),
                    np.empty(n, dtype=np.int64), np.empty((types, n), dtype=np.int64), np.empty(types, np.int64),
                    np.empty(n, dtype=np.int64), np.empty(n, dtype=np.int64), np.empty(n, dtype=np.bool_),
                    np.empty(n), np.empty(n), np.empty(n), np.empty(n), np.empty(4), np.empty(4), np.empty(4),
                    np.empty(len(TOTALS)), np.empty((clients, 2)), np.empty(clients), np.empty(window, dtype=np.bool_),
                    np.empty(3, dtype=np.int64), np.empty(4, dtype=np.int64), np.empty(4), np.empty((4, 4)),
                    new_work(n))
