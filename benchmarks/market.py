"""The published table (13 configurations x seeds, on the published mechanics) end to end, against a loop baseline.

Prints the wall time of the F1 table (``paper_<experiment>`` scenarios) on one process and on
``--workers`` processes of a pool started and warmed up beforehand (each worker runs its share of
the seeds for all 13 configurations as one batch: `simulate_many(configs, seeds)`; the pool's
start-up, paid once per session, is printed apart), the tasks decided per second, and the ratio
to the published style measured in the same run on a sample: the same runs simulated per run,
per hour, per task and per candidate in Python (``benchmarks/loop_market.py``, an independent
implementation that must give the same run rows). Every time is the best of ``--repeat`` runs.

Usage: python benchmarks/market.py [--seeds 20] [--sample-seeds 1] [--workers 2] [--repeat 3]
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


def run(configs, seeds, pool: ProcessPoolExecutor | None = None, workers: int = 1) -> tuple[float, pd.DataFrame]:
    """The table's runs: all 13 configurations in one batch, the seeds split over the pool's ``workers``."""
    seeds = list(seeds)
    jobs = [(configs, seeds[w::workers]) for w in range(workers) if seeds[w::workers]]
    t0 = time.perf_counter()
    parts = [_part(job) for job in jobs] if pool is None else list(pool.map(_part, jobs))
    return time.perf_counter() - t0, pd.concat(parts, ignore_index=True)


def best(repeat: int, call):
    """The fastest of ``repeat`` calls of ``call()`` (which returns (seconds, result))."""
    return min((call() for _ in range(repeat)), key=lambda timed: timed[0])


def _warm() -> None:
    """A worker's imports and compiled kernels (numba, cached on disk), before any timing."""
    _part((table_configs()[:1], [0]))


def run_loop(configs, seeds) -> tuple[float, pd.DataFrame]:
    """The same runs, one after another, each task and candidate in Python."""
    t0 = time.perf_counter()
    rows = [simulate_loop(c, s) for c in configs for s in seeds]
    return time.perf_counter() - t0, pd.DataFrame(rows)


def same_runs(compiled: pd.DataFrame, loop: pd.DataFrame) -> bool:
    """Equal run rows: exactly, but for the last bits of mean TOPSIS (closeness summed in another order)."""
    a = compiled.drop(columns=[c for c in compiled.columns if c.startswith("cfg_") or c == "config"])
    b = loop[a.columns]
    exact = a.drop(columns="mean_topsis").equals(b.drop(columns="mean_topsis"))
    return exact and bool(np.allclose(a.mean_topsis, b.mean_topsis, rtol=1e-12, atol=0, equal_nan=True))


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--seeds", type=int, default=20)
    ap.add_argument("--sample-seeds", type=int, default=1)
    ap.add_argument("--workers", type=int, default=os.cpu_count() or 1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    configs = table_configs()
    _warm()                           # warm-up: imports, caches and the compiled kernels
    run_loop(configs[:1], [0])
    wall1, runs = best(args.repeat, lambda: run(configs, range(args.seeds)))
    tasks = int(runs.tasks.sum())
    print(f"F1 table, 1 process: {len(runs)} runs, {tasks:,} tasks in {wall1:.2f} s -> "
          f"{tasks / wall1:,.0f} tasks decided/s")
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.workers, initializer=_warm) as pool:
        list(pool.map(time.sleep, [0.2] * args.workers))        # every worker started and warm
        startup = time.perf_counter() - t0
        wall, runs_par = best(args.repeat, lambda: run(configs, range(args.seeds), pool, args.workers))
    key = ["config", "seed"]
    same_par = runs.sort_values(key).reset_index(drop=True).equals(runs_par.sort_values(key).reset_index(drop=True))
    print(f"F1 table, {args.workers} processes: {wall:.2f} s -> {tasks / wall:,.0f} tasks decided/s "
          f"(target < 10 s; the pool's start-up, once: {startup:.1f} s); identical to 1 process: {same_par}")

    sample = configs                # every configuration, the first sample seed(s): the table's mix of sizes
    seeds = range(args.sample_seeds)
    _, a = run(sample, seeds)
    t_loop, b = best(min(args.repeat, 2), lambda: run_loop(sample, seeds))
    loop_rate = int(b.tasks.sum()) / t_loop
    print(f"loop baseline on a sample ({len(b)} runs, {int(b.tasks.sum()):,} tasks, per task and candidate in Python): "
          f"{t_loop:.2f} s -> {loop_rate:,.0f} tasks/s; same runs as the compiled market: {same_runs(a, b)}")
    print(f"ratio per task decided: {tasks / wall1 / loop_rate:.0f}x on 1 process, "
          f"{tasks / wall / loop_rate:.0f}x on {args.workers} (target 100x)")


if __name__ == "__main__":
    main()
