"""The market's hours in compiled code: one pass per run, hour by hour, task by task.

:func:`coalesce_games.market.simulate_many` draws every run's random numbers
and prepares the tasks, where each sits (:func:`place_tasks`) and the static
part of Eq. 11, for a whole batch of runs at once; this module then runs the
market itself. Each hour of a run:

1. spoofers blacklisted ``reentry_hours`` ago re-enter with a fresh history;
   Eq. 7 prices follow each provider's tasks of the last hour;
2. the skill gate (Eq. 11) lists, per task type, the available providers
   that pass it (listed again only when its inputs moved); each task in
   arrival order is costed locally in both accountings
   (:func:`coalesce_games.model.costs.internal_one`, Eq. 1-5) and meets the Eq. 6-9
   cost of every listed provider (:func:`coalesce_games.model.costs.external_one`), TOPSIS
   (:func:`coalesce_games.model.topsis.score_group`) and the policy's rule
   (:func:`coalesce_games.model.policies.paper_rule`,
   :func:`coalesce_games.model.policies.coalesce_rule`), all with the state the
   hour began with (prices, estimates, blacklist, the client's queue);
3. a local task queues on its client's single worker; an outsourced one
   succeeds, fails, leaks or is fabricated (:func:`coalesce_games.model.threats.outcome_one`)
   and is costed; both accountings and the all-local counterfactual are summed;
4. at the end of the hour detections blacklist, the client's estimates and
   (``coalesce`` rule) criteria weights move with ``beta``, and the providers'
   tasks become the next hour's demand.

A per-task, per-candidate loop costs a few nanoseconds a candidate here
instead of microseconds in Python, and an hour costs no interpreter calls,
which is what a market of a few tasks an hour needs (a vectorised hour pays
its numpy calls whatever its size). Every sum runs in task order, so a run's
numbers do not depend on the other runs of its batch, and they equal the
task-by-task Python reference ``benchmarks/loop_market.py`` (tested). The
scalar formulas the hours call are the numpy ones operation for operation,
tested equal bit for bit; :func:`market_shape` sums each run's HHI and price
spread in provider order.
"""

from __future__ import annotations

from typing import NamedTuple

import numba
import numpy as np

from coalesce_games.model.costs import Eq69Constants, InternalConstants, communication_one, external_one, internal_one
from coalesce_games.model.rules import CoalesceRule, PaperRule, coalesce_rule, paper_rule
from coalesce_games.model.threats import FABRICATOR, LEECHER, SPOOFER, outcome_one
from coalesce_games.model.topsis import score_group
from coalesce_games.model.weights import WeightFactors, weight_factors_one, weights_update

__all__ = ['CONFIDENCE_SUM', 'COST_ALL_LOCAL', 'COST_POLICY', 'DETECTIONS', 'EXPECTED_LOSS', 'EXPLORED', 'FAILURES', 'LATENCY_ALL_LOCAL', 'LATENCY_POLICY', 'LEAKS', 'MarketConstants', 'OUTSOURCED', 'Outputs', 'PAPER_ALL_LOCAL_COST', 'PAPER_KEPT_COST', 'PAPER_KEPT_LATENCY', 'PAPER_POLICY_COST', 'PAPER_SAVINGS', 'PAPER_TIME_SAVINGS', 'ProviderArrays', 'REALISED_LOSS', 'ROGUE_SENSITIVE', 'ROGUE_TASKS', 'SENSITIVE_OUT', 'STEP_COLUMNS', 'SkillArrays', 'TASKS', 'TOPSIS_SUM', 'TOTALS', 'TaskArrays', 'UNDETECTED_FABRICATIONS', 'VERIFICATIONS', 'expected_loss', 'market_shape', 'place_tasks', 'run_batch', 'skill_gate', 'uniform_pick']

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


@numba.njit(cache=True, nogil=True)
def run_batch(prov: ProviderArrays, skill: SkillArrays, tasks: TaskArrays, market: MarketConstants,
              internal: InternalConstants, costs: Eq69Constants, factors: WeightFactors, paper: PaperRule,
              coalesce: CoalesceRule, base_weights: np.ndarray, benefit: np.ndarray, eq15_table: np.ndarray,
              clients: np.ndarray, out: Outputs) -> None:
    """Every run of the batch, one after another (``clients`` (R + 1,): run r's clients'
    numbers start at ``clients[r]``)."""
    for r in range(len(prov.start) - 1):
        _run(r, prov, skill, tasks, market, internal, costs, factors, paper, coalesce, base_weights, benefit,
             eq15_table, clients, out)


