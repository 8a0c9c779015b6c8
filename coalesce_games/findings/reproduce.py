"""``coalesce-games reproduce``: every finding, its figures, tables and report.md.

>>> parse_only("F3,F1")
['F1', 'F3']
"""

from __future__ import annotations

from pathlib import Path

from tqdm.auto import tqdm

from coalesce_games.findings.catalogue import FINDINGS
from coalesce_games.findings.f1_published_table import F1_READINGS
from coalesce_games.findings.figures import save_figure
from coalesce_games.findings.report import render_report

__all__ = ['STEPS_FULL', 'STEPS_QUICK', 'parse_only', 'reproduce']

#: progress-bar units per finding (one per simulated configuration x seed; F1: 13 configurations, or 3
#: with --quick, x its readings x 20 seeds, or 2; one per part where a finding simulates no market)
STEPS_FULL = {"F1": 13 * len(F1_READINGS) * 20, "F2": 24, "F3": 1, "F4": 240, "F5": 18, "F6": 100, "F7": 4}
STEPS_QUICK = {"F1": 3 * len(F1_READINGS) * 2, "F2": 6, "F3": 1, "F4": 8, "F5": 6, "F6": 18, "F7": 4}


def parse_only(text: str | None) -> list[str]:
    """``"F1,F3"`` -> ``["F1", "F3"]``; unknown keys are an error."""
    if text is None:
        return sorted(FINDINGS)
    keys = [k.strip().upper() for k in text.split(",") if k.strip()]
    unknown = [k for k in keys if k not in FINDINGS]
    if unknown or not keys:
        raise ValueError(f"--only must list findings among {sorted(FINDINGS)}; got {text!r}")
    return sorted(set(keys))


def reproduce(out_dir: str | Path, quick: bool = False, only: str | None = None, progress: bool = True) -> Path:
    """Run the findings and write figures (PNG, SVG), tables (CSV) and report.md."""
    keys = parse_only(only)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    steps = STEPS_QUICK if quick else STEPS_FULL
    bar = tqdm(total=sum(steps[k] for k in keys), desc="reproduce", unit="run", disable=not progress)
    claims, tables, notes = [], {}, {}
    try:
        for key in keys:
            bar.set_postfix_str(key)
            finding = FINDINGS[key](quick=quick, progress=lambda: bar.update(1))
            claims += finding.claims
            notes[key] = f"**{finding.title}.** {finding.note}"
            for name, table in finding.tables.items():
                table.to_csv(out / f"{name}.csv", index=False)
                tables[name] = table
            if finding.figure is not None:
                save_figure(finding.figure, out, key, finding.title)
    finally:
        bar.close()
    import pandas as pd

    summary = pd.DataFrame([c.__dict__ for c in claims])
    summary.to_csv(out / "summary.csv", index=False)
    render_report(claims, tables, out, notes)
    return out
