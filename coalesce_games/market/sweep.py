"""Parameter sweeps over market configurations: serial, local processes or Dask.

Each run's seed is derived from its configuration and replicate index through
``numpy.random.SeedSequence`` (a SHA-256 hash of the configuration's canonical
JSON), never from execution order, so every executor gives the same table.
Finished runs stream to a CSV checkpoint (one row per run, with its
configuration, seed and package version); ``resume=True`` skips them (a last
line torn by a kill is dropped and its run redone). A failed run is reported
with its configuration and traceback after the others finish.

The built-in market runner simulates up to ``batch`` replicates of a design
point as one batch (:func:`coalesce_games.market.simulate_many`), one unit of
work per batch; a run's numbers do not depend on its batch, so the table is
the same for every batch size and executor. When a batch fails, its
replicates are run one by one so that each failure is attributed to its run.

>>> design = grid({"epsilon": [0.0, 0.1], "beta": [0.7]})
>>> len(design), design[0]
(2, {'beta': 0.7, 'epsilon': 0.0})
>>> run_seed({"epsilon": 0.1}, 0) == run_seed({"epsilon": 0.1}, 0)
True
"""

from __future__ import annotations

import hashlib
import itertools
import json
import os
import traceback
from collections.abc import Callable, Iterable
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from coalesce_games import __version__
from coalesce_games.market.config import MarketConfig
from coalesce_games.market.simulation import simulate, simulate_many

__all__ = ['SweepError', 'grid', 'latin_hypercube', 'one_blas_thread', 'plot_surface', 'run_seed', 'summarise', 'sweep']

_FIELDS = {f.name for f in fields(MarketConfig)}


class SweepError(RuntimeError):
    """Some runs failed; ``failures`` holds their configurations and tracebacks."""

    def __init__(self, failures: list[dict]) -> None:
        self.failures = failures
        first = failures[0]
        super().__init__(f"{len(failures)} run(s) failed; first: {first['config']} "
                         f"replicate {first['replicate']}:\n{first['traceback']}")


def one_blas_thread() -> None:
    """A pool worker's initializer: limit BLAS (numpy's OpenBLAS) to one thread in this process.

    OpenBLAS starts a thread per core in every process, and its threads spin
    for a while after each call; a pool of one process per core then has two
    threads per core, and one worker ran at half speed (measured: the F1
    table's two halves took 150 and 61 ms in two workers, each 70 ms alone;
    with one BLAS thread, 70 and 60). Uses ``threadpoolctl``.
    """
    from threadpoolctl import threadpool_limits

    threadpool_limits(1, user_api="blas")


def _check_fields(names: Iterable[str]) -> None:
    unknown = sorted(set(names) - _FIELDS)
    if unknown:
        raise ValueError(f"unknown MarketConfig field(s) {unknown}")


def grid(axes: dict[str, list]) -> list[dict[str, Any]]:
    """The full factorial design over ``axes`` (field -> values), in sorted field order."""
    if not axes:
        raise ValueError("grid needs at least one field")
    _check_fields(axes)
    for name, values in axes.items():
        if len(values) == 0:
            raise ValueError(f"grid field {name!r} has no values")
    names = sorted(axes)
    return [dict(zip(names, combo)) for combo in itertools.product(*(axes[n] for n in names))]


def latin_hypercube(bounds: dict[str, tuple[float, float]], n: int, seed: int = 0) -> list[dict[str, float]]:
    """``n`` points of a Latin hypercube over real-valued fields (scipy.stats.qmc)."""
    from scipy.stats import qmc

    if n < 1:
        raise ValueError(f"n must be >= 1; got {n}")
    _check_fields(bounds)
    names = sorted(bounds)
    sample = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(seed)).random(n)
    lo = np.array([bounds[k][0] for k in names])
    hi = np.array([bounds[k][1] for k in names])
    points = qmc.scale(sample, lo, hi)
    return [dict(zip(names, map(float, row))) for row in points]


def _canonical(config: dict[str, Any]) -> str:
    return json.dumps(config, sort_keys=True, default=list)


def run_seed(config: dict[str, Any], replicate: int) -> int:
    """A seed from the configuration and the replicate index (order-independent)."""
    digest = hashlib.sha256(_canonical(config).encode()).digest()
    entropy = [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4)] + [int(replicate)]
    return int(np.random.SeedSequence(entropy).generate_state(1)[0])


def _market_runner(config: dict[str, Any], seed: int) -> dict[str, Any]:
    row = simulate(MarketConfig().replace(**config), seed).runs.iloc[0]
    return {k: v for k, v in row.items() if not str(k).startswith("cfg_")}