@numba.njit(cache=True, nogil=True)
def _run(r: int, prov: ProviderArrays, skill: SkillArrays, tasks: TaskArrays, market: MarketConstants,
         internal: InternalConstants, costs: Eq69Constants, factors: WeightFactors, paper: PaperRule,
         coalesce: CoalesceRule, base_weights: np.ndarray, benefit: np.ndarray, eq15_table: np.ndarray,
         clients: np.ndarray, out: Outputs) -> None:  # pragma: no cover (compiled)
    p0, n = prov.start[r], prov.start[r + 1] - prov.start[r]
    # ---- the client's view of the market, and the market's own state
    est_rel = prov.reliability[p0:p0 + n].copy()
    est_sec = prov.security[p0:p0 + n].copy()
    history = np.full(n, skill.prior)
    blacklisted_at = np.full(n, -1, dtype=np.int64)
    demand = np.zeros(n)                       # tasks each provider took last hour (Eq. 7's D)
    supply_total = market.capacity_per_hour * n
    base_mean = 0.0
    for j in range(n):
        base_mean += prov.base_price[p0 + j]
    base_mean /= n
    weights_now = base_weights / base_weights.sum()      # the coalesce rule's criteria weights
    ring, ring_state = np.zeros(paper.window, dtype=np.bool_), np.zeros(3, dtype=np.int64)   # Eq. 15 history
    c0 = clients[r]
    backlog = np.zeros((clients[r + 1] - c0, 2))   # queued minutes: under the rule, and all local
    queued = np.zeros(clients[r + 1] - c0)          # ... under the rule when the hour began
    # ---- work space, reused every hour
    price_now, available = np.empty(n), np.empty(n, dtype=np.int64)    # the hour's prices; its available providers
    usable, n_usable = np.empty((skill.static.shape[1], n), dtype=np.int64), np.zeros(skill.static.shape[1], np.int64)
    # the gate is listed again only when what it reads moved: its row, the available providers, their history
    gated_row, gated, n_gated, history_moved = -1, np.empty(n, dtype=np.int64), -1, True
    took, detected_at = np.zeros(n, dtype=np.int64), np.zeros(n, dtype=np.bool_)
    success_sum, secure_sum = np.zeros(n), np.zeros(n)
    values, cols, scratch = np.empty((4, n)), np.empty(n, dtype=np.int64), np.empty((3, 4))
    weights, factor, hour_sum = np.empty(4), np.empty(4), np.zeros(len(TOTALS))
    for h in range(market.days_hours[r]):
        # ---- spoofers re-enter under a new identity; prices from last hour's load (Eq. 7)
        for j in range(n):
            g = p0 + j
            if blacklisted_at[j] >= 0 and prov.behaviour[g] == SPOOFER and h - blacklisted_at[j] >= market.reentry_hours:
                blacklisted_at[j] = -1
                history[j] = skill.prior
                history_moved = True
                est_rel[j] = prov.reliability[g]
        mean_price, n_available = 0.0, 0
        for j in range(n):
            g = p0 + j
            price_now[j] = prov.base_price[g] * (1 + market.alpha_demand * (demand[j] - market.capacity_per_hour)
                                                 / supply_total) * 1.0
            if price_now[j] < 0:
                raise ValueError("dynamic price turned negative; demand/supply out of range")
            mean_price += price_now[j]
            if blacklisted_at[j] < 0 and (not prov.rogue[g] or h >= market.rogue_entry_hour):
                available[n_available] = j
                n_available += 1
        first, last = tasks.hour_start[r, h], tasks.hour_start[r, h + 1]
        row = skill.row[r, h]
        if last > first and (row != gated_row or n_available != n_gated or (history_moved and skill.history_weight != 0)
                             or not _same(available, gated, n_available)):
            skill_gate(skill, row, history, available[:n_available], usable, n_usable)
            gated_row, n_gated, history_moved = row, n_available, False
            gated[:n_available] = available[:n_available]
        out.steps[r, h, 0] = last - first
        out.steps[r, h, 3] = mean_price / n
        hour_sum[:] = 0.0
        took[:] = 0
        detected_at[:] = False
        success_sum[:] = 0.0
        secure_sum[:] = 0.0
        out_success, out_late, out_incident = 0.0, 0.0, 0.0
        queued[:] = backlog[:, 0]
        for k in range(first, last):
            t = tasks.task_type[k]
            client = tasks.client[k] - c0
            # ---- the task's Eq. 1-5 in both accountings, Eq. 6's transfer and Eq. 7's complexity factor
            internal_total, exec_min = internal_one(t, tasks.complexity[k], tasks.data_gb[k], 0.0, False, internal)
            paper_total, paper_latency = internal_one(t, tasks.complexity[k], tasks.data_gb[k],
                                                      tasks.opportunity_rate[k], True, internal)
            communication = communication_one(tasks.data_gb[k], costs)
            price_factor = 1 + costs.complexity_price_factor * (tasks.complexity[k] - 1)
            # ---- the task's weights and what the client expects of running it itself
            weight_factors_one(tasks.budget[k], tasks.value[k], tasks.max_latency[k], tasks.sensitivity[k], factors,
                               factor)
            if market.paper:
                for c in range(4):
                    weights[c] = base_weights[c] * factor[c]
            else:
                for c in range(4):
                    weights[c] = weights_now[c] * factor[c]
            weights /= ((weights[0] + weights[1]) + weights[2]) + weights[3]
            wait = queued[client] + exec_min
            internal_seen = (paper_total if market.paper_accounting else internal_total) \
                + max(wait - tasks.max_latency[k], 0.0) * market.latency_penalty_per_min
            # ---- Eq. 6-9 costs of the providers that pass the gate, and the cost test
            count = 0
            for e in range(n_usable[t]):
                j = usable[t, e]
                g = p0 + j
                total, latency_min = external_one(
                    price_now[j] * price_factor, est_rel[j], prov.latency[g], tasks.complexity[k],
                    tasks.value[k], tasks.high_criticality[k], communication, tasks.max_latency[k], costs)
                if market.paper or total < internal_seen:
                    values[0, count], values[1, count] = total, est_rel[j]
                    values[2, count], values[3, count] = latency_min, est_sec[j]
                    cols[count] = j
                    count += 1
            pick, top = -1, 0.0
            if count:
                best, top = score_group(values[:, :count], weights, benefit, paper.minmax if market.paper
                                        else coalesce.minmax, scratch)
                pick = cols[best]
            # ---- the rule: explore (the published rule among all available providers, ours among the
            # eligible ones), or TOPSIS's best under the rule's gates
            if market.paper:
                tried = uniform_pick(available, n_available, tasks.uniforms[k, 1]) if tasks.uniforms[k, 0] < paper.epsilon else -1
                choice, closeness, confidence = paper_rule(pick, top, tried, ring, ring_state, eq15_table, paper)
                explored = tried >= 0
            else:
                tried = uniform_pick(usable[t], n_usable[t], tasks.uniforms[k, 1]) if tasks.uniforms[k, 0] < coalesce.epsilon else -1
                choice, confidence = coalesce_rule(pick, tried, coalesce)
                closeness, explored = top, tried >= 0
            local = choice < 0
            # ---- the client's single worker, under the rule and with every task local
            backlog[client, 0] += exec_min if local else 0.0
            backlog[client, 1] += exec_min
            finish_local, finish_all = backlog[client, 0], backlog[client, 1]
            pen = market.latency_penalty_per_min
            s = hour_sum
            s[TASKS] += 1.0
            s[EXPLORED] += explored
            s[COST_ALL_LOCAL] += internal_total + max(finish_all - tasks.max_latency[k], 0.0) * pen
            s[LATENCY_ALL_LOCAL] += finish_all
            s[PAPER_ALL_LOCAL_COST] += paper_total
            s[CONFIDENCE_SUM] += confidence
            out.choice[k], out.explored[k], out.closeness[k] = choice, explored, closeness
            if local:
                s[PAPER_POLICY_COST] += paper_total
                s[LATENCY_POLICY] += finish_local
                s[PAPER_KEPT_COST] += paper_total
                s[PAPER_KEPT_LATENCY] += paper_latency
                s[COST_POLICY] += internal_total + max(finish_local - tasks.max_latency[k], 0.0) * pen
                out.latency[k] = finish_local
                continue
            # ---- outsourced: priced as the client priced it, then what happened
            j = choice
            g = p0 + j
            price = price_now[j] * price_factor
            total, latency_min = external_one(price, est_rel[j], prov.latency[g], tasks.complexity[k], tasks.value[k],
                                              tasks.high_criticality[k], communication,
                                              tasks.max_latency[k], costs)
            p_success = prov.reliability[g] if prov.has_skills[g, t] else prov.competence[g]
            verified = tasks.uniforms[k, 2] < market.verification_share
            success, fabricated, leaked, incident, detected, loss = outcome_one(
                prov.behaviour[g], p_success, prov.security[g], verified, tasks.sensitivity[k], market.q_leak,
                market.d_fab, market.d_leak, market.leak_loss, tasks.uniforms[k, 3:])
            ext_latency = latency_min * (1 + max(demand[j] / market.capacity_per_hour - 1, 0))
            verify_cost = (costs.verification_automated if prov.reliability[g] > costs.automated_reliability
                           else costs.verification_manual) if verified else 0.0
            base_ext = communication + costs.integration + verify_cost + (0.0 if detected else price)
            failed = not success and not fabricated
            undetected_fab = fabricated and not detected
            redone = failed or (fabricated and detected)
            impact = market.high_criticality_impact if tasks.high_criticality[k] else market.fabrication_impact
            fab_harm = tasks.value[k] * impact if undetected_fab else 0.0
            latency_out = ext_latency + (exec_min if redone else 0.0)
            late_out = max(latency_out - tasks.max_latency[k], 0.0) * pen
            cost_out = base_ext + (internal_total if redone else 0.0) + late_out + loss + fab_harm
            out.latency[k] = latency_out
            s[PAPER_POLICY_COST] += total
            s[LATENCY_POLICY] += latency_out
            s[COST_POLICY] += cost_out
            behaviour, rogue = prov.behaviour[g], prov.rogue[g]
            sensitive = tasks.sensitivity[k] > factors.high_sensitivity
            s[OUTSOURCED] += 1.0
            s[PAPER_SAVINGS] += max(paper_total - total, 0.0)
            s[PAPER_TIME_SAVINGS] += max(paper_latency - ext_latency, 0.0)
            s[TOPSIS_SUM] += closeness
            s[ROGUE_TASKS] += rogue
            s[SENSITIVE_OUT] += sensitive
            s[ROGUE_SENSITIVE] += rogue and sensitive
            s[REALISED_LOSS] += loss + fab_harm
            s[EXPECTED_LOSS] += expected_loss(behaviour, tasks.value[k] * impact, tasks.sensitivity[k],
                                              prov.security[g], market)
            s[LEAKS] += leaked
            s[UNDETECTED_FABRICATIONS] += undetected_fab
            s[DETECTIONS] += detected
            s[FAILURES] += failed
            s[VERIFICATIONS] += verified
            took[j] += 1
            detected_at[j] |= detected
            success_sum[j] += success or undetected_fab        # what the client saw
            secure_sum[j] += not (detected and leaked) and not incident
            out_success += success
            out_late += latency_out > tasks.max_latency[k]
            out_incident += incident or leaked
        # ---- the hour's sums, what the client learnt, and next hour's load
        out.totals[r] += hour_sum
        out.steps[r, h, 1] = hour_sum[OUTSOURCED]
        out.steps[r, h, 2] = hour_sum[ROGUE_TASKS]
        out.steps[r, h, 4] = hour_sum[COST_POLICY]
        for j in range(n):
            out.chosen_count[p0 + j] += took[j]
            if detected_at[j]:
                blacklisted_at[j] = h
            if market.learns and took[j] > 0:
                est_rel[j] = (1 - market.beta) * est_rel[j] + market.beta * (success_sum[j] / took[j])
                est_sec[j] = (1 - market.beta) * est_sec[j] + market.beta * (secure_sum[j] / took[j])
                history[j] = est_rel[j]
                history_moved = True
            demand[j] = took[j]
        outsourced = hour_sum[OUTSOURCED]
        if not market.paper and outsourced > 0:
            price_index = (mean_price / n) / base_mean
            weights_update(weights_now, base_weights, price_index, out_success / outsourced,
                           out_late / outsourced, out_incident / outsourced, market.beta)
        for c in range(clients[r + 1] - c0):
            backlog[c, 0] = max(backlog[c, 0] - 60.0, 0.0)
            backlog[c, 1] = max(backlog[c, 1] - 60.0, 0.0)
    for j in range(n):
        out.final_demand[p0 + j] = demand[j]


