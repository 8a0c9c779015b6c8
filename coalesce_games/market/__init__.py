"""The simulated market: configuration, draws, the compiled kernel, runs and sweeps.

- ``config``: :class:`MarketConfig` and the named scenarios;
- ``draws``: each run's random numbers, drawn up front from its own generators;
- ``kernel``: the compiled hours (numba) that decide, settle and price every task;
- ``simulate``: runs and batches of runs into tables;
- ``sweep``: designs of experiments on processes or Dask.

The market imports the model, never the games or the findings.
"""
