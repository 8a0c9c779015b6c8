"""The published table (13 configurations x seeds) end to end, against a loop baseline.

Prints the wall time of the F1 table in `paper` mode, the tasks decided per second, and
the ratio to the same simulation whose decision step is written the published way (a
Python loop per decision and per candidate, min-max TOPSIS), measured in the same run on
a sample of configurations; the two must produce identical runs.

Usage: python benchmarks/market.py [--seeds 20] [--sample-seeds 2]
"""

from __future__ import annotations

import argparse
import math
import time
from dataclasses import dataclass

import numpy as np
import pandas as pd

import coalesce_games.market as market
from coalesce_games import data
from coalesce_games.criteria import BENEFIT
from coalesce_games.market import MarketConfig, simulate
from coalesce_games.policies import Decision, PaperPolicy, _criteria_matrix, eq15_confidence, task_weights


@dataclass
class LoopPaperPolicy(PaperPolicy):
    """PaperPolicy with TOPSIS written as per-decision, per-candidate Python loops."""

    def decide(self, ctx, rng):
        m, n = ctx.skill_score.shape
        mask = (ctx.eligible & ctx.available[None, :]).tolist()
        matrix = _criteria_matrix(ctx).tolist()
        weights = task_weights(np.asarray(self.weights), ctx.tasks).tolist()
        explore = rng.random(m) < self.epsilon
        avail = np.flatnonzero(ctx.available)
        random_pick = avail[rng.integers(0, len(avail), m)] if len(avail) else np.full(m, -1)
        choice, closeness, confidence = [], [], []
        for k in range(m):
            cands = [j for j in range(n) if mask[k][j]]
            best, best_j = 0.0, -1
            if cands:
                hi = [max(matrix[k][j][c] for j in cands) for c in range(4)]
                lo = [min(matrix[k][j][c] for j in cands) for c in range(4)]
                v = {}
                for j in cands:
                    row = []
                    for c in range(4):
                        spread = hi[c] - lo[c]
                        gain = (matrix[k][j][c] - lo[c]) if BENEFIT[c] else (hi[c] - matrix[k][j][c])
                        row.append((gain / spread if spread > 0 else 0.0) * weights[k][c])
                    v[j] = row
                top = [max(v[j][c] for j in cands) for c in range(4)]
                bot = [min(v[j][c] for j in cands) for c in range(4)]
                best = -1.0
                for j in cands:
                    dp = math.sqrt(sum((v[j][c] - top[c]) ** 2 for c in range(4)))
                    dm = math.sqrt(sum((v[j][c] - bot[c]) ** 2 for c in range(4)))
                    cl = dm / (dp + dm) if dp + dm > 0 else 0.5
                    if cl > best + 1e-15:
                        best, best_j = cl, j
            if explore[k] and len(avail):
                choice.append(int(random_pick[k])); closeness.append(self.exploration_topsis)
                confidence.append(self.exploration_confidence)
            else:
                conf = eq15_confidence(self.history)
                confidence.append(conf)
                closeness.append(best)
                choice.append(best_j if best_j >= 0 and best > self.closeness_gate and conf > self.confidence_gate else -1)
            self.history.append(closeness[-1] > 0.7)
        choice = np.array(choice)
        return Decision(choice, explore & (choice >= 0), np.array(closeness), np.array(confidence))


def table_configs() -> list[MarketConfig]:
    pub = data.load_published_table()
    return [MarketConfig(policy="paper", accounting="paper", days=int(r.days), clients=int(r.clients),
                         contractors=int(r.contractors)) for r in pub.itertuples()]


def run(configs, seeds) -> tuple[float, pd.DataFrame]:
    t0 = time.perf_counter()
    runs = pd.concat([simulate(c, s).runs for c in configs for s in seeds], ignore_index=True)
    return time.perf_counter() - t0, runs


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--sample-seeds", type=int, default=2)
    args = ap.parse_args()
    configs = table_configs()
    wall, runs = run(configs, range(args.seeds))
    tasks = int(runs.tasks.sum())
    print(f"F1 table: {len(runs)} runs, {tasks} tasks in {wall:.1f} s -> {tasks / wall:,.0f} tasks decided/s")

    sample = [configs[0], configs[5], configs[12]]
    t_vec, a = run(sample, range(args.sample_seeds))
    original = market.make_policy
    market.make_policy = lambda name, **kw: LoopPaperPolicy(**kw) if name == "paper" else original(name, **kw)
    try:
        t_loop, b = run(sample, range(args.sample_seeds))
    finally:
        market.make_policy = original
    same = a.drop(columns=[c for c in a.columns if c.startswith("cfg_")]).round(9).equals(
        b.drop(columns=[c for c in b.columns if c.startswith("cfg_")]).round(9))
    print(f"sample ({len(a)} runs): vectorised {t_vec:.2f} s, per-candidate loop {t_loop:.2f} s "
          f"-> ratio {t_loop / t_vec:.1f}x; identical runs: {same}")


if __name__ == "__main__":
    main()
