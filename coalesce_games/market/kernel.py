"""The market's hours in compiled code: one pass per run, hour by hour, task by task.

:func:`coalesce_games.market.simulation.simulate_many` draws every run's random
numbers and prepares the tasks, where each sits (:func:`place_tasks`) and the
static part of Eq. 11, for a whole batch of runs at once; this module then runs
the market itself, as named compiled steps. Each hour of a run
(``papers/model.md``, section 7.2):

1. :func:`_open_hour`: spoofers blacklisted ``reentry_hours`` ago re-enter
   with a fresh history; Eq. 7 prices follow each provider's tasks of the last
   hour; the available providers are listed;
2. :func:`_gate_hour`: the skill gate (Eq. 11) lists, per task type, the
   available providers that pass it (listed again only when its inputs moved);
3. :func:`_task` for each task in arrival order: :func:`_decide_task` costs it
   locally in both accountings (Eq. 1-5) and at every listed provider (Eq. 6-9),
   finds TOPSIS's best candidate and applies the policy's rule, all with the
   state the hour began with; a local task queues on its client's single worker,
   and :func:`_settle` draws what happens to an outsourced one (success, failure,
   leak, fabrication) and costs it; both accountings and the all-local
   counterfactual are summed;
4. :func:`_close_hour`: detections blacklist, the client's estimates and (our
   rule) criteria weights move with ``beta``, and the providers' tasks become
   the next hour's demand.

Every formula is the model's own compiled scalar form
(:mod:`coalesce_games.model.cost_terms`, :mod:`coalesce_games.model.weights`,
:mod:`coalesce_games.model.topsis`, :mod:`coalesce_games.model.rules`,
:mod:`coalesce_games.model.threats`); the deciding steps are those the
policies' ``decide`` runs (:mod:`coalesce_games.model.decisions`). Every sum
runs in task order, so a run's numbers do not depend on the other runs of its
batch, and they equal the task-by-task Python reference
:mod:`coalesce_games.market.reference` (tested). :func:`market_shape` sums each
run's HHI and price spread in provider order.

The hours allocate nothing: every array they use is allocated beforehand
(:func:`coalesce_games.market.arrays.new_run_state`), so the run and its steps
are compiled without numba's reference counting (``_nrt=False``) and the steps
are inlined into the run's loop (``inline="always"``); a step then costs no
call and no reference count for the dozens of arrays the inputs and the state
hold.
"""

from __future__ import annotations

import numba
import numpy as np

from coalesce_games.market.arrays import (
    CONFIDENCE_SUM,
    COST_ALL_LOCAL,
    COST_POLICY,
    DETECTIONS,
    EXPECTED_LOSS,
    EXPLORED,
    FAILURES,
    LATENCY_ALL_LOCAL,
    LATENCY_POLICY,
    LEAKS,
    OUTSOURCED,
    PAPER_ALL_LOCAL_COST,
    PAPER_KEPT_COST,
    PAPER_KEPT_LATENCY,
    PAPER_POLICY_COST,
    PAPER_SAVINGS,
    PAPER_TIME_SAVINGS,
    REALISED_LOSS,
    ROGUE_SENSITIVE,
    ROGUE_TASKS,
    SENSITIVE_OUT,
    TASKS,
    TOPSIS_SUM,
    TOTALS,
    UNDETECTED_FABRICATIONS,
    VERIFICATIONS,
    KernelInputs,
    MarketConstants,
    Outputs,
    RunState,
    SkillArrays,
)
from coalesce_games.model.cost_terms import (
    communication_one,
    complexity_price_one,
    ewma_one,
    external_one,
    internal_one,
    lateness_one,
    price_one,
    verification_one,
)
from coalesce_games.model.decisions import best_candidate
from coalesce_games.model.rules import apply_rule
from coalesce_games.model.threats import FABRICATOR, LEECHER, SPOOFER, outcome_one
from coalesce_games.model.weights import follow_market, task_weights_one, weight_noise_step

__all__ = ['expected_loss', 'market_shape', 'place_tasks', 'run_batch', 'skill_gate']

@numba.njit(cache=True, nogil=True, _nrt=False)
def run_batch(inp: KernelInputs, st: RunState, out: Outputs) -> None:  # pragma: no cover (compiled)
    """Every run of the batch, one after another, each starting from a fresh state ``st``
    (:func:`coalesce_games.market.arrays.new_run_state`, sized for the batch's largest run)."""
    for r in range(len(inp.prov.start) - 1):
        _run(r, inp, st, out)