@numba.njit(cache=True, nogil=True)
def market_shape(chosen: np.ndarray, final_price: np.ndarray, start: np.ndarray, hhi: np.ndarray,
                 price_cv: np.ndarray) -> None:  # pragma: no cover (compiled)
    """Each run's Herfindahl index of its providers' task shares (in percent points, 0-10,000) and the
    coefficient of variation of their final prices (NaN when every price is 0), summed in provider order.

    >>> hhi, cv = np.empty(2), np.empty(2)
    >>> market_shape(np.array([3.0, 1.0, 0.0, 0.0]), np.array([1.0, 3.0, 0.0, 0.0]), np.array([0, 2, 4]), hhi, cv)
    >>> hhi.tolist(), cv.round(6).tolist()      # 75^2 + 25^2; sd 1 over mean 2
    ([6250.0, 0.0], [0.5, nan])
    """
    for r in range(len(start) - 1):
        first, n = start[r], start[r + 1] - start[r]
        total, mean = 0.0, 0.0
        for j in range(first, first + n):
            total += chosen[j]
            mean += final_price[j]
        mean /= n
        concentration, spread = 0.0, 0.0
        for j in range(first, first + n):
            share = 100 * (chosen[j] / max(total, 1.0))
            concentration += share * share
            spread += (final_price[j] - mean) ** 2
        hhi[r] = concentration
        price_cv[r] = np.sqrt(spread / n) / mean if mean > 0 else np.nan


