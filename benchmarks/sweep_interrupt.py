"""A sweep stopped mid-run: its pool workers' fate, and resuming after a kill.

Starts a sweep of slow toy runs (0.5 s each, two pool workers, a checkpoint)
in a subprocess, waits for the first finished rows, sends SIGINT, SIGTERM or
SIGKILL to the sweep's process only (not its workers), and reports how long
the parent took to exit and the last worker to disappear (orphans: workers
still running 10 s later). Then, for the killed sweep, resumes it from its
checkpoint and checks the table equals an uninterrupted run's.

Usage: python benchmarks/sweep_interrupt.py
"""

from __future__ import annotations

import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from pathlib import Path

import pandas as pd
import psutil

from coalesce_games.market.sweep import grid, sweep

DESIGN = grid({"epsilon": [0.0, 0.1, 0.2], "beta": [0.5, 0.7]})


def toy(config: dict, seed: int) -> dict:
    return {"metric": config["epsilon"] * 10 + (seed % 1000) / 1000}


SCRIPT = """
    import sys, time
    sys.path.insert(0, {here!r})
    from sweep_interrupt import toy, DESIGN
    from coalesce_games.market.sweep import sweep
    def slow(config, seed):
        time.sleep(0.5)
        return toy(config, seed)
    if __name__ == "__main__":
        sweep(DESIGN, 20, executor="processes", workers=2, batch=1, runner=slow, checkpoint={ckpt!r}, progress=False)
"""


def stop(sig: signal.Signals, folder: Path) -> tuple[float, float, int, Path]:
    ckpt = folder / f"{sig.name}.csv"
    script = folder / f"{sig.name}.py"
    script.write_text(textwrap.dedent(SCRIPT.format(here=str(Path(__file__).parent), ckpt=str(ckpt))))
    proc = subprocess.Popen([sys.executable, str(script)], stderr=subprocess.DEVNULL)
    while not ckpt.exists() or len(ckpt.read_text().splitlines()) < 3:
        time.sleep(0.02)
    workers = psutil.Process(proc.pid).children(recursive=True)
    start = time.perf_counter()
    proc.send_signal(sig)
    proc.wait()
    parent_exit = time.perf_counter() - start
    _, alive = psutil.wait_procs(workers, timeout=10)
    workers_gone = time.perf_counter() - start
    orphans = [p for p in alive if p.is_running() and p.status() != psutil.STATUS_ZOMBIE]
    return parent_exit, workers_gone, len(orphans), ckpt


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        folder = Path(tmp)
        print(f"{'signal':8s} {'parent exit':>12s} {'workers gone':>13s} {'orphans':>8s}")
        for sig in (signal.SIGINT, signal.SIGTERM, signal.SIGKILL):
            parent, gone, orphans, ckpt = stop(sig, folder)
            print(f"{sig.name:8s} {parent * 1000:10.0f} ms {gone * 1000:11.0f} ms {orphans:8d}")
        done = len(pd.read_csv(ckpt))
        start = time.perf_counter()
        resumed = sweep(DESIGN, 20, executor="serial", runner=toy, checkpoint=ckpt, resume=True, progress=False)
        took = time.perf_counter() - start
        clean = sweep(DESIGN, 20, executor="serial", runner=toy, progress=False)
        same = resumed.drop(columns="version").equals(clean.drop(columns="version"))
        print(f"killed after {done} of {len(clean)} runs; resumed the other {len(clean) - done} in {took * 1000:.0f} ms; "
              f"table equal to an uninterrupted run's: {same}")


if __name__ == "__main__":
    main()