@numba.njit(cache=True, nogil=True, _nrt=False)
def _run(r: int, inp: KernelInputs, st: RunState, out: Outputs) -> None:  # pragma: no cover (compiled)
    """Run r, hour by hour, task by task."""
    p0, n = inp.prov.start[r], inp.prov.start[r + 1] - inp.prov.start[r]
    _reset_state(r, inp, st)
    for h in range(inp.market.days_hours[r]):
        _open_hour(r, h, inp, st)
        first, last = inp.tasks.hour_start[r, h], inp.tasks.hour_start[r, h + 1]
        if last > first:
            _gate_hour(r, h, inp, st)
        out.steps[r, h, 0] = last - first
        out.steps[r, h, 3] = st.hour[0] / n
        for c in range(len(st.queued)):
            st.queued[c] = st.backlog[c, 0]
        for k in range(first, last):
            _task(r, k, inp, st, out)
        _close_hour(r, h, inp, st, out)
    for j in range(n):
        out.final_demand[p0 + j] = st.demand[j]


@numba.njit(cache=True, nogil=True, _nrt=False, inline="always")
def _reset_state(r: int, inp: KernelInputs, st: RunState) -> None:  # pragma: no cover (compiled)
    """Run r's state before its first hour: the client believes the published reliability and security."""
    p0, n = inp.prov.start[r], inp.prov.start[r + 1] - inp.prov.start[r]
    for j in range(n):
        st.est_rel[j], st.est_sec[j] = inp.prov.reliability[p0 + j], inp.prov.security[p0 + j]
    st.history[:] = inp.skill.prior
    st.blacklisted_at[:] = -1
    st.demand[:] = 0.0
    st.n_usable[:] = 0
    total = 0.0
    for c in range(len(inp.base_weights)):
        total += inp.base_weights[c]
    for c in range(len(inp.base_weights)):
        st.weights_now[c] = inp.base_weights[c] / total
    st.backlog[:] = 0.0
    st.ring[:] = False
    st.ring_state[:] = 0
    st.counts[0], st.counts[1], st.counts[2], st.counts[3] = 0, -1, -1, 1   # nothing gated yet; history moved


@numba.njit(cache=True, nogil=True, _nrt=False, inline="always")
def _open_hour(r: int, h: int, inp: KernelInputs, st: RunState) -> None:  # pragma: no cover (compiled)
    """Re-entry and prices: blacklisted spoofers come back after ``reentry_hours`` with a fresh history; Eq. 7
    prices from last hour's load; the hour's available providers and their mean price."""
    prov, market = inp.prov, inp.market
    p0, n = prov.start[r], prov.start[r + 1] - prov.start[r]
    blacklisted_at, behaviour, price_now, available = st.blacklisted_at, prov.behaviour, st.price_now, st.available
    for j in range(n):
        if blacklisted_at[j] >= 0 and behaviour[p0 + j] == SPOOFER and h - blacklisted_at[j] >= market.reentry_hours:
            blacklisted_at[j] = -1
            st.history[j] = inp.skill.prior
            st.counts[3] = 1
            st.est_rel[j] = prov.reliability[p0 + j]
    mean_price, n_available, base_price, demand, rogue = 0.0, 0, prov.base_price, st.demand, prov.rogue
    capacity, alpha, factor = market.capacity_per_hour, market.alpha_demand, inp.costs.complexity_price_factor
    for j in range(n):
        price_now[j] = price_one(base_price[p0 + j], demand[j], capacity, capacity * n, 1.0, alpha, factor)
        if price_now[j] < 0:
            raise ValueError("dynamic price turned negative; demand/supply out of range")
        mean_price += price_now[j]
        if blacklisted_at[j] < 0 and (not rogue[p0 + j] or h >= market.rogue_entry_hour):
            available[n_available] = j
            n_available += 1
    st.counts[0] = n_available
    st.hour[:] = 0.0
    st.hour[0] = mean_price
    st.hour_sum[:] = 0.0
    st.took[:] = 0
    st.detected_at[:] = False
    st.success_sum[:] = 0.0
    st.secure_sum[:] = 0.0


