"""``coalesce-games reproduce``: every finding, its figures, tables and report.md.

>>> parse_only("F3,F1")
['F1', 'F3']
"""

from __future__ import annotations

import json
import platform
import subprocess
import time
from collections.abc import Callable
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from tqdm.auto import tqdm

from coalesce_games.findings.catalogue import FINDINGS
from coalesce_games.findings.common import Finding
from coalesce_games.findings.f1_published_table import F1_READINGS
from coalesce_games.findings.figures import save_figure
from coalesce_games.findings.narrative import NEEDED, narrative_numbers, render_narrative
from coalesce_games.findings.report import render_report
from coalesce_games.findings.verdicts import preliminary

__all__ = ['STEPS_FULL', 'STEPS_QUICK', 'parse_only', 'reproduce', 'run_finding', 'run_stamp']

#: progress-bar units per finding (one per simulated configuration x seed; F1: 13 configurations, or 3
#: with --quick, x its readings x 20 seeds, or 2; one per part where a finding simulates no market)
STEPS_FULL = {"F1": 13 * len(F1_READINGS) * 20, "F2": 24, "F3": 1, "F4": 240, "F5": 18, "F6": 400, "F7": 4, "F8": 9}
STEPS_QUICK = {"F1": 3 * len(F1_READINGS) * 2, "F2": 6, "F3": 1, "F4": 8, "F5": 6, "F6": 18, "F7": 4, "F8": 5}


def parse_only(text: str | None) -> list[str]:
    """``"F1,F3"`` -> ``["F1", "F3"]``; unknown keys are an error."""
    if text is None:
        return sorted(FINDINGS)
    keys = [k.strip().upper() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in FINDINGS]
    if unknown or not keys:
        raise ValueError(f"--only must list findings among {sorted(FINDINGS)}; got {text!r}")
    return sorted(set(keys))


def reproduce(out_dir: str | Path, quick: bool = False, only: str | None = None, progress: bool = True,
              force: bool = False) -> Path:
    """Run the findings and write figures (PNG, SVG), tables (CSV) and report.md into ``out_dir``.

    Built in a temporary directory beside ``out_dir``, then swapped into place
    (:func:`coalesce_games.findings.outdir.staged_output`): a killed run leaves
    no half report, an earlier report of ours is replaced whole, and a file or
    a non-empty directory we did not write is refused unless ``force``.
    """
    from coalesce_games.findings.outdir import check_output_dir, staged_output

    parse_only(only)
    for name, flag in (("quick", quick), ("progress", progress)):
        if not isinstance(flag, bool):
            raise TypeError(f"{name} must be True or False; got {flag!r}")
    check_output_dir(out_dir, force)
    with staged_output(out_dir, force) as tmp:
        _reproduce_into(tmp, quick, only, progress)
    return Path(out_dir)


def run_finding(key: str, quick: bool = False, progress: Callable[[], None] | None = None) -> Finding:
    """Run one finding as ``reproduce`` does: a quick run's verdicts marked preliminary.

    Notebooks call this, so a notebook and the report give the same verdicts.
    """
    if key not in FINDINGS:
        raise ValueError(f"key must be one of {sorted(FINDINGS)}; got {key!r}")
    finding = FINDINGS[key](quick=quick, progress=progress)
    if quick:
        finding.claims = preliminary(finding.claims)
    return finding


def run_stamp(quick: bool, findings: list[Finding], started: datetime, seconds: float) -> dict[str, str]:
    """What identifies a run: toolkit version, git commit (in a checkout), mode, seeds, date, run time, versions.

    >>> s = run_stamp(True, [], datetime(2026, 1, 2, tzinfo=timezone.utc), 12.34)
    >>> s["mode"], s["date"], s["run time"]
    ('quick (preliminary)', '2026-01-02 00:00 UTC', '12 s')
    """
    import coalesce_games

    return {"toolkit": f"coalesce_games {coalesce_games.__version__}", "commit": _git_commit(),
            "mode": "quick (preliminary)" if quick else "full",
            "seeds": "; ".join(f"{f.key}: {f.seeds}" for f in findings if f.seeds) or "-",
            "date": started.strftime("%Y-%m-%d %H:%M UTC"), "run time": f"{seconds:.0f} s",
            "Python": platform.python_version(), "numpy": np.__version__,
            "command": "coalesce-games reproduce" + (" --quick" if quick else "")}


def _git_commit() -> str:
    """The checkout's commit (``+ local changes`` when the tree differs), or why there is none."""
    root = Path(__file__).resolve().parents[2]
    if not (root / ".git").exists():
        return "- (not a git checkout)"
    try:
        head = subprocess.run(["git", "-C", str(root), "rev-parse", "--short=12", "HEAD"], capture_output=True,
                              text=True, timeout=10, check=True).stdout.strip()
        dirty = subprocess.run(["git", "-C", str(root), "status", "--porcelain", "--untracked-files=no"],
                               capture_output=True, text=True, timeout=10, check=True).stdout.strip()
    except (OSError, subprocess.SubprocessError) as exc:
        return f"- (git failed: {type(exc).__name__})"
    return head + (" + local changes" if dirty else "")


def _reproduce_into(out_dir: Path, quick: bool, only: str | None, progress: bool) -> Path:
    """Run the findings and write figures (PNG, SVG), tables (CSV), summary.csv, report.md and report.html.

    When every finding ran, also ``numbers.json`` and ``reproduction.md`` (:mod:`.narrative`).
    """
    keys = parse_only(only)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    started, t0 = datetime.now(timezone.utc), time.perf_counter()
    steps = STEPS_QUICK if quick else STEPS_FULL
    bar = tqdm(total=sum(steps[k] for k in keys), desc="reproduce", unit="run", disable=not progress)
    findings = []
    try:
        for key in keys:
            bar.set_postfix_str(key)
            finding = run_finding(key, quick, progress=lambda: bar.update(1))
            for name, table in finding.tables.items():
                table.to_csv(out / f"{name}.csv", index=False)
            if finding.figure is not None:
                save_figure(finding.figure, out, key, finding.title)
            findings.append(finding)
    finally:
        bar.close()
    pd.DataFrame([c.__dict__ for f in findings for c in f.claims]).to_csv(out / "summary.csv", index=False)
    stamp = run_stamp(quick, findings, started, time.perf_counter() - t0)
    render_report(findings, stamp, out, quick)
    tables = {name: table for f in findings for name, table in f.tables.items()}
    if all(name in tables for name in NEEDED):           # the written account needs every finding
        numbers = narrative_numbers(tables, stamp)
        (out / "numbers.json").write_text(json.dumps(numbers, indent=1, sort_keys=True) + "\n")
        (out / "reproduction.md").write_text(render_narrative(numbers))
    return out
