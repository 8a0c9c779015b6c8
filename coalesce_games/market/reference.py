"""The published table's market written the published way: per run, per hour, per task, per candidate, in Python.

A second, independent implementation of what :func:`coalesce_games.market.simulation`
computes for the published rule (``policy="paper"``) in a market without rogue
providers and without verification: the baseline of ``benchmarks/market.py``
and a reference the tests hold the compiled market to
(``tests/test_loop_reference.py``). It takes a run's random draws from the
package (providers, arrivals, tasks, per-task uniforms: data, not simulation)
and a per-task-type skill table; everything else (Eq. 7 prices, Eq. 11 gate,
Eq. 6-9 costs, min-max TOPSIS, the exploration and Eq. 15 gates, queues,
outcomes, both accountings and the run's totals) is scalar Python here.
"""

from __future__ import annotations

import math

import numpy as np

from coalesce_games import data
from coalesce_games.market import draws as market_draws
from coalesce_games.market import kernel
from coalesce_games.market.config import MarketConfig
from coalesce_games.market import simulation as market_simulate
from coalesce_games.model.criteria import BENEFIT, required_by_type
from coalesce_games.model.skills import SkillMatcher, published_type_scores


def _eq15(flags: list[bool], window: int = 50) -> float:
    recent = flags[-window:]
    if len(recent) < 10:
        return 0.8
    p = sum(recent) / len(recent)
    return 1 - 1.96 * 2 * min(p, 1 - p) / math.sqrt(len(recent))


def _closeness(rows: list[list[float]], weights: list[float]) -> tuple[int, float]:
    """Min-max TOPSIS over the candidates' (cost, reliability, latency, security) rows: (best row, closeness)."""
    hi = [max(r[c] for r in rows) for c in range(4)]
    lo = [min(r[c] for r in rows) for c in range(4)]
    scored = []
    for r in rows:
        v = []
        for c in range(4):
            spread = hi[c] - lo[c]
            gain = (r[c] - lo[c]) if BENEFIT[c] else (hi[c] - r[c])
            v.append((gain / spread if spread > 0 else 0.0) * weights[c])
        scored.append(v)
    top = [max(v[c] for v in scored) for c in range(4)]
    bot = [min(v[c] for v in scored) for c in range(4)]
    best, best_i = -1.0, -1
    for i, v in enumerate(scored):
        dp = math.sqrt(sum((v[c] - top[c]) ** 2 for c in range(4)))
        dm = math.sqrt(sum((v[c] - bot[c]) ** 2 for c in range(4)))
        cl = dm / (dp + dm) if dp + dm > 0 else 0.5
        if cl > best:
            best, best_i = cl, i
    return best_i, best