def _one(runner: Callable, config: dict[str, Any], replicate: int) -> dict[str, Any]:
    seed = run_seed(config, replicate)
    try:
        out = runner(config, seed)
        return {"ok": True, "config": config, "replicate": replicate, "seed": seed, "result": out}
    except Exception:  # noqa: BLE001 - reported with its traceback, makes the sweep fail
        return {"ok": False, "config": config, "replicate": replicate, "seed": seed,
                "traceback": traceback.format_exc()}


def _batch(runner: Callable, config: dict[str, Any], replicates: list[int]) -> list[dict[str, Any]]:
    """The runs of one design point: one batch for the market runner, else one by one."""
    if runner is _market_runner and len(replicates) > 1:
        seeds = [run_seed(config, r) for r in replicates]
        try:
            runs = simulate_many(MarketConfig().replace(**config), seeds, batch=len(seeds)).runs
        except Exception:  # noqa: BLE001 - rerun solo below, so each failure names its run
            pass
        else:
            rows = runs.drop(columns=[c for c in runs.columns if str(c).startswith("cfg_")]).to_dict("records")
            return [{"ok": True, "config": config, "replicate": r, "seed": seed, "result": row}
                    for r, seed, row in zip(replicates, seeds, rows)]
    return [_one(runner, config, r) for r in replicates]


def _key(config: dict[str, Any], replicate: int) -> str:
    return f"{_canonical(config)}#{replicate}"


def _repair(checkpoint: Path) -> None:
    """Drop a last line torn by a kill mid-write (every complete row ends with a newline)."""
    with open(checkpoint, "rb+") as fh:
        content = fh.read()
        if content and not content.endswith(b"\n"):
            fh.truncate(content.rfind(b"\n") + 1)


def _finished(checkpoint: Path | None) -> set[str]:
    if checkpoint is None or not checkpoint.exists() or checkpoint.stat().st_size == 0:
        return set()
    _repair(checkpoint)
    if checkpoint.stat().st_size == 0:
        return set()
    done = pd.read_csv(checkpoint, usecols=["run_key"])
    return set(done.run_key)


def _append(checkpoint: Path, row: dict[str, Any]) -> None:
    frame = pd.DataFrame([row])
    header = not checkpoint.exists() or checkpoint.stat().st_size == 0
    with open(checkpoint, "a", newline="") as fh:
        frame.to_csv(fh, header=header, index=False)
        fh.flush()
        os.fsync(fh.fileno())


def sweep(design: list[dict[str, Any]], seeds: int, executor: str | Executor = "processes",
          runner: Callable | None = None, checkpoint: str | Path | None = None, resume: bool = False,
          scheduler: str | None = None, workers: int | None = None, progress: bool = True,
          batch: int = 8) -> pd.DataFrame:
    """Run every design point ``seeds`` times; one row per run, sorted by design and replicate.

    ``executor``: ``"serial"``, ``"processes"`` (default: all cores),
    ``"dask"`` (a ``scheduler`` address, or an in-process ``LocalCluster``), or
    any ``concurrent.futures.Executor``. ``batch``: replicates of a design
    point per unit of work (one batch of the market runner).
    """
    if not design:
        raise ValueError("design must hold at least one configuration")
    if isinstance(seeds, bool) or not isinstance(seeds, int) or seeds < 1:
        raise ValueError(f"seeds must be a positive number of replicates; got {seeds!r}")
    for point in design:
        _check_fields(point)
    if isinstance(batch, bool) or not isinstance(batch, int) or batch < 1:
        raise ValueError(f"batch must be a positive number of replicates; got {batch!r}")
    runner = _market_runner if runner is None else runner
    ckpt = Path(checkpoint) if checkpoint is not None else None
    if ckpt is not None and ckpt.exists() and not resume and ckpt.stat().st_size > 0:
        raise ValueError(f"checkpoint {ckpt} exists; pass resume=True to continue it")
    done = _finished(ckpt) if resume else set()
    todo = [(c, r) for c in design for r in range(seeds) if _key(c, r) not in done]
    units = [(c, reps[i:i + batch]) for c in design
             for reps in [[r for r in range(seeds) if _key(c, r) not in done]] for i in range(0, len(reps), batch)]
    rows, failures = [], []
    bar = tqdm(total=len(todo), desc="sweep", unit="run", disable=not progress)

    def record(res: dict[str, Any]) -> None:
        if res["ok"]:
            row = {"run_key": _key(res["config"], res["replicate"]), **{f"cfg_{k}": v for k, v in res["config"].items()},
                   "replicate": res["replicate"], "seed": res["seed"], "version": __version__, **res["result"]}
            rows.append(row)
            if ckpt is not None:
                _append(ckpt, row)
        else:
            failures.append(res)
        bar.update(1)
        bar.set_postfix(failed=len(failures))

    try:
        if executor == "serial":
            for c, reps in units:
                for res in _batch(runner, c, reps):
                    record(res)
        elif executor == "dask":
            _run_dask(units, runner, record, scheduler, workers)
        else:
            own = executor == "processes"
            pool = ProcessPoolExecutor(max_workers=workers or os.cpu_count(), initializer=one_blas_thread) \
                if own else executor
            if not own and not isinstance(pool, Executor):
                raise ValueError(f"executor must be 'serial', 'processes', 'dask' or an Executor; got {executor!r}")
            try:
                futures = [pool.submit(_batch, runner, c, reps) for c, reps in units]
                for fut in as_completed(futures):
                    for res in fut.result():
                        record(res)
            finally:
                if own:
                    pool.shutdown()
    finally:
        bar.close()
    if failures:
        raise SweepError(failures)
    table = pd.concat([pd.read_csv(ckpt)] if ckpt is not None else [pd.DataFrame(rows)], ignore_index=True)
    table = table.drop_duplicates("run_key")
    order = {_key(c, r): i for i, (c, r) in enumerate((c, r) for c in design for r in range(seeds))}
    table = table[table.run_key.isin(order)]
    return table.assign(_o=table.run_key.map(order)).sort_values("_o").drop(columns="_o").reset_index(drop=True)