@numba.njit(cache=True, nogil=True)
def place_tasks(counts: np.ndarray, first_cell: np.ndarray, clients: np.ndarray, hour_start: np.ndarray,
                client: np.ndarray, hour: np.ndarray, run: np.ndarray,
                cell: np.ndarray) -> None:  # pragma: no cover (compiled)
    """Where each task of a batch sits: its run, hour, client and (run, hour, client) cell.

    ``counts`` holds each run's (hours, clients) arrivals flattened, run after
    run (run r's from ``first_cell[r]``, its clients numbered from
    ``clients[r]``); tasks are numbered run by run, hour by hour, client by
    client. ``hour_start[r, h]`` is the first task of run r's hour h, and the
    run's end for the hours after its last.

    >>> hour_start, where = np.zeros((1, 3), np.int64), np.zeros((4, 3), np.int64)
    >>> place_tasks(np.array([2, 0, 0, 1]), np.array([0, 4]), np.array([0, 2]), hour_start, *where)
    >>> hour_start.tolist(), where.tolist()
    ([[0, 2, 3]], [[0, 0, 1], [0, 0, 1], [0, 0, 0], [0, 0, 3]])
    """
    k = 0
    for r in range(len(first_cell) - 1):
        n_clients = clients[r + 1] - clients[r]
        hours = (first_cell[r + 1] - first_cell[r]) // n_clients
        for h in range(hour_start.shape[1]):
            hour_start[r, h] = k
            if h >= hours:
                continue
            for c in range(n_clients):
                here = first_cell[r] + h * n_clients + c
                for _ in range(counts[here]):
                    client[k], hour[k], run[k], cell[k] = clients[r] + c, h, r, here
                    k += 1