@numba.njit(cache=True, nogil=True, _nrt=False, inline="always")
def _gate_hour(r: int, h: int, inp: KernelInputs, st: RunState) -> None:  # pragma: no cover (compiled)
    """The skill gate for the hour, listed again only when what it reads moved: its row of static scores,
    the available providers, or (when Eq. 11 weighs it) their history."""
    row, n_available = inp.skill.row[r, h], st.counts[0]
    moved = st.counts[3] == 1 and inp.skill.history_weight != 0
    if row != st.counts[1] or n_available != st.counts[2] or moved or not _same(st.available, st.gated, n_available):
        skill_gate(inp.skill, row, st.history, st.available, n_available, st.usable, st.n_usable)
        st.counts[1], st.counts[2], st.counts[3] = row, n_available, 0
        for e in range(n_available):
            st.gated[e] = st.available[e]


@numba.njit(cache=True, nogil=True, _nrt=False, inline="always")
def _task(r: int, k: int, inp: KernelInputs, st: RunState, out: Outputs) -> None:  # pragma: no cover (compiled)
    """Task k: decided, then queued on its client's single worker or settled at its provider; the hour's sums
    under the rule and with every task local."""
    tasks, market = inp.tasks, inp.market
    t, client = tasks.task_type[k], tasks.client[k] - inp.clients[r]
    # the task's Eq. 1-5 in both accountings
    ours = internal_one(t, tasks.complexity[k], tasks.data_gb[k], 0.0, False, inp.internal)
    paper = internal_one(t, tasks.complexity[k], tasks.data_gb[k], tasks.opportunity_rate[k], True, inp.internal)
    internal_total, exec_min, paper_total, paper_latency = ours[6], ours[7], paper[6], paper[7]
    choice, closeness, confidence, explored = _decide_task(r, k, internal_total, exec_min, paper_total, inp, st)
    local = choice < 0
    st.backlog[client, 0] += exec_min if local else 0.0
    st.backlog[client, 1] += exec_min
    finish_local, finish_all = st.backlog[client, 0], st.backlog[client, 1]
    pen, s = market.latency_penalty_per_min, st.hour_sum
    s[TASKS] += 1.0
    s[EXPLORED] += explored
    s[COST_ALL_LOCAL] += internal_total + lateness_one(finish_all, tasks.max_latency[k], pen)
    s[LATENCY_ALL_LOCAL] += finish_all
    s[PAPER_ALL_LOCAL_COST] += paper_total
    s[CONFIDENCE_SUM] += confidence
    out.choice[k], out.explored[k], out.closeness[k] = choice, explored, closeness
    if local:
        s[PAPER_POLICY_COST] += paper_total
        s[LATENCY_POLICY] += finish_local
        s[PAPER_KEPT_COST] += paper_total
        s[PAPER_KEPT_LATENCY] += paper_latency
        s[COST_POLICY] += internal_total + lateness_one(finish_local, tasks.max_latency[k], pen)
        out.latency[k] = finish_local
    else:
        _settle(r, k, choice, closeness, internal_total, exec_min, paper_total, paper_latency, inp, st, out)


