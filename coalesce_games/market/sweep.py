"""Parameter sweeps over market configurations: serial, local processes or Dask.

Each run's seed is derived from its configuration and replicate index through
``numpy.random.SeedSequence`` (a SHA-256 hash of the configuration's canonical
JSON), never from execution order, so every executor gives the same table.
Finished runs stream to a CSV checkpoint (:mod:`coalesce_games.market.checkpoint`:
one header derived from the design, the design's hash in every row);
``resume=True`` skips them (a last line torn by a kill is dropped and its run
redone) and refuses, untouched, a file that is not this design's checkpoint.

Everything is checked before the first run: every design point is a valid
:class:`~coalesce_games.market.config.MarketConfig` (a grid value must be a
list: ``"paper"`` is not the values p, a, p, e, r), the replicates, batch,
workers and executor. A failed run is reported with its configuration, its
exception's type and message and its traceback after the others finish.
Interrupted (SIGINT) or terminated (SIGTERM), a sweep stops its pool's
workers before it exits; a worker whose parent dies stops by itself.

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

import contextlib
import hashlib
import itertools
import numbers
import os
import signal
import threading
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Executor, ProcessPoolExecutor, as_completed
from dataclasses import fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from coalesce_games import __version__
from coalesce_games.market.checkpoint import Layout, canonical, read_table
from coalesce_games.market.config import MarketConfig
from coalesce_games.market.simulation import simulate, simulate_many
from coalesce_games.validation import check_bool, check_int, check_scalar, check_sequence

__all__ = ['MAX_RUNS', 'SweepError', 'check_design', 'grid', 'latin_hypercube', 'one_blas_thread', 'plot_surface', 'run_seed', 'summarise', 'sweep']

_FIELDS = {f.name for f in fields(MarketConfig)}
_EXECUTORS = ("serial", "processes", "dask")


class SweepError(RuntimeError):
    """Some runs failed; ``failures`` holds their configurations, exception types, messages and tracebacks."""

    def __init__(self, failures: list[dict]) -> None:
        self.failures = failures
        first = failures[0]
        super().__init__(f"{len(failures)} run(s) failed; first: {first['config']} replicate {first['replicate']}: "
                         f"{first['error_type']}: {first['error']}")

    def table(self) -> pd.DataFrame:
        """One row per failed run: its configuration, replicate, seed, exception type and message."""
        return pd.DataFrame([{"config": canonical(f["config"]), "replicate": f["replicate"], "seed": f["seed"],
                              "error_type": f["error_type"], "error": f["error"]} for f in self.failures])


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


def _worker_init() -> None:
    """One BLAS thread, and a watch that ends this worker when its parent process dies (no orphans)."""
    one_blas_thread()
    parent = os.getppid()

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.2)
        os._exit(1)

    threading.Thread(target=watch, daemon=True, name="orphan-watch").start()


def _check_fields(names: Iterable[str]) -> None:
    names = list(names)
    bad = [n for n in names if not isinstance(n, str)]
    if bad:
        raise TypeError(f"design fields must be MarketConfig field names (strings); got {bad!r}")
    unknown = sorted(set(names) - _FIELDS)
    if unknown:
        raise ValueError(f"unknown MarketConfig field(s) {unknown}; the fields are {sorted(_FIELDS)}")


def grid(axes: dict[str, list]) -> list[dict[str, Any]]:
    """The full factorial design over ``axes`` (field -> list of values), in sorted field order.

    Each field's values must be a list (a string is not a list of its
    characters) of numbers or strings; :func:`sweep` checks the whole points.
    """
    if not isinstance(axes, dict):
        raise TypeError(f"axes must be a dict of field -> list of values; got {axes!r}")
    if not axes:
        raise ValueError("grid needs at least one field")
    _check_fields(axes)
    values = {name: check_sequence(f"grid field {name!r}", axes[name]) for name in axes}
    for name, vals in values.items():
        if len(vals) == 0:
            raise ValueError(f"grid field {name!r} has no values")
        for v in vals:
            _check_value(name, v)
    names = sorted(axes)
    return [dict(zip(names, combo)) for combo in itertools.product(*(values[n] for n in names))]


def _check_value(name: str, value: Any) -> None:
    """A design value's kind: a number or a string (a list of three shares for ``rogue_mix``).

    Ranges are checked on whole design points (:func:`check_design`): fields
    constrain each other (``rogue_share`` needs enough ``contractors``).
    """
    scalar = isinstance(value, (str, numbers.Real)) and not isinstance(value, (bool, np.bool_))
    mix = name == "rogue_mix" and isinstance(value, (list, tuple))
    if not (scalar or mix):
        raise TypeError(f"design value of {name!r} must be a number or a string (rogue_mix: a list of three "
                        f"shares); got {value!r}")


def check_design(design: Any) -> list[dict[str, Any]]:
    """Every point a dict of known fields whose configuration is valid; raised before the first run."""
    points = check_sequence("design", design, what="configurations (dicts of MarketConfig fields)")
    if not points:
        raise ValueError("design must hold at least one configuration")
    for i, point in enumerate(points):
        if not isinstance(point, dict):
            raise TypeError(f"design[{i}] must be a dict of MarketConfig fields; got {point!r}")
        _check_fields(point)
        for name, value in point.items():
            _check_value(name, value)
        try:
            MarketConfig().replace(**point)
        except (TypeError, ValueError) as exc:
            raise type(exc)(f"design[{i}] {point}: {exc}") from exc
    return points


#: the most runs one sweep may ask for (design points x replicates); its run keys alone would fill memory
MAX_RUNS = 10**7


def _check_options(seeds: Any, batch: Any, workers: Any, executor: Any, scheduler: Any) -> None:
    if isinstance(seeds, bool) or not isinstance(seeds, numbers.Integral) or seeds < 1:
        raise ValueError(f"seeds must be a positive number of replicates (an int >= 1); got {seeds!r}")
    if seeds > MAX_RUNS:
        raise ValueError(f"seeds must be at most {MAX_RUNS:,} replicates; got {seeds!r}")
    if isinstance(batch, bool) or not isinstance(batch, numbers.Integral) or batch < 1:
        raise ValueError(f"batch must be a positive number of replicates (an int >= 1); got {batch!r}")
    if workers is not None:
        check_int("workers", workers, minimum=1)
    if not isinstance(executor, Executor) and (not isinstance(executor, str) or executor not in _EXECUTORS):
        raise ValueError(f"executor must be one of {list(_EXECUTORS)} or a concurrent.futures.Executor; "
                         f"got {executor!r}")
    if scheduler is not None and not isinstance(scheduler, str):
        raise TypeError(f"scheduler must be a Dask scheduler address (a str) or None; got {scheduler!r}")


def latin_hypercube(bounds: dict[str, tuple[float, float]], n: int, seed: int = 0) -> list[dict[str, float]]:
    """``n`` points of a Latin hypercube over real-valued fields (scipy.stats.qmc)."""
    from scipy.stats import qmc

    check_int("n", n)
    if n < 1:
        raise ValueError(f"n must be >= 1; got {n}")
    if not isinstance(bounds, dict) or not bounds:
        raise ValueError(f"bounds must be a non-empty dict of field -> (low, high); got {bounds!r}")
    _check_fields(bounds)
    names = sorted(bounds)
    for k in names:
        low, high = check_sequence(f"bounds[{k!r}]", bounds[k], what="two numbers (low, high)")
        if not all(isinstance(b, numbers.Real) and not isinstance(b, bool) for b in (low, high)) or not low < high:
            raise ValueError(f"bounds[{k!r}] must be two numbers low < high; got {bounds[k]!r}")
    sample = qmc.LatinHypercube(d=len(names), seed=np.random.default_rng(seed)).random(n)
    lo = np.array([bounds[k][0] for k in names])
    hi = np.array([bounds[k][1] for k in names])
    points = qmc.scale(sample, lo, hi)
    return [dict(zip(names, map(float, row))) for row in points]


def run_seed(config: dict[str, Any], replicate: int) -> int:
    """A seed from the configuration and the replicate index (order-independent)."""
    digest = hashlib.sha256(canonical(config).encode()).digest()
    entropy = [int.from_bytes(digest[i:i + 4], "little") for i in range(0, 16, 4)] + [int(replicate)]
    return int(np.random.SeedSequence(entropy).generate_state(1)[0])


def _market_runner(config: dict[str, Any], seed: int) -> dict[str, Any]:
    row = simulate(MarketConfig().replace(**config), seed).runs.iloc[0]
    return {k: v for k, v in row.items() if not str(k).startswith("cfg_")}


def _failure(config: dict[str, Any], replicate: int, seed: int, exc: BaseException, tb: str) -> dict[str, Any]:
    return {"ok": False, "config": config, "replicate": replicate, "seed": seed,
            "error_type": type(exc).__name__, "error": str(exc), "traceback": tb}


def _one(runner: Callable, config: dict[str, Any], replicate: int) -> dict[str, Any]:
    seed = run_seed(config, replicate)
    try:
        out = runner(config, seed)
        if not isinstance(out, dict):
            raise TypeError(f"the runner must return a dict of result columns; got {type(out).__name__}")
        return {"ok": True, "config": config, "replicate": replicate, "seed": seed, "result": out}
    except Exception as exc:  # noqa: BLE001 - reported with its type, message and traceback; the sweep fails
        return _failure(config, replicate, seed, exc, traceback.format_exc())


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
    return f"{canonical(config)}#{replicate}"


def _open_checkpoint(checkpoint: Any, resume: bool, layout: Layout) -> tuple[Path | None, set[str]]:
    """The checkpoint's path and the run keys it holds; refused (untouched) unless it is this design's."""
    if checkpoint is None:
        return None, set()
    if not isinstance(checkpoint, (str, os.PathLike)):
        raise TypeError(f"checkpoint must be a file path or None; got {checkpoint!r}")
    path = Path(checkpoint)
    try:
        if path.is_dir():
            raise ValueError(f"checkpoint {path} is a directory; give a CSV file path")
        if not path.parent.is_dir():
            raise ValueError(f"checkpoint {path}: its folder {path.parent} does not exist")
        if not path.exists() or path.stat().st_size == 0:
            return path, set()
    except OSError as exc:      # a name too long, a permission: a bad path, said before any run
        raise ValueError(f"checkpoint {str(path)[:80]!r} cannot be used: {exc.strerror}") from exc
    if not resume:
        raise ValueError(f"checkpoint {path} exists; pass resume=True to continue it")
    done = layout.adopt(path)
    Layout.repair(path)
    return path, done


def sweep(design: list[dict[str, Any]], seeds: int, executor: str | Executor = "processes",
          runner: Callable | None = None, checkpoint: str | Path | None = None, resume: bool = False,
          scheduler: str | None = None, workers: int | None = None, progress: bool = True,
          batch: int = 8) -> pd.DataFrame:
    """Run every design point ``seeds`` times; one row per run, sorted by design and replicate.

    ``executor``: ``"serial"``, ``"processes"`` (default: all cores),
    ``"dask"`` (a ``scheduler`` address, or an in-process ``LocalCluster``), or
    any ``concurrent.futures.Executor``. ``batch``: replicates of a design
    point per unit of work (one batch of the market runner). ``workers``: an
    int >= 1, or ``None`` for every core (two Dask workers).
    """
    design = check_design(design)
    _check_options(seeds, batch, workers, executor, scheduler)
    if len(design) * seeds > MAX_RUNS:
        raise ValueError(f"{len(design)} design points x {seeds} replicates is more than {MAX_RUNS:,} runs")
    check_bool("resume", resume)
    check_bool("progress", progress)
    runner = _market_runner if runner is None else runner
    if not callable(runner):
        raise TypeError(f"runner must be a function (config, seed) -> dict; got {runner!r}")
    layout = Layout.of(design)
    ckpt, done = _open_checkpoint(checkpoint, resume, layout)
    units = [(c, reps[i:i + batch]) for c in design
             for reps in [[r for r in range(seeds) if _key(c, r) not in done]] for i in range(0, len(reps), batch)]
    rows, failures = [], []
    bar = tqdm(total=sum(len(reps) for _, reps in units), desc="sweep", unit="run", disable=not progress)

    def record(res: dict[str, Any]) -> None:
        if res["ok"]:
            try:
                cells = layout.row(_key(res["config"], res["replicate"]), res["config"], res["replicate"],
                                   res["seed"], __version__, res["result"])
            except ValueError as exc:
                res = _failure(res["config"], res["replicate"], res["seed"], exc, traceback.format_exc())
            else:
                rows.append(cells)
                if ckpt is not None:
                    layout.append(ckpt, cells)
        if not res["ok"]:
            failures.append(res)
        bar.update(1)
        bar.set_postfix(failed=len(failures))

    try:
        with _sigterm_raises():
            _execute(executor, units, runner, record, scheduler, workers)
    finally:
        bar.close()
    if failures:
        raise SweepError(failures)
    table = read_table(ckpt.read_text(), str(ckpt)) if ckpt is not None else layout.frame(rows)
    table = table.drop(columns="spec").drop_duplicates("run_key")
    order = {_key(c, r): i for i, (c, r) in enumerate((c, r) for c in design for r in range(seeds))}
    table = table[table.run_key.isin(order)]
    return table.assign(_o=table.run_key.map(order)).sort_values("_o").drop(columns="_o").reset_index(drop=True)


@contextlib.contextmanager
def _sigterm_raises() -> Iterator[None]:
    """While the sweep runs, SIGTERM raises ``SystemExit`` (so the workers are stopped) instead of killing us.

    Only from the main thread and only over the default handler (a program's
    own SIGTERM handler is left alone).
    """
    if threading.current_thread() is not threading.main_thread() or \
            signal.getsignal(signal.SIGTERM) is not signal.SIG_DFL:
        yield
        return

    def handler(signum: int, frame: Any) -> None:
        raise SystemExit(128 + signum)

    signal.signal(signal.SIGTERM, handler)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, signal.SIG_DFL)


def _execute(executor: str | Executor, units: list, runner: Callable, record: Callable,
             scheduler: str | None, workers: int | None) -> None:
    if executor == "serial":
        for c, reps in units:
            for res in _batch(runner, c, reps):
                record(res)
    elif executor == "dask":
        _run_dask(units, runner, record, scheduler, workers)
    elif executor == "processes":
        pool = ProcessPoolExecutor(max_workers=workers or os.cpu_count(), initializer=_worker_init)
        try:
            _drain(pool, units, runner, record)
        except BaseException:
            _stop_pool(pool)
            raise
        pool.shutdown()
    else:
        _drain(executor, units, runner, record)


def _drain(pool: Executor, units: list, runner: Callable, record: Callable) -> None:
    futures = [pool.submit(_batch, runner, c, reps) for c, reps in units]
    try:
        for fut in as_completed(futures):
            for res in fut.result():
                record(res)
    except BaseException:
        for fut in futures:
            fut.cancel()
        raise


def _stop_pool(pool: ProcessPoolExecutor) -> None:
    """Stop an interrupted pool now: cancel what has not started and end every worker process."""
    processes = list((getattr(pool, "_processes", None) or {}).values())
    pool.shutdown(wait=False, cancel_futures=True)
    for proc in processes:
        proc.terminate()
    for proc in processes:
        proc.join(5)
        if proc.is_alive():
            proc.kill()


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

    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a sweep's DataFrame; got {type(table).__name__}")
    metrics = check_sequence("metrics", metrics, what="column names")
    missing = [m for m in metrics if m not in table.columns]
    if missing or not metrics:
        raise ValueError(f"metrics must be columns of the table; got {metrics!r}, the table has {list(table.columns)}")
    check_scalar("level", level, low=0, high=1, low_open=True, high_open=True)
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
