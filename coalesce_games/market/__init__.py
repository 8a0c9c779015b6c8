"""The simulated market: configuration, draws, the compiled kernel, runs and sweeps.

- ``config``: :class:`MarketConfig` and the named scenarios;
- ``draws``: each run's random numbers, drawn up front from its own generators;
- ``arrays``: what the compiled hours read, keep and fill;
- ``kernel``: the compiled hours (numba) that decide, settle and price every task;
- ``simulation``: runs and batches of runs into tables;
- ``reference``: the published table's market task by task in Python (the tests' and benchmarks' baseline);
- ``sweep``: designs of experiments on processes or Dask.

The market imports the model, never the games or the findings.
"""