@numba.njit(cache=True, nogil=True, _nrt=False, inline="always")
def _decide_task(r: int, k: int, internal_total: float, exec_min: float, paper_total: float, inp: KernelInputs,
                 st: RunState) -> tuple[int, float, float, bool]:  # pragma: no cover (compiled)
    """Deciding task k with the state the hour began with: its weights, what running it itself would cost
    (the client's queue included), the Eq. 6-9 cost of every provider that passes the gate, TOPSIS's best
    candidate and the rule. Returns ``(choice, closeness, confidence, explored)``."""
    tasks, market, costs = inp.tasks, inp.market, inp.costs
    t, client, p0 = tasks.task_type[k], tasks.client[k] - inp.clients[r], inp.prov.start[r]
    # the published rule weighs with its base weights, or with the noisy weights it carries (weight_noise)
    noisy = market.paper and market.weight_noise
    task_weights_one(inp.base_weights if market.paper and not noisy else st.weights_now, tasks.budget[k],
                     tasks.value[k], tasks.max_latency[k], tasks.sensitivity[k], inp.factors, st.factor, st.weights)
    internal_seen = (paper_total if market.paper_accounting else internal_total) \
        + lateness_one(st.queued[client] + exec_min, tasks.max_latency[k], market.latency_penalty_per_min)
    communication = communication_one(tasks.data_gb[k], costs.output_gb, costs.transfer_per_gb,
                                      costs.communication_fixed)
    price_factor = complexity_price_one(tasks.complexity[k], costs.complexity_price_factor)
    usable, price_now, est_rel, latency = st.usable[t], st.price_now, st.est_rel, inp.prov.latency
    ext_total, ext_latency = st.ext_total, st.ext_latency
    complexity, value, critical, max_latency = (tasks.complexity[k], tasks.value[k], tasks.high_criticality[k],
                                                tasks.max_latency[k])
    late_complexity = tasks.late_complexity[k]     # the task's complexity, or 1 (late_latency "quoted")
    for e in range(st.n_usable[t]):
        j = usable[e]
        parts = external_one(price_now[j] * price_factor, est_rel[j], latency[p0 + j], late_complexity, value,
                             critical, communication, max_latency, costs)
        ext_total[j], ext_latency[j] = parts[3], latency[p0 + j] * complexity
    minmax = inp.paper.minmax if market.paper else inp.coalesce.minmax
    pick, top = best_candidate(usable, st.n_usable[t], ext_total, est_rel, ext_latency, st.est_sec,
                               internal_seen, not market.paper, st.weights, inp.benefit, minmax, st.work)
    # the published rule explores among all available providers, ours among the eligible ones
    explorable, n_explorable = (st.available, st.counts[0]) if market.paper else (st.usable[t], st.n_usable[t])
    choice, closeness, confidence, explored = apply_rule(market.paper, pick, top, tasks.uniforms[k, 0],
                                                         tasks.uniforms[k, 1], explorable, n_explorable, st.ring,
                                                         st.ring_state, inp.eq15_table, inp.paper, inp.coalesce)
    # the published weights step after each task that reached TOPSIS, from the run's second on, unless it went
    # out above 0.8 (papers/model.md section 7.5)
    if noisy and not explored and pick >= 0 and st.ring_state[1] > 1 \
            and not (choice >= 0 and closeness > market.weight_noise_keep_above):
        weight_noise_step(st.weights_now, tasks.weight_noise[k])
    return choice, closeness, confidence, explored


@numba.njit(cache=True, nogil=True, _nrt=False, inline="always")
def _settle(r: int, k: int, j: int, closeness: float, internal_total: float, exec_min: float, paper_total: float,
            paper_latency: float, inp: KernelInputs, st: RunState, out: Outputs) -> None:  # pragma: no cover
    """Task k outsourced to provider j: priced as the client priced it, then what happened (success, failure,
    leak, fabrication, detection) and what it cost; a failure or a caught fabrication is redone locally."""
    tasks, market, costs, prov = inp.tasks, inp.market, inp.costs, inp.prov
    t, g, s, pen = tasks.task_type[k], prov.start[r] + j, st.hour_sum, market.latency_penalty_per_min
    communication = communication_one(tasks.data_gb[k], costs.output_gb, costs.transfer_per_gb,
                                      costs.communication_fixed)
    price = st.price_now[j] * complexity_price_one(tasks.complexity[k], costs.complexity_price_factor)
    parts = external_one(price, st.est_rel[j], prov.latency[g], tasks.late_complexity[k], tasks.value[k],
                         tasks.high_criticality[k], communication, tasks.max_latency[k], costs)
    total, latency_min = parts[3], prov.latency[g] * tasks.complexity[k]
    p_success = prov.reliability[g] if prov.has_skills[g, t] else prov.competence[g]
    verified = tasks.uniforms[k, 2] < market.verification_share
    success, fabricated, leaked, incident, detected, loss = outcome_one(
        prov.behaviour[g], p_success, prov.security[g], verified, tasks.sensitivity[k], market.q_leak,
        market.d_fab, market.d_leak, market.leak_loss, tasks.uniforms[k, 3:])
    ext_latency = latency_min * (1 + max(st.demand[j] / market.capacity_per_hour - 1, 0))
    verify_cost = verification_one(prov.reliability[g], costs.automated_reliability, costs.verification_automated,
                                   costs.verification_manual) if verified else 0.0
    base_ext = communication + costs.integration + verify_cost + (0.0 if detected else price)
    failed, undetected_fab = not success and not fabricated, fabricated and not detected
    redone = failed or (fabricated and detected)
    impact = market.high_criticality_impact if tasks.high_criticality[k] else market.fabrication_impact
    fab_harm = tasks.value[k] * impact if undetected_fab else 0.0
    latency_out = ext_latency + (exec_min if redone else 0.0)
    cost_out = base_ext + (internal_total if redone else 0.0) + lateness_one(latency_out, tasks.max_latency[k], pen) \
        + loss + fab_harm
    out.latency[k] = latency_out
    s[PAPER_POLICY_COST] += total
    s[LATENCY_POLICY] += latency_out
    s[COST_POLICY] += cost_out
    rogue, sensitive = prov.rogue[g], tasks.sensitivity[k] > inp.factors.high_sensitivity
    s[OUTSOURCED] += 1.0
    s[PAPER_SAVINGS] += max(paper_total - total, 0.0)
    s[PAPER_TIME_SAVINGS] += max(paper_latency - ext_latency, 0.0)
    s[TOPSIS_SUM] += closeness
    s[ROGUE_TASKS] += rogue
    s[SENSITIVE_OUT] += sensitive
    s[ROGUE_SENSITIVE] += rogue and sensitive
    s[REALISED_LOSS] += loss + fab_harm
    s[EXPECTED_LOSS] += expected_loss(prov.behaviour[g], tasks.value[k] * impact, tasks.sensitivity[k],
                                      prov.security[g], market)
    s[LEAKS] += leaked
    s[UNDETECTED_FABRICATIONS] += undetected_fab
    s[DETECTIONS] += detected
    s[FAILURES] += failed
    s[VERIFICATIONS] += verified
    st.took[j] += 1
    st.detected_at[j] |= detected
    st.success_sum[j] += success or undetected_fab        # what the client saw
    st.secure_sum[j] += not (detected and leaked) and not incident
    st.hour[1] += success
    st.hour[2] += latency_out > tasks.max_latency[k]
    st.hour[3] += incident or leaked


