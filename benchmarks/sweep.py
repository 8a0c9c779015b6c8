"""Sweep executors: serial, two local processes and a two-worker Dask LocalCluster.

Runs N small market simulations (1 day, 3 clients, 8 contractors; N = 5,000 by default,
about 8 s serially, so that a pool's start-up does not dominate) on each executor
(replicates of a design point in batches of 8), and serially with one run per
unit of work as the baseline; prints wall times, the parallel efficiency against serial
(target >= 1.7x on two cores) and the per-run overhead of the Dask path, and checks that
every table is the same.

Usage: python benchmarks/sweep.py [--runs 5000]
"""

from __future__ import annotations

import argparse
import time

from coalesce_games.market.sweep import grid, sweep


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--runs", type=int, default=5000)
    args = ap.parse_args()
    design = grid({"days": [1], "clients": [3], "contractors": [8], "epsilon": [0.0, 0.05, 0.1, 0.2]})
    seeds = max(args.runs // len(design), 1)
    tables, times = {}, {}
    for name, kwargs in (("serial, one run per unit", {"executor": "serial", "batch": 1}),
                         ("serial", {"executor": "serial"}),
                         ("processes x2", {"executor": "processes", "workers": 2}),
                         ("dask LocalCluster x2", {"executor": "dask", "workers": 2})):
        t0 = time.perf_counter()
        tables[name] = sweep(design, seeds, progress=False, **kwargs)
        times[name] = time.perf_counter() - t0
    n = len(tables["serial"])
    for name, t in times.items():
        print(f"{name:26s} {t:7.2f} s  {n / t:7.1f} runs/s  speed-up vs serial {times['serial'] / t:4.2f}x")
    per_run_dask = (times["dask LocalCluster x2"] - times["serial"] / 2) / n * 1e3
    print(f"Dask overhead per run beyond an ideal 2-way split: {per_run_dask:.2f} ms (includes cluster start-up)")
    same = all(tables["serial"].drop(columns="version").equals(t.drop(columns="version")) for t in tables.values())
    print(f"identical tables: {same}")


if __name__ == "__main__":
    main()
