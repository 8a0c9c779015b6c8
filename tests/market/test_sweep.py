"""Sweeps: same table from every executor, resume after a kill, failures reported."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

import pandas as pd
import pytest

from coalesce_games.market.sweep import SweepError, grid, latin_hypercube, run_seed, summarise, sweep


def toy_runner(config: dict, seed: int) -> dict:
    """Deterministic and cheap: a function of the configuration and the seed."""
    import numpy as np

    rng = np.random.default_rng(seed)
    return {"metric": config.get("epsilon", 0.0) * 10 + rng.random(), "seed_echo": seed}


def failing_runner(config: dict, seed: int) -> dict:
    if config["epsilon"] == 0.2:
        raise RuntimeError("boom")
    return toy_runner(config, seed)


DESIGN = grid({"epsilon": [0.0, 0.1, 0.2], "beta": [0.5, 0.7]})


def test_seeds_depend_on_configuration_and_replicate_only() -> None:
    assert run_seed({"a": 1, "b": 2}, 0) == run_seed({"b": 2, "a": 1}, 0)
    assert run_seed({"a": 1}, 0) != run_seed({"a": 1}, 1)


def test_serial_and_processes_give_identical_tables() -> None:
    serial = sweep(DESIGN, 3, executor="serial", runner=toy_runner, progress=False)
    procs = sweep(DESIGN, 3, executor="processes", runner=toy_runner, workers=2, progress=False)
    pd.testing.assert_frame_equal(serial, procs)
    assert len(serial) == 18


def test_dask_local_cluster_gives_the_same_table() -> None:
    pytest.importorskip("distributed")
    serial = sweep(DESIGN[:2], 2, executor="serial", runner=toy_runner, progress=False)
    dask = sweep(DESIGN[:2], 2, executor="dask", runner=toy_runner, workers=2, progress=False)
    pd.testing.assert_frame_equal(serial, dask)


def test_real_market_runner_is_reproducible(tmp_path) -> None:
    design = grid({"days": [1], "clients": [2], "contractors": [6], "epsilon": [0.0, 0.1]})
    a = sweep(design, 2, executor="serial", progress=False)
    b = sweep(design, 2, executor="processes", workers=2, progress=False)
    pd.testing.assert_frame_equal(a, b)
    summary = summarise(a, ["cost_reduction"])
    assert {"cost_reduction_mean", "cost_reduction_ci_low", "cost_reduction_ci_high"} <= set(summary.columns)


def test_failures_are_reported_after_the_rest_finish(tmp_path) -> None:
    ckpt = tmp_path / "runs.csv"
    with pytest.raises(SweepError) as info:
        sweep(DESIGN, 2, executor="serial", runner=failing_runner, checkpoint=ckpt, progress=False)
    assert len(info.value.failures) == 4 and "boom" in info.value.failures[0]["traceback"]
    assert len(pd.read_csv(ckpt)) == 8  # every other run finished and was kept


def test_killed_sweep_resumes_to_the_uninterrupted_result(tmp_path) -> None:
    ckpt = tmp_path / "runs.csv"
    script = tmp_path / "slow.py"
    script.write_text(textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {os.path.dirname(__file__)!r})
        from test_sweep import toy_runner, DESIGN
        from coalesce_games.market.sweep import sweep
        def slow(config, seed):
            time.sleep(0.3)
            return toy_runner(config, seed)
        sweep(DESIGN, 3, executor="serial", runner=slow, checkpoint={str(ckpt)!r}, progress=False)
    """))
    proc = subprocess.Popen([sys.executable, str(script)])
    deadline = time.time() + 60
    while time.time() < deadline and (not ckpt.exists() or len(ckpt.read_text().splitlines()) < 4):
        time.sleep(0.1)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = len(pd.read_csv(ckpt))
    assert 0 < partial < 18
    resumed = sweep(DESIGN, 3, executor="serial", runner=toy_runner, checkpoint=ckpt, resume=True, progress=False)
    clean = sweep(DESIGN, 3, executor="serial", runner=toy_runner, progress=False)
    pd.testing.assert_frame_equal(resumed.drop(columns="version"), clean.drop(columns="version"))