@numba.njit(cache=True, nogil=True, _nrt=False, inline="always")
def _close_hour(r: int, h: int, inp: KernelInputs, st: RunState, out: Outputs) -> None:  # pragma: no cover
    """The end of the hour: its sums, blacklisting, what the client learnt (Eq. 10 estimates, Eq. 11 history
    and our rule's criteria weights), next hour's load and the workers' hour of work."""
    market, p0, n = inp.market, inp.prov.start[r], inp.prov.start[r + 1] - inp.prov.start[r]
    for c in range(len(st.hour_sum)):
        out.totals[r, c] += st.hour_sum[c]
    out.steps[r, h, 1] = st.hour_sum[OUTSOURCED]
    out.steps[r, h, 2] = st.hour_sum[ROGUE_TASKS]
    out.steps[r, h, 4] = st.hour_sum[COST_POLICY]
    took, est_rel, est_sec, chosen_count = st.took, st.est_rel, st.est_sec, out.chosen_count
    for j in range(n):
        chosen_count[p0 + j] += took[j]
        if st.detected_at[j]:
            st.blacklisted_at[j] = h
        if market.learns and took[j] > 0:
            est_rel[j] = ewma_one(est_rel[j], st.success_sum[j] / took[j], market.beta)
            est_sec[j] = ewma_one(est_sec[j], st.secure_sum[j] / took[j], market.beta)
            st.history[j] = est_rel[j]
            st.counts[3] = 1
        st.demand[j] = took[j]
    outsourced = st.hour_sum[OUTSOURCED]
    if not market.paper and outsourced > 0:
        base_mean = 0.0
        for j in range(n):
            base_mean += inp.prov.base_price[p0 + j]
        price_index = (st.hour[0] / n) / (base_mean / n)
        follow_market(st.weights_now, inp.base_weights, price_index, st.hour[1] / outsourced,
                      st.hour[2] / outsourced, st.hour[3] / outsourced, market.beta, st.weight_work)
    backlog = st.backlog
    for c in range(len(backlog)):
        backlog[c, 0] = max(backlog[c, 0] - 60.0, 0.0)
        backlog[c, 1] = max(backlog[c, 1] - 60.0, 0.0)


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
def skill_gate(skill: SkillArrays, row: int, history: np.ndarray, available: np.ndarray, n_available: int,
               usable: np.ndarray, n_usable: np.ndarray) -> None:  # pragma: no cover (compiled)
    """Eq. 11's gate for an hour: per task type t, the ``n_usable[t]`` providers of the first ``n_available``
    of ``available`` with ``w_J J + w_C C + w_H H >= tau``, in order, into ``usable[t]``."""
    for t in range(skill.static.shape[1]):
        n_usable[t] = 0
        for e in range(n_available):
            j = available[e]
            if skill.static[row, t, j] + skill.history_weight * history[j] >= skill.tau:
                usable[t, n_usable[t]] = j
                n_usable[t] += 1


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