def _run_dask(units: list, runner: Callable, record: Callable, scheduler: str | None, workers: int | None) -> None:
    try:
        from distributed import Client, LocalCluster
        from distributed import as_completed as dask_completed
    except ImportError as exc:  # pragma: no cover - exercised only without the extra
        raise ImportError("the Dask executor needs the optional extra: pip install 'coalesce-games[dask]'") from exc
    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=workers or 2, threads_per_worker=1, processes=True, dashboard_address=None)
    client = Client(scheduler or cluster)
    try:
        futures = [client.submit(_batch, runner, c, reps, pure=False) for c, reps in units]
        for fut in dask_completed(futures):
            for res in fut.result():
                record(res)
    finally:
        client.close()
        if cluster is not None:
            cluster.close()


def summarise(table: pd.DataFrame, metrics: list[str], level: float = 0.95) -> pd.DataFrame:
    """Mean, standard error and a t confidence interval per design point."""
    from scipy import stats

    cfg_cols = [c for c in table.columns if c.startswith("cfg_")]
    grouped = table.groupby(cfg_cols, dropna=False)
    out = grouped[metrics].agg(["mean", "sem", "count"])
    for m in metrics:
        t = stats.t.ppf(0.5 + level / 2, np.maximum(out[(m, "count")] - 1, 1))
        out[(m, "ci_low")] = out[(m, "mean")] - t * out[(m, "sem")]
        out[(m, "ci_high")] = out[(m, "mean")] + t * out[(m, "sem")]
    out.columns = [f"{m}_{s}" for m, s in out.columns]
    return out.reset_index()


def plot_surface(summary: pd.DataFrame, x: str, y: str, metric: str, ax: Any = None) -> Any:
    """A response surface of ``metric`` (a column of :func:`summarise`) over two fields.

    ``x`` and ``y`` are configuration fields (with or without the ``cfg_``
    prefix). Returns the matplotlib axes.
    """
    import matplotlib.pyplot as plt

    xc, yc = (c if c.startswith("cfg_") else f"cfg_{c}" for c in (x, y))
    for col in (xc, yc, metric):
        if col not in summary.columns:
            raise ValueError(f"column {col!r} is not in the summary; it has {list(summary.columns)}")
    table = summary.pivot_table(index=yc, columns=xc, values=metric, aggfunc="mean")
    if ax is None:
        _, ax = plt.subplots(figsize=(5.5, 4))
    image = ax.imshow(table.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
    ax.set_xticks(range(len(table.columns)), [f"{v:g}" for v in table.columns])
    ax.set_yticks(range(len(table.index)), [f"{v:g}" for v in table.index])
    ax.set_xlabel(xc.removeprefix("cfg_"))
    ax.set_ylabel(yc.removeprefix("cfg_"))
    ax.figure.colorbar(image, ax=ax, label=metric)
    return ax
