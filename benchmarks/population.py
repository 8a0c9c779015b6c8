"""How long the market game's heuristic payoff table takes: 2 roles x 4 strategies x N agents per role.

Every cell of the table (client mean field x rogue count x rogue kind: 3,751 at
N = 10) is simulated with every first-round seed in one ``simulate_many`` call,
then the cells behind close calls get more seeds. The baseline measured in the
same run is one ``simulate_many`` call per cell (the same runs, unbatched), on
a sample of the cells, one run per call, scaled up. Target: the whole table under 60 s on 2 cores.

    python benchmarks/population.py [--agents 10] [--days 2]
"""

from __future__ import annotations

import argparse
import time

import numpy as np

from coalesce_games import MarketConfig, simulate_many
from coalesce_games.games.population import PopulationSettings, _cells, payoff_table


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--agents", type=int, default=10)
    parser.add_argument("--days", type=int, default=2)
    parser.add_argument("--seeds", type=int, default=4)
    parser.add_argument("--max-seeds", type=int, default=8)
    args = parser.parse_args()
    settings = PopulationSettings(MarketConfig(days=args.days), agents=args.agents, seeds=args.seeds,
                                  max_seeds=args.max_seeds)
    payoff_table(PopulationSettings(MarketConfig(days=1), agents=2, seeds=2, max_seeds=2))   # compile the kernel
    runs = []
    start, cpu = time.perf_counter(), time.process_time()
    table = payoff_table(settings, progress=runs.append)
    elapsed, cpu = time.perf_counter() - start, time.process_time() - cpu
    cells = _cells(settings)
    per_cell = table.seeds_run()
    print(f"table: N = {args.agents} per role, 4 x 4 strategies, "
          f"{len(table.client_profiles) * len(table.provider_profiles):,} count profiles, {len(cells):,} cells, "
          f"{sum(runs):,} runs ({args.days} days each), seeds per cell {per_cell.min()}-{per_cell.max()}")
    print(f"batched (simulate_many over all cells and seeds): {elapsed:.1f} s wall, {cpu:.1f} s CPU of this "
          f"process (target < 60 s; wall time counts other processes on the 2 cores)")
    sample = cells[np.random.default_rng(0).choice(len(cells), 100, replace=False)]
    start, cpu = time.perf_counter(), time.process_time()
    for c in sample:
        for seed in range(args.seeds):
            simulate_many(settings.config(*map(int, c)), [seed])
    one, one_cpu = ((time.perf_counter() - start) / len(sample), (time.process_time() - cpu) / len(sample))
    first = len(cells) * args.seeds
    print(f"baseline, one simulate call per run, first round only ({first:,} runs, scaled from 100 cells): "
          f"{one * len(cells):.1f} s wall, {one_cpu * len(cells):.1f} s CPU")


if __name__ == "__main__":
    main()
