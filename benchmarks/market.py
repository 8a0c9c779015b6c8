"""The published table (13 configurations x seeds, on the published mechanics) end to end, against a loop baseline.

Prints the wall time of the F1 table (``paper_<experiment>`` scenarios) on one process and on all
cores (each worker runs its share of the seeds for all 13 configurations as one lockstep batch:
`simulate_many(configs, seeds)`), the tasks decided per second, and the ratio to the published
style measured in the same run on a sample: the same runs simulated per run, per hour, per task
and per candidate in Python (``benchmarks/loop_market.py``, an independent implementation that
must give the same run rows).

Usage: python benchmarks/market.py [--seeds 20] [--sample-seeds 1] [--workers 2]
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from coalesce_games import data
from coalesce_games.market import MarketConfig, load_scenario, simulate_many
from loop_market import simulate_loop


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
    """The same runs, one after another, each task and candidate in Python."""
    t0 = time.perf_counter()
    rows = [simulate_loop(c, s) for c in configs for s in seeds]
    return time.perf_counter() - t0, pd.DataFrame(rows)


def same_runs(lockstep: pd.DataFrame, loop: pd.DataFrame) -> bool:
    """Equal run rows: exactly, but for the last bits of mean TOPSIS (closeness summed in another order)."""
    a = lockstep.drop(columns=[c for c in lockstep.columns if c.startswith("cfg_") or c == "config"])
    b = loop[a.columns]
    exact = a.drop(columns="mean_topsis").equals(b.drop(columns="mean_topsis"))
    return exact and bool(np.allclose(a.mean_topsis, b.mean_topsis, rtol=1e-12, atol=0, equal_nan=True))


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
    print(f"F1 table, 1 process: {len(runs)} runs, {tasks:,} tasks in {wall1:.1f} s -> "
          f"{tasks / wall1:,.0f} tasks decided/s")
    wall, runs_par = run(configs, range(args.seeds), workers=args.workers)
    key = ["config", "seed"]
    same_par = runs.sort_values(key).reset_index(drop=True).equals(runs_par.sort_values(key).reset_index(drop=True))
    print(f"F1 table, {args.workers} processes: {wall:.1f} s -> {tasks / wall:,.0f} tasks decided/s "
          f"(target < 10 s); identical to 1 process: {same_par}")

    sample = configs                # every configuration, the first sample seed(s): the table's mix of sizes
    seeds = range(args.sample_seeds)
    _, a = run(sample, seeds)
    t_loop, b = run_loop(sample, seeds)
    loop_rate = int(b.tasks.sum()) / t_loop
    print(f"loop baseline on a sample ({len(b)} runs, {int(b.tasks.sum()):,} tasks, per task and candidate in Python): "
          f"{t_loop:.2f} s -> {loop_rate:,.0f} tasks/s; same runs as lockstep: {same_runs(a, b)}")
    print(f"ratio per task decided: {tasks / wall1 / loop_rate:.0f}x on 1 process, "
          f"{tasks / wall / loop_rate:.0f}x on {args.workers} (target 100x)")


if __name__ == "__main__":
    main()