def simulate_loop(cfg: MarketConfig, seed: int) -> dict:
    """One run's row, as ``simulate(cfg, seed).runs`` gives it, computed task by task."""
    if cfg.policy != "paper" or cfg.rogue_share or cfg.verification_share or cfg.skill_mode == "probe":
        raise ValueError("the loop market covers the published rule without rogues, verification or probes")
    p = data.parameters_view()
    hw, rates, mem, e, dec = p["hardware"], p["rates"], p["memory"], p["external"], p["decision"]
    types = data.task_arrays()
    hours = cfg.days * 24
    draws = market_draws._draw_batch([cfg], [seed])
    prov, arrivals, u_all = draws.providers, draws.arrivals[0].tolist(), draws.uniforms.tolist()
    t = {key: value.tolist() for key, value in draws.tasks.items()}
    n = len(prov)
    base_price, latency, reliability = prov.base_price.tolist(), prov.latency.tolist(), prov.reliability.tolist()
    security, competence = prov.security.tolist(), prov.competence.tolist()
    true_skills = prov.true_skills.tolist()
    if cfg.skill_mode == "published":
        skill = published_type_scores(prov.type_id, prov.declared).tolist()
    else:
        matcher = SkillMatcher(tau=cfg.tau)
        static = matcher.static_score(required_by_type(), prov.declared)
        skill = (static + matcher.history_weight * matcher.prior).tolist()
    required = required_by_type().tolist()
    base_w = [0.40, 0.25, 0.20, 0.15]
    cap, alpha, pen = cfg.capacity_per_hour, cfg.alpha_demand, cfg.latency_penalty_per_min
    supply_total = cap * n
    demand = [0.0] * n
    backlog = [[0.0, 0.0] for _ in range(cfg.clients)]
    flags: list[bool] = []
    keys = kernel.TOTALS
    totals = dict.fromkeys(keys, 0.0)
    chosen_count = [0] * n
    day_hours = hw["writeoff_years"] * 365 * 24
    slope, base_risk = 1 + e["p_sec_slope"] + e["p_qual_slope"], e["p_sec_base"] + e["p_qual_base"]

    def internal(hrs: float, used: float, rate: float) -> float:       # Eq. 1-5
        return (hrs * rates["compute_per_hour"] + used / hw["memory_gb"] * hrs * rates["memory_per_hour"]
                + hw["tdp_w"] * hw["utilisation"] / 1000.0 * hrs * rates["energy_per_kwh"] + rate * hrs
                + hw["purchase_usd"] / day_hours * hrs)

    def external(j: int, cf: float, value: float, gamma: float, comm: float, max_lat: float) -> tuple:   # Eq. 6-9
        price = price_now[j] * (1 + e["complexity_price_factor"] * (cf - 1))
        rel = reliability[j]
        verif = e["verification_automated"] if rel > e["automated_reliability"] else e["verification_manual"]
        risk = ((1 - rel) * slope + base_risk) * (value * gamma)
        lat = latency[j] * cf
        late = max(lat - max_lat, 0.0) * e["latency_penalty_per_min"]
        return price, price + (comm + e["integration"]) + verif + risk + late, lat

    task = 0
    for h in range(hours):
        price_now = [base_price[j] * (1 + alpha * (demand[j] - cap) / supply_total) * 1.0 for j in range(n)]
        took = [0] * n
        hour_sum = dict.fromkeys(keys, 0.0)
        for c in range(cfg.clients):
            mine = list(range(task, task + arrivals[h][c]))
            task += arrivals[h][c]
            for pos, i in enumerate(mine):
                kind, cf, value, gb = t["task_type"][i], t["complexity"][i], t["value"][i], t["data_gb"][i]
                max_lat, sens, critical = types["max_latency_min"][kind], t["sensitivity"][i], t["high_criticality"][i]
                # Eq. 1-5 in both accountings; the paper's opportunity cost: the best task queued behind
                waiting = max((t["value"][q] for q in mine[pos + 1:]), default=0.0) / rates["opportunity_task_hours"]
                used = (mem["model_factor"] * types["model_size_gb"][kind]
                        + mem["documents_factor"] * types["documents"][kind] / mem["documents_unit"]
                        + mem["complexity_factor"] * cf)
                hours_c = types["local_latency_min"][kind] * cf / 60.0
                flops = types["flops"][kind] * (gb / types["reference_data_gb"][kind])
                hours_p = flops * cf / (hw["peak_flops"] * hw["utilisation"])       # seconds read as hours
                int_c, int_p = internal(hours_c, used, 0.0), internal(hours_p, used, waiting)
                exec_min = types["local_latency_min"][kind] * cf
                # Eq. 11 gate and Eq. 6-9 per candidate
                comm = (gb + e["output_gb"]) * e["transfer_per_gb"] + e["communication_fixed"]
                gamma = e["gamma_high_criticality"] if critical else 1.0
                weights = list(base_w)
                if t["budget"][i] < dec["cost_budget_share"] * value:
                    weights[0] *= dec["cost_multiplier"]
                if max_lat < dec["latency_urgent_min"]:
                    weights[2] *= dec["latency_multiplier"]
                if sens > dec["high_sensitivity"]:
                    weights[3] *= dec["security_multiplier"]
                weights = [w / sum(weights) for w in weights]
                cands, rows = [], []
                for j in range(n):
                    if skill[kind][j] >= cfg.tau:
                        _, total, lat = external(j, cf, value, gamma, comm, max_lat)
                        cands.append(j)
                        rows.append([total, reliability[j], lat, security[j]])
                u = u_all[i]
                # the published rule: explore, or TOPSIS and Eq. 15 (no candidate: stay local); the published
                # scope ("scored") keeps explored tasks and tasks without a candidate out of the history
                explored = u[0] < cfg.epsilon
                best, closeness = _closeness(rows, weights) if cands and not explored else (-1, 0.0)
                recorded = cfg.paper_history_scope == "every_task" or (not explored and cands)
                confidence = _eq15(flags) if recorded else 1.0
                if explored:
                    j, closeness, confidence = int(u[1] * n), 0.5, cfg.exploration_confidence
                else:
                    j = cands[best] if cands and closeness > 0.6 and confidence > 0.8 else -1
                if recorded:       # what the history records: the decision, or the closeness alone
                    flags.append(closeness > 0.7 and (j >= 0 or cfg.paper_history == "closeness"))
                out = j >= 0
                # the client's single worker: under the rule (local tasks) and with every task local
                backlog[c][0] += 0.0 if out else exec_min
                backlog[c][1] += exec_min
                finish_local, finish_all = backlog[c]
                cost_all_local = int_c + max(finish_all - max_lat, 0.0) * pen
                s = hour_sum
                s["tasks"] += 1
                s["explored"] += explored and out
                s["cost_all_local"] += cost_all_local
                s["latency_all_local"] += finish_all
                s["paper_all_local_cost"] += int_p
                s["confidence_sum"] += confidence
                if not out:
                    s["paper_policy_cost"] += int_p
                    s["latency_policy"] += finish_local
                    s["paper_kept_cost"] += int_p
                    s["paper_kept_latency"] += types["local_latency_min"][kind] * cf
                    s["cost_policy"] += int_c + max(finish_local - max_lat, 0.0) * pen
                    continue
                price, total, lat = external(j, cf, value, gamma, comm, max_lat)
                has_skills = all(o or not r for r, o in zip(required[kind], true_skills[j]))
                worked = u[3] < (reliability[j] if has_skills else competence[j])
                incident = u[5] >= security[j]
                loss = incident * sens * cfg.leak_loss
                ext_latency = lat * (1 + max(demand[j] / cap - 1, 0.0))
                latency_out = ext_latency + (not worked) * exec_min
                cost_out = comm + e["integration"] + 0.0 + price + (not worked) * int_c \
                    + max(latency_out - max_lat, 0.0) * pen + loss + 0.0
                s["paper_policy_cost"] += total
                s["latency_policy"] += latency_out
                s["cost_policy"] += cost_out
                s["outsourced"] += 1
                s["paper_savings"] += max(int_p - total, 0.0)
                s["paper_time_savings"] += max(types["local_latency_min"][kind] * cf - ext_latency, 0.0)
                s["topsis_sum"] += closeness
                s["sensitive_out"] += sens > dec["high_sensitivity"]
                s["realised_loss"] += loss
                s["expected_loss"] += (1 - security[j]) * sens * cfg.leak_loss
                s["failures"] += not worked
                took[j] += 1
        for key in keys:
            totals[key] += hour_sum[key]
        for j in range(n):
            chosen_count[j] += took[j]
        demand = [float(x) for x in took]
        backlog = [[max(a - 60.0, 0.0), max(b - 60.0, 0.0)] for a, b in backlog]
    final_price = np.array([base_price[j] * (1 + alpha * (demand[j] - cap) / supply_total) for j in range(n)])
    row = market_simulate._run_rows([seed], np.array([[totals[key] for key in kernel.TOTALS]]), np.array(chosen_count),
                           final_price, np.array([0, n]))
    return {key: values[0] for key, values in row.to_dict("list").items()}
