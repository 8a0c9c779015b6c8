"""The published table's market written the published way: per run, per hour, per task, per candidate, in Python.

A second, independent implementation of what :func:`coalesce_games.market.simulation`
computes for the published rule (``policy="paper"``) in a market without rogue
providers and without verification: the baseline of ``benchmarks/market.py``
and a reference the tests hold the compiled market to
(``tests/market/test_reference.py``). It takes a run's random draws from the
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
from coalesce_games.market import arrays
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
    run = _LoopRun(cfg, seed)
    for h in range(cfg.days * 24):
        run.hour(h)
    return run.row(seed)


class _LoopRun:
    """One run of the loop market: its draws as Python lists, its state, and its hours."""

    def __init__(self, cfg: MarketConfig, seed: int) -> None:
        p = data.parameters_view()
        self.cfg, self.hw, self.rates, self.mem = cfg, p["hardware"], p["rates"], p["memory"]
        self.e, self.dec, self.types = p["external"], p["decision"], data.task_arrays()
        draws = market_draws._draw_batch([cfg], [seed])
        prov, self.arrivals, self.u_all = draws.providers, draws.arrivals[0].tolist(), draws.uniforms.tolist()
        self.t = {key: value.tolist() for key, value in draws.tasks.items()}
        self.late_cf, self.noise = draws.late_complexity.tolist(), draws.weight_noise.tolist()
        base = [0.40, 0.25, 0.20, 0.15]
        total = 0.0
        for w in base:
            total += w
        self.weights = [w / total for w in base]     # the published rule's weights (steps with weight_noise)
        self.n = n = len(prov)
        self.base_price, self.latency = prov.base_price.tolist(), prov.latency.tolist()
        self.reliability, self.security = prov.reliability.tolist(), prov.security.tolist()
        self.competence, self.true_skills = prov.competence.tolist(), prov.true_skills.tolist()
        if cfg.skill_mode == "published":
            self.skill = published_type_scores(prov.type_id, prov.declared).tolist()
        else:
            matcher = SkillMatcher(tau=cfg.tau)
            static = matcher.static_score(required_by_type(), prov.declared)
            self.skill = (static + matcher.history_weight * matcher.prior).tolist()
        self.required = required_by_type().tolist()
        self.supply_total = cfg.capacity_per_hour * n
        self.demand, self.backlog = [0.0] * n, [[0.0, 0.0] for _ in range(cfg.clients)]
        self.flags: list[bool] = []
        self.totals, self.chosen_count, self.task = dict.fromkeys(arrays.TOTALS, 0.0), [0] * n, 0
        self.day_hours = self.hw["writeoff_years"] * 365 * 24
        e = self.e
        self.slope, self.base_risk = 1 + e["p_sec_slope"] + e["p_qual_slope"], e["p_sec_base"] + e["p_qual_base"]

    def internal(self, hrs: float, used: float, rate: float) -> float:       # Eq. 1-5
        hw, rates = self.hw, self.rates
        return (hrs * rates["compute_per_hour"] + used / hw["memory_gb"] * hrs * rates["memory_per_hour"]
                + hw["tdp_w"] * hw["utilisation"] / 1000.0 * hrs * rates["energy_per_kwh"] + rate * hrs
                + hw["purchase_usd"] / self.day_hours * hrs)

    def external(self, j: int, cf: float, value: float, gamma: float, comm: float, max_lat: float,
                 late_cf: float) -> tuple:
        """Eq. 6-9 at provider j: (price, total, latency); the lateness on latency x ``late_cf``."""
        e = self.e
        price = self.price_now[j] * (1 + e["complexity_price_factor"] * (cf - 1))
        rel = self.reliability[j]
        verif = e["verification_automated"] if rel > e["automated_reliability"] else e["verification_manual"]
        risk = ((1 - rel) * self.slope + self.base_risk) * (value * gamma)
        lat = self.latency[j] * cf
        late = max(self.latency[j] * late_cf - max_lat, 0.0) * e["latency_penalty_per_min"]
        return price, price + (comm + e["integration"]) + verif + risk + late, lat

    def hour(self, h: int) -> None:
        cfg, n, cap = self.cfg, self.n, self.cfg.capacity_per_hour
        self.price_now = [self.base_price[j] * (1 + cfg.alpha_demand * (self.demand[j] - cap) / self.supply_total)
                          * 1.0 for j in range(n)]
        took, hour_sum = [0] * n, dict.fromkeys(arrays.TOTALS, 0.0)
        for c in range(cfg.clients):
            mine = list(range(self.task, self.task + self.arrivals[h][c]))
            self.task += self.arrivals[h][c]
            for pos, i in enumerate(mine):
                self.one_task(c, i, mine[pos + 1:], took, hour_sum)
        for key in arrays.TOTALS:
            self.totals[key] += hour_sum[key]
        for j in range(n):
            self.chosen_count[j] += took[j]
        self.demand = [float(x) for x in took]
        self.backlog = [[max(a - 60.0, 0.0), max(b - 60.0, 0.0)] for a, b in self.backlog]

    def one_task(self, c: int, i: int, behind: list[int], took: list[int], s: dict) -> None:
        """Task i of client c, with the tasks ``behind`` it in the client's queue of the hour."""
        cfg, t, types, rates, mem = self.cfg, self.t, self.types, self.rates, self.mem
        pen = cfg.latency_penalty_per_min
        kind, cf, value, gb = t["task_type"][i], t["complexity"][i], t["value"][i], t["data_gb"][i]
        max_lat, sens = types["max_latency_min"][kind], t["sensitivity"][i]
        # Eq. 1-5 in both accountings; the paper's opportunity cost: the best task queued behind
        waiting = max((t["value"][q] for q in behind), default=0.0) / rates["opportunity_task_hours"]
        used = (mem["model_factor"] * types["model_size_gb"][kind]
                + mem["documents_factor"] * types["documents"][kind] / mem["documents_unit"]
                + mem["complexity_factor"] * cf)
        hours_c = types["local_latency_min"][kind] * cf / 60.0
        flops = types["flops"][kind] * (gb / types["reference_data_gb"][kind])
        hours_p = flops * cf / (self.hw["peak_flops"] * self.hw["utilisation"])       # seconds read as hours
        int_c, int_p = self.internal(hours_c, used, 0.0), self.internal(hours_p, used, waiting)
        exec_min = types["local_latency_min"][kind] * cf
        comm = (gb + self.e["output_gb"]) * self.e["transfer_per_gb"] + self.e["communication_fixed"]
        gamma = self.e["gamma_high_criticality"] if t["high_criticality"][i] else 1.0
        j, explored, closeness, confidence = self.decide(i, kind, cf, value, gamma, comm, max_lat, sens)
        out = j >= 0
        # the client's single worker: under the rule (local tasks) and with every task local
        self.backlog[c][0] += 0.0 if out else exec_min
        self.backlog[c][1] += exec_min
        finish_local, finish_all = self.backlog[c]
        s["tasks"] += 1
        s["explored"] += explored and out
        s["cost_all_local"] += int_c + max(finish_all - max_lat, 0.0) * pen
        s["latency_all_local"] += finish_all
        s["paper_all_local_cost"] += int_p
        s["confidence_sum"] += confidence
        if not out:
            s["paper_policy_cost"] += int_p
            s["latency_policy"] += finish_local
            s["paper_kept_cost"] += int_p
            s["paper_kept_latency"] += types["local_latency_min"][kind] * cf
            s["cost_policy"] += int_c + max(finish_local - max_lat, 0.0) * pen
            return
        self.settle(i, j, kind, cf, value, gamma, comm, max_lat, sens, int_c, int_p, exec_min, closeness, s)
        took[j] += 1

    def decide(self, i: int, kind: int, cf: float, value: float, gamma: float, comm: float, max_lat: float,
               sens: float) -> tuple[int, bool, float, float]:
        """The Eq. 11 gate, Eq. 6-9 per candidate and the published rule: (provider or -1, explored, closeness,
        confidence)."""
        cfg, dec, t, n = self.cfg, self.dec, self.t, self.n
        weights = list(self.weights) if cfg.weight_noise == "published" else [0.40, 0.25, 0.20, 0.15]
        if t["budget"][i] < dec["cost_budget_share"] * value:
            weights[0] *= dec["cost_multiplier"]
        if max_lat < dec["latency_urgent_min"]:
            weights[2] *= dec["latency_multiplier"]
        if sens > dec["high_sensitivity"]:
            weights[3] *= dec["security_multiplier"]
        weights = [w / sum(weights) for w in weights]
        cands, rows = [], []
        for j in range(n):
            if self.skill[kind][j] >= cfg.tau:
                _, total, lat = self.external(j, cf, value, gamma, comm, max_lat, self.late_cf[i])
                cands.append(j)
                rows.append([total, self.reliability[j], lat, self.security[j]])
        u = self.u_all[i]
        # the published rule: explore, or TOPSIS and Eq. 15 (no candidate: stay local); the published
        # scope ("scored") keeps explored tasks and tasks without a candidate out of the history
        explored = u[0] < cfg.epsilon
        best, closeness = _closeness(rows, weights) if cands and not explored else (-1, 0.0)
        recorded = cfg.paper_history_scope == "every_task" or (not explored and cands)
        confidence = _eq15(self.flags) if recorded else 1.0
        if explored:
            j, closeness, confidence = int(u[1] * n), 0.5, cfg.exploration_confidence
        else:
            j = cands[best] if cands and closeness > 0.6 and confidence > 0.8 else -1
        if recorded:       # what the history records: the decision, or the closeness alone
            self.flags.append(closeness > 0.7 and (j >= 0 or cfg.paper_history == "closeness"))
        if cfg.weight_noise == "published" and not explored and cands:
            self.step_weights(i, j, closeness)
        return j, explored, closeness, confidence

    def step_weights(self, i: int, j: int, closeness: float) -> None:
        """The published weights' random step after a scored decision once the Eq. 15 history holds two flags
        or more, unless the task went out above 0.8: ``w <- |w + 0.01 N(0, 0.1)|``, normalised."""
        if len(self.flags) > 1 and not (j >= 0 and closeness > 0.8):
            stepped = [abs(w + d) for w, d in zip(self.weights, self.noise[i])]
            total = 0.0
            for w in stepped:
                total += w
            self.weights = [w / total for w in stepped]

    def settle(self, i: int, j: int, kind: int, cf: float, value: float, gamma: float, comm: float, max_lat: float,
               sens: float, int_c: float, int_p: float, exec_min: float, closeness: float, s: dict) -> None:
        """Task i outsourced to provider j: what happened and what it cost."""
        cfg, u, pen = self.cfg, self.u_all[i], self.cfg.latency_penalty_per_min
        price, total, lat = self.external(j, cf, value, gamma, comm, max_lat, self.late_cf[i])
        has_skills = all(o or not r for r, o in zip(self.required[kind], self.true_skills[j]))
        worked = u[3] < (self.reliability[j] if has_skills else self.competence[j])
        incident = u[5] >= self.security[j]
        loss = incident * sens * cfg.leak_loss
        ext_latency = lat * (1 + max(self.demand[j] / cfg.capacity_per_hour - 1, 0.0))
        latency_out = ext_latency + (not worked) * exec_min
        cost_out = comm + self.e["integration"] + 0.0 + price + (not worked) * int_c \
            + max(latency_out - max_lat, 0.0) * pen + loss + 0.0
        s["paper_policy_cost"] += total
        s["latency_policy"] += latency_out
        s["cost_policy"] += cost_out
        s["outsourced"] += 1
        s["paper_savings"] += max(int_p - total, 0.0)
        s["paper_time_savings"] += max(self.types["local_latency_min"][kind] * cf - ext_latency, 0.0)
        s["topsis_sum"] += closeness
        s["sensitive_out"] += sens > self.dec["high_sensitivity"]
        s["realised_loss"] += loss
        s["expected_loss"] += (1 - self.security[j]) * sens * cfg.leak_loss
        s["failures"] += not worked

    def row(self, seed: int) -> dict:
        """The run's row from its totals."""
        cap, n = self.cfg.capacity_per_hour, self.n
        final_price = np.array([self.base_price[j] * (1 + self.cfg.alpha_demand * (self.demand[j] - cap)
                                                      / self.supply_total) for j in range(n)])
        row = market_simulate._run_rows([seed], np.array([[self.totals[key] for key in arrays.TOTALS]]),
                                        np.array(self.chosen_count), final_price, np.array([0, n]))
        return {key: values[0] for key, values in row.to_dict("list").items()}
