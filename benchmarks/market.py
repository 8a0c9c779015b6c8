"""The published table (13 configurations x seeds, on the published mechanics) end to end, against a loop baseline.

Prints the wall time of the F1 table in `paper` mode on one process and on all cores
(each worker runs its share of the seeds for all 13 configurations as one lockstep batch:
`simulate_many(configs, seeds)`), the tasks decided per second, and the ratio to the published style measured in
the same run on a sample: the same simulation run seed by seed, with the decision step
written as a Python loop per task and per candidate (the external cost assembled from its
Eq. 6-9 terms, min-max TOPSIS, the closeness and Eq. 15 gates, the history recording
what was done). Both must produce identical runs.

Usage: python benchmarks/market.py [--seeds 20] [--sample-seeds 1] [--workers 2]
"""

from __future__ import annotations

import argparse
import math
import os
import time
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass

import numpy as np
import pandas as pd

import coalesce_games.market as market
from coalesce_games import data
from coalesce_games.criteria import BENEFIT
from coalesce_games.market import MarketConfig, load_scenario, simulate, simulate_many
from coalesce_games.policies import Decision, PaperPolicy, eq15_confidence, task_weights


@dataclass
class LoopPaperPolicy(PaperPolicy):
    """PaperPolicy written the published way: per task, per candidate, in Python."""

    def __post_init__(self) -> None:
        super().__post_init__()
        if (self.record, self.scope) != ("decision", "scored"):
            raise ValueError("the loop baseline writes the published history only (record decision, scope scored)")
        self.flags: list[bool] = []

    def decide(self, ctx, rng):
        m, n = ctx.skill_score.shape
        e = ctx.external

        def grid(values):   # the market gives the criteria of the eligible pairs only: lay them out per task
            out = np.full(m * n, np.nan)
            out[ctx.pairs] = values
            return out.reshape(m, n).tolist()

        price, comm, verif, integ, risk, late = (grid(x) for x in (e.price, e.communication, e.verification,
                                                                    e.integration, e.risk, e.latency_penalty))
        latency, rel, sec = grid(e.latency_min), grid(ctx.reliability), grid(ctx.security)
        available = ctx.available.reshape(-1, n)[0]          # one run: simulate() runs seed by seed
        usable = (ctx.eligible & available[None, :]).tolist()
        weights = task_weights(np.asarray(self.weights), ctx.tasks).tolist()
        avail = np.flatnonzero(available).tolist()
        choice, closeness, confidence = [], [], []
        for k in range(m):
            u_explore, u_pick = ctx.uniforms[k]                # the task's own random numbers
            cands, rows = [], []
            for j in range(n):
                if usable[k][j]:
                    cost = price[k][j] + comm[k][j] + verif[k][j] + integ[k][j] + risk[k][j] + late[k][j]
                    cands.append(j)
                    rows.append([cost, rel[k][j], latency[k][j], sec[k][j]])
            best, best_j = 0.0, -1
            if cands:
                hi = [max(r[c] for r in rows) for c in range(4)]
                lo = [min(r[c] for r in rows) for c in range(4)]
                scored = []
                for r in rows:
                    v = []
                    for c in range(4):
                        spread = hi[c] - lo[c]
                        gain = (r[c] - lo[c]) if BENEFIT[c] else (hi[c] - r[c])
                        v.append((gain / spread if spread > 0 else 0.0) * weights[k][c])
                    scored.append(v)
                top = [max(v[c] for v in scored) for c in range(4)]
                bot = [min(v[c] for v in scored) for c in range(4)]
                best = -1.0
                for j, v in zip(cands, scored):
                    dp = math.sqrt(sum((v[c] - top[c]) ** 2 for c in range(4)))
                    dm = math.sqrt(sum((v[c] - bot[c]) ** 2 for c in range(4)))
                    cl = dm / (dp + dm) if dp + dm > 0 else 0.5
                    if cl > best:
                        best, best_j = cl, j
            explore = u_explore < self.epsilon and len(avail) > 0
            if explore:                     # the published branches: explored and candidate-less tasks
                choice.append(avail[int(u_pick * len(avail))]); closeness.append(self.exploration_topsis)
                confidence.append(self.exploration_confidence)   # return before the history is appended
            elif not cands:
                choice.append(-1); closeness.append(0.0); confidence.append(1.0)
            else:
                conf = eq15_confidence(self.flags)
                confidence.append(conf)
                closeness.append(best)
                choice.append(best_j if best > self.closeness_gate and conf > self.confidence_gate else -1)
                self.flags.append(choice[-1] >= 0 and best > 0.7)   # the history records what was done
        choice = np.array(choice, dtype=int)
        explored = (ctx.uniforms[:, 0] < self.epsilon) & bool(avail) & (choice >= 0)
        return Decision(choice, explored, np.array(closeness), np.array(confidence))


