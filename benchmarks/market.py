"""The published table (13 configurations x seeds, on the published mechanics) end to end, against a loop baseline.

Prints the wall time of the F1 table (``paper_<experiment>`` scenarios) on one process and on
``--workers`` processes of a pool started and warmed up beforehand (each worker runs its share of
the seeds for all 13 configurations as one batch: `simulate_many(configs, seeds)`; the pool's
start-up, paid once per session, is printed apart), the tasks decided per second, and the ratio
to the published style measured in the same run on a sample: the same runs simulated per run,
per hour, per task and per candidate in Python (``coalesce_games.market.reference``, an independent
implementation that must give the same run rows). The machine's speed drifts when its cores are
shared, so each of ``--repeat`` repetitions times the three side by side and the ratios are taken
within a repetition (median and range printed).

Usage: python benchmarks/market.py [--seeds 20] [--sample-seeds 1] [--workers 2] [--repeat 5]
"""

from __future__ import annotations

import argparse
import os
import time
from concurrent.futures import ProcessPoolExecutor

import numpy as np
import pandas as pd

from coalesce_games import data
from coalesce_games.market.config import MarketConfig, load_scenario
from coalesce_games.market.reference import simulate_loop
from coalesce_games.market.simulation import simulate_many
from coalesce_games.market.sweep import one_blas_thread


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


def _warm() -> None:
    """A worker's one BLAS thread (see `one_blas_thread`), imports and compiled kernels (numba, cached on disk),
    before any timing."""
    one_blas_thread()
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
    ap.add_argument("--repeat", type=int, default=5)
    args = ap.parse_args()
    configs = table_configs()
    sample, sample_seeds = configs, range(args.sample_seeds)   # every configuration: the table's mix of sizes
    _warm()                           # warm-up: imports, caches and the compiled kernels
    run_loop(configs[:1], [0])
    t0 = time.perf_counter()
    with ProcessPoolExecutor(args.workers, initializer=_warm) as pool:
        list(pool.map(time.sleep, [0.2] * args.workers))        # every worker started and warm
        startup = time.perf_counter() - t0
        # the machine's speed drifts (shared cores): each repetition times the three side by side, and the
        # ratios are taken within a repetition
        rounds = []
        for _ in range(args.repeat):
            one, runs = run(configs, range(args.seeds))
            par, runs_par = run(configs, range(args.seeds), pool, args.workers)
            t_loop, b = run_loop(sample, sample_seeds)
            rounds.append((one, par, t_loop))
    tasks, loop_tasks = int(runs.tasks.sum()), int(b.tasks.sum())
    one, par, t_loop = (np.array(x) for x in zip(*rounds))
    key = ["config", "seed"]
    same_par = runs.sort_values(key).reset_index(drop=True).equals(runs_par.sort_values(key).reset_index(drop=True))
    _, a = run(sample, sample_seeds)
    span = lambda x, fmt: f"{fmt.format(x.min())}-{fmt.format(x.max())}"   # noqa: E731
    print(f"F1 table, 1 process: {len(runs)} runs, {tasks:,} tasks in {span(one, '{:.2f}')} s "
          f"(best {tasks / one.min():,.0f} tasks decided/s)")
    print(f"F1 table, {args.workers} processes: {span(par, '{:.2f}')} s (target < 10 s; the pool's start-up, once: "
          f"{startup:.1f} s); identical to 1 process: {same_par}")
    print(f"loop baseline on a sample ({len(b)} runs, {loop_tasks:,} tasks, per task and candidate in Python): "
          f"{span(t_loop, '{:.2f}')} s ({span(loop_tasks / t_loop, '{:,.0f}')} tasks/s); same runs as the compiled "
          f"market: {same_runs(a, b)}")
    r1, r2 = tasks / one / (loop_tasks / t_loop), tasks / par / (loop_tasks / t_loop)
    print(f"ratio per task decided, within each of {args.repeat} repetitions: median {np.median(r1):.0f}x "
          f"({span(r1, '{:.0f}')}) on 1 process, median {np.median(r2):.0f}x ({span(r2, '{:.0f}')}) on "
          f"{args.workers} (target 100x)")


if __name__ == "__main__":
    main()