@numba.njit(cache=True, nogil=True)
def _same(a: np.ndarray, b: np.ndarray, count: int) -> bool:  # pragma: no cover (compiled)
    """Whether the first ``count`` entries of ``a`` and ``b`` are equal (no temporary array)."""
    for i in range(count):
        if a[i] != b[i]:
            return False
    return True


@numba.njit(cache=True, nogil=True)
def skill_gate(skill: SkillArrays, row: int, history: np.ndarray, available: np.ndarray, usable: np.ndarray,
               n_usable: np.ndarray) -> None:  # pragma: no cover (compiled)
    """Eq. 11's gate for an hour: per task type t, the ``n_usable[t]`` providers of ``available``
    with ``w_J J + w_C C + w_H H >= tau``, in order, into ``usable[t]``."""
    for t in range(skill.static.shape[1]):
        n_usable[t] = 0
        for j in available:
            if skill.static[row, t, j] + skill.history_weight * history[j] >= skill.tau:
                usable[t, n_usable[t]] = j
                n_usable[t] += 1


@numba.njit(cache=True, nogil=True)
def uniform_pick(listed: np.ndarray, count: int, u: float) -> int:  # pragma: no cover (compiled)
    """The ``floor(u x count)``-th of the ``count`` providers ``listed``, -1 when there is none:
    a uniformly random pick from one uniform (as :func:`coalesce_games.model.policies.nth_usable`)."""
    return listed[min(int(np.floor(u * count)), count - 1)] if count else -1


@numba.njit(cache=True, nogil=True)
def expected_loss(behaviour: int, harm: float, sensitivity: float, security: float,
                  market: MarketConstants) -> float:  # pragma: no cover (compiled)
    """A task's expected security loss at its provider, given its behaviour (USD).

    A fabricator's harm ``value x impact`` unless verification catches it
    (``1 - v d_fab``); a leecher's ``q_leak x sensitivity x leak_loss``; an
    honest provider's (or a spoofer's) incident risk ``(1 - security) x
    sensitivity x leak_loss``.
    """
    fab = harm * (1 - market.verification_share * market.d_fab) if behaviour == FABRICATOR else 0.0
    leech = market.q_leak * sensitivity * market.leak_loss if behaviour == LEECHER else 0.0
    other = (1 - security) * sensitivity * market.leak_loss if behaviour != LEECHER and behaviour != FABRICATOR \
        else 0.0
    return fab + leech + other