def table_configs() -> list[MarketConfig]:
    """The 13 published configurations on the published mechanics (data/scenarios.toml)."""
    return [load_scenario(f"paper_{exp}") for exp in data.load_published_table().experiment]


def _part(args) -> pd.DataFrame:
    configs, seeds = args
    return simulate_many(configs, seeds).runs


def run(configs, seeds, workers: int = 1) -> tuple[float, pd.DataFrame]:
    """The table's runs: all 13 configurations in one lockstep batch, the seeds split over ``workers`` processes."""
    seeds = list(seeds)
    jobs = [(configs, seeds[w::workers]) for w in range(workers) if seeds[w::workers]]
    t0 = time.perf_counter()
    if workers == 1:
        parts = [_part(job) for job in jobs]
    else:
        with ProcessPoolExecutor(workers) as pool:
            parts = list(pool.map(_part, jobs))
    return time.perf_counter() - t0, pd.concat(parts, ignore_index=True)


def run_loop(configs, seeds) -> tuple[float, pd.DataFrame]:
    """The same runs, seed by seed, with the published-style loop decision."""
    original = market.make_policy
    market.make_policy = lambda name, runs=1, **kw: LoopPaperPolicy(**kw) if name == "paper" else original(name, runs=runs, **kw)
    try:
        t0 = time.perf_counter()
        runs = pd.concat([simulate(c, s).runs for c in configs for s in seeds], ignore_index=True)
        return time.perf_counter() - t0, runs
    finally:
        market.make_policy = original


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--sample-seeds", type=int, default=1)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    args = ap.parse_args()
    configs = table_configs()
    run(configs[:1], [0])          # warm-up: imports, caches and the compiled kernels (numba, cached on disk)
    run_loop(configs[:1], [0])
    wall1, runs = run(configs, range(args.seeds), workers=1)
    tasks = int(runs.tasks.sum())
    print(f"F1 table, 1 process: {len(runs)} runs, {tasks:,} tasks in {wall1:.1f} s -> {tasks / wall1:,.0f} tasks decided/s")
    wall, runs_par = run(configs, range(args.seeds), workers=args.workers)
    key = ["config", "seed"]
    same_par = runs.sort_values(key).reset_index(drop=True).equals(runs_par.sort_values(key).reset_index(drop=True))
    print(f"F1 table, {args.workers} processes: {wall:.1f} s -> {tasks / wall:,.0f} tasks decided/s "
          f"(target < 10 s); identical to 1 process: {same_par}")

    sample = configs                # every configuration, the first sample seed(s): the table's mix of sizes
    seeds = range(args.sample_seeds)
    _, a = run(sample, seeds)
    t_loop, b = run_loop(sample, seeds)
    drop = lambda df: df.drop(columns=[c for c in df.columns if c.startswith("cfg_") or c == "config"]).round(9)  # noqa: E731
    same = drop(a.sort_values(key).reset_index(drop=True)).equals(drop(b))
    loop_rate = int(b.tasks.sum()) / t_loop
    print(f"loop baseline on a sample ({len(b)} runs, {int(b.tasks.sum()):,} tasks, seed by seed): {t_loop:.2f} s -> "
          f"{loop_rate:,.0f} tasks/s; identical runs to lockstep: {same}")
    print(f"ratio per task decided: {tasks / wall1 / loop_rate:.0f}x on 1 process, "
          f"{tasks / wall / loop_rate:.0f}x on {args.workers} (target 100x)")


if __name__ == "__main__":
    main()