@pytest.mark.parametrize("call, message", [
    (lambda: grid({"warp_speed": [1]}), "unknown MarketConfig field"),
    (lambda: grid({"epsilon": []}), "has no values"),
    (lambda: grid({}), "at least one field"),
    (lambda: sweep(DESIGN, -1, runner=toy_runner), "seeds must be a positive"),
    (lambda: sweep([], 2, runner=toy_runner), "at least one configuration"),
    (lambda: latin_hypercube({"epsilon": (0, 1)}, 0), "n must be >= 1"),
    (lambda: sweep(DESIGN, 2, runner=toy_runner, batch=0), "batch must be a positive"),
])
def test_bad_specifications_are_rejected_before_running(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_existing_checkpoint_needs_resume(tmp_path) -> None:
    ckpt = tmp_path / "runs.csv"
    sweep(DESIGN[:1], 1, executor="serial", runner=toy_runner, checkpoint=ckpt, progress=False)
    with pytest.raises(ValueError, match="resume=True"):
        sweep(DESIGN[:1], 1, executor="serial", runner=toy_runner, checkpoint=ckpt, progress=False)


def test_plot_surface_draws_the_grid() -> None:
    import matplotlib

    matplotlib.use("Agg")
    from coalesce_games.market.sweep import plot_surface

    table = sweep(DESIGN, 2, executor="serial", runner=toy_runner, progress=False)
    summary = summarise(table, ["metric"])
    ax = plot_surface(summary, "epsilon", "beta", "metric_mean")
    assert ax.images[0].get_array().shape == (2, 3)
    with pytest.raises(ValueError, match="not in the summary"):
        plot_surface(summary, "epsilon", "beta", "nope")


def test_batches_do_not_change_the_table() -> None:
    design = grid({"days": [1], "clients": [3], "contractors": [6], "rogue_share": [0.0, 0.34]})
    solo = sweep(design, 5, executor="serial", batch=1, progress=False)
    batched = sweep(design, 5, executor="serial", batch=3, progress=False)
    pd.testing.assert_frame_equal(solo, batched)
    assert solo.seed.nunique() == 10


def test_a_failing_batch_names_each_failed_run(monkeypatch) -> None:
    """A batch that fails is rerun run by run, so each failure carries its replicate, type and message."""
    from coalesce_games.market import sweep as sweep_module

    def broken(config, seed, *args, **kwargs):
        if config.tau == 0.5:
            raise FloatingPointError(f"no market for seed {seed}")
        return real(config, seed, *args, **kwargs)

    real = sweep_module.simulate
    monkeypatch.setattr(sweep_module, "simulate", broken)
    def no_batch(config, seeds, batch):
        raise RuntimeError("the batch fails as a whole")

    monkeypatch.setattr(sweep_module, "simulate_many", no_batch)
    design = [{"days": 1, "clients": 2, "contractors": 6}, {"days": 1, "clients": 2, "contractors": 6, "tau": 0.5}]
    with pytest.raises(SweepError) as info:
        sweep(design, 3, executor="serial", batch=3, progress=False)
    failed = info.value.failures
    assert sorted(f["replicate"] for f in failed) == [0, 1, 2]
    assert all(f["config"]["tau"] == 0.5 and f["error_type"] == "FloatingPointError" for f in failed)
    table = info.value.table()
    assert list(table.columns) == ["config", "replicate", "seed", "error_type", "error"]
    assert table.error.tolist() == [f"no market for seed {s}" for s in table.seed]


def test_resume_drops_a_line_torn_by_a_kill(tmp_path) -> None:
    ckpt = tmp_path / "runs.csv"
    sweep(DESIGN[:2], 2, executor="serial", runner=toy_runner, checkpoint=ckpt, progress=False)
    lines = ckpt.read_text().splitlines(keepends=True)
    ckpt.write_text("".join(lines[:-1]) + lines[-1][: len(lines[-1]) // 2])   # the last row half written
    resumed = sweep(DESIGN[:2], 2, executor="serial", runner=toy_runner, checkpoint=ckpt, resume=True, progress=False)
    clean = sweep(DESIGN[:2], 2, executor="serial", runner=toy_runner, progress=False)
    pd.testing.assert_frame_equal(resumed.drop(columns="version"), clean.drop(columns="version"))
    assert len(pd.read_csv(ckpt)) == 4


def _blas_threads() -> list[int]:
    from threadpoolctl import threadpool_info

    return [pool["num_threads"] for pool in threadpool_info() if pool["user_api"] == "blas"]


def test_pool_workers_run_one_blas_thread() -> None:
    """Our process pools start each worker with one BLAS thread (two per core would halve a worker's speed)."""
    from concurrent.futures import ProcessPoolExecutor

    from coalesce_games.market.sweep import one_blas_thread

    if not _blas_threads():
        pytest.skip("numpy's BLAS is not visible to threadpoolctl here")
    with ProcessPoolExecutor(2, initializer=one_blas_thread) as pool:
        seen = list(pool.map(_blas_threads_after, range(2)))
    assert all(threads and set(threads) == {1} for threads in seen), seen


def _blas_threads_after(_: int) -> list[int]:
    return _blas_threads()


# --- issue 15: nothing lost, everything checked before the first run, no orphan workers ---------------------------

def test_design_points_in_any_key_order_keep_their_columns(tmp_path) -> None:
    """Rows used to be appended in each point's own key order under the first row's header (columns swapped)."""
    design = [{"epsilon": 0.1, "beta": 0.7}, {"beta": 0.5, "epsilon": 0.0}, {"tau": 0.4, "epsilon": 0.2}]
    ckpt = tmp_path / "runs.csv"
    from_file = sweep(design, 2, executor="serial", runner=toy_runner, checkpoint=ckpt, progress=False)
    in_memory = sweep(design, 2, executor="serial", runner=toy_runner, progress=False)
    pd.testing.assert_frame_equal(from_file, in_memory, check_exact=True)
    assert from_file.cfg_beta.tolist()[:4] == [0.7, 0.7, 0.5, 0.5] and from_file.cfg_epsilon.tolist()[2:4] == [0.0, 0.0]
    assert from_file.cfg_tau.isna().sum() == 4 and from_file.cfg_tau.tolist()[4:] == [0.4, 0.4]
    header = ckpt.read_text().splitlines()[0].split(",")
    assert header[:7] == ["run_key", "spec", "cfg_beta", "cfg_epsilon", "cfg_tau", "replicate", "seed"]


@pytest.mark.parametrize("content", [
    b"name,age\nada,36\n",                         # another CSV
    b"\x89PNG\r\n\x1a\n\x00\x00 binary",          # not text
    b"just some notes\nwithout a newline at the end",
])
def test_resume_refuses_a_file_that_is_not_a_checkpoint_and_leaves_it_untouched(tmp_path, content) -> None:
    ckpt = tmp_path / "runs.csv"
    ckpt.write_bytes(content)
    with pytest.raises(ValueError, match="left untouched"):
        sweep(DESIGN, 2, executor="serial", runner=toy_runner, checkpoint=ckpt, resume=True, progress=False)
    assert ckpt.read_bytes() == content


def test_resume_refuses_the_checkpoint_of_an_edited_design(tmp_path) -> None:
    ckpt = tmp_path / "runs.csv"
    sweep(DESIGN[:2], 1, executor="serial", runner=toy_runner, checkpoint=ckpt, progress=False)
    before = ckpt.read_bytes()
    edited = [dict(DESIGN[0], epsilon=0.05), DESIGN[1]]          # same fields, other values
    with pytest.raises(ValueError, match="another design"):
        sweep(edited, 1, executor="serial", runner=toy_runner, checkpoint=ckpt, resume=True, progress=False)
    other_fields = [{"tau": 0.5}]
    with pytest.raises(ValueError, match="not a checkpoint of this sweep"):
        sweep(other_fields, 1, executor="serial", runner=toy_runner, checkpoint=ckpt, resume=True, progress=False)
    assert ckpt.read_bytes() == before
    more = sweep(DESIGN[:2], 3, executor="serial", runner=toy_runner, checkpoint=ckpt, resume=True, progress=False)
    assert len(more) == 6                                        # more replicates of the same design resume


class _Calls:
    count = 0


def _counting_runner(config: dict, seed: int) -> dict:
    _Calls.count += 1
    return toy_runner(config, seed)


@pytest.mark.parametrize("call, error, message", [
    (lambda: grid({"policy": "paper"}), TypeError, "grid field 'policy' must be a list"),
    (lambda: grid({"epsilon": [0.1, {"a": 1}]}), TypeError, "design value of 'epsilon'"),
    (lambda: grid({"epsilon": [True]}), TypeError, "design value of 'epsilon'"),
    (lambda: sweep([{"epsilon": 0.1}, {"epsilon": 2.0}], 2, runner=_counting_runner), ValueError,
     r"design\[1\].*epsilon must be in \[0, 1\]; got 2.0"),
    (lambda: sweep([{"epsilon": "0.1"}], 2, runner=_counting_runner), TypeError, "epsilon"),
    (lambda: sweep([{"epsilon": [0.1]}], 2, runner=_counting_runner), TypeError, "design value of 'epsilon'"),
    (lambda: sweep({"epsilon": 0.1}, 2, runner=_counting_runner), TypeError, "design must be a list"),
    (lambda: sweep(DESIGN, 2, runner=_counting_runner, executor="dask", workers=-1), ValueError, "workers must be >= 1"),
    (lambda: sweep(DESIGN, 2, runner=_counting_runner, workers=0), ValueError, "workers must be >= 1"),
    (lambda: sweep(DESIGN, 2, runner=_counting_runner, executor="thread"), ValueError, "executor must be one of"),
    (lambda: sweep(DESIGN, True, runner=_counting_runner), ValueError, "seeds must be a positive"),
    (lambda: sweep(DESIGN, 2, runner="toy"), TypeError, "runner must be a function"),
])
def test_design_and_options_are_checked_before_the_first_run(call, error, message) -> None:
    _Calls.count = 0
    with pytest.raises(error, match=message):
        call()
    assert _Calls.count == 0


def test_each_failure_gives_its_exception_type_and_message() -> None:
    with pytest.raises(SweepError, match="RuntimeError: boom") as info:
        sweep(DESIGN, 1, executor="serial", runner=failing_runner, progress=False)
    assert {(f["error_type"], f["error"]) for f in info.value.failures} == {("RuntimeError", "boom")}
    with pytest.raises(SweepError, match="TypeError: the runner must return a dict"):
        sweep(DESIGN[:1], 1, executor="serial", runner=lambda c, s: 1.0, progress=False)


def _orphan_script(tmp_path) -> str:
    return textwrap.dedent(f"""
        import sys, time
        sys.path.insert(0, {os.path.dirname(__file__)!r})
        from test_sweep import toy_runner, DESIGN
        from coalesce_games.market.sweep import sweep
        def slow(config, seed):
            time.sleep(0.5)
            return toy_runner(config, seed)
        if __name__ == "__main__":
            sweep(DESIGN, 20, executor="processes", workers=2, batch=1, runner=slow,
                  checkpoint={str(tmp_path / "runs.csv")!r}, progress=False)
    """)


@pytest.mark.parametrize("sig", [signal.SIGINT, signal.SIGTERM, signal.SIGKILL])
def test_a_stopped_sweep_leaves_no_worker_running(tmp_path, sig) -> None:
    psutil = pytest.importorskip("psutil")
    script = tmp_path / "sweep_run.py"
    script.write_text(_orphan_script(tmp_path))
    proc = subprocess.Popen([sys.executable, str(script)], stderr=subprocess.DEVNULL)
    parent = psutil.Process(proc.pid)
    deadline = time.time() + 60
    ckpt = tmp_path / "runs.csv"
    while time.time() < deadline and (not ckpt.exists() or len(ckpt.read_text().splitlines()) < 2):
        time.sleep(0.05)
    workers = parent.children(recursive=True)
    assert len(workers) >= 2, "the pool's workers should be running"
    proc.send_signal(sig)
    assert proc.wait(timeout=30) != 0
    gone, alive = psutil.wait_procs(workers, timeout=10)
    assert not [p for p in alive if p.status() != psutil.STATUS_ZOMBIE], f"orphan workers after {sig!r}"
