"""The reproduce command end to end (files, stamp, report numbers against the run's tables) and the CLI.

The verdict rules have their own tests (tests/findings/test_verdicts.py).
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from coalesce_games.cli import main
from coalesce_games.findings.reproduce import parse_only, reproduce
from coalesce_games.findings.narrative import render_narrative
from coalesce_games.findings.report import format_table


# ------------------------------------------------------------------ reproduce
class _CountingBar:
    """Stands in for tqdm: records the planned total and the units each finding reports."""

    seen: list = []

    def __init__(self, total, **_):
        self.total, self.key, self.units = total, None, {}
        _CountingBar.seen.append(self)

    def set_postfix_str(self, key):
        self.key = key

    def update(self, n):
        self.units[self.key] = self.units.get(self.key, 0) + n

    def close(self):
        pass


@pytest.fixture(scope="module")
def quick_run(tmp_path_factory):
    import coalesce_games.findings.reproduce as rep

    out = tmp_path_factory.mktemp("reproduce")
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr(rep, "tqdm", _CountingBar)
        reproduce(out, quick=True, progress=False)
    return out


def test_the_progress_bar_counts_what_each_finding_runs(quick_run) -> None:
    from coalesce_games.findings.reproduce import STEPS_FULL, STEPS_QUICK

    bar = _CountingBar.seen[-1]
    assert bar.units == STEPS_QUICK and bar.total == sum(STEPS_QUICK.values())
    assert STEPS_FULL.keys() == STEPS_QUICK.keys()


def test_every_figure_table_and_section_exists(quick_run) -> None:
    keys = ("F1", "F2", "F3", "F4", "F5", "F6", "F7")
    for key in keys:
        assert (quick_run / f"{key}.png").stat().st_size > 1000
        assert (quick_run / f"{key}.svg").exists()
    report = (quick_run / "report.md").read_text()
    for key in keys:
        assert f"## {key}: " in report and f"![{key}: " in report
    summary = pd.read_csv(quick_run / "summary.csv")
    assert set(keys) <= set(summary.finding)
    assert summary.verdict.notna().all() and summary.source.notna().all()


def test_html_report_is_self_contained(quick_run) -> None:
    page = (quick_run / "report.html").read_text()
    assert page.count("src='data:image/png;base64,") == len(list(quick_run.glob("*.png"))) >= 7
    assert "src='F1.png'" not in page and "<table>" in page
    assert "href=\"F1_table.csv\"" in page               # a wide table is linked, not dumped


def test_a_quick_run_is_stamped_and_every_verdict_is_preliminary(quick_run) -> None:
    report = (quick_run / "report.md").read_text()
    head = report[:report.index("## Summary")]
    assert "Quick run: every verdict is preliminary" in head
    for field in ("toolkit", "commit", "mode", "seeds", "date", "run time", "Python", "numpy"):
        assert re.search(rf"^\| {field} \| .+ \|$", head, re.M), field
    assert "| mode | quick (preliminary) |" in head
    verdicts = pd.read_csv(quick_run / "summary.csv").verdict
    assert verdicts.str.startswith("preliminary: ").all()
    # too few seeds: not judged (F5's difference of two shares once got [-416, 487] pp and a firm verdict)
    assert verdicts.str.contains("not assessed").sum() >= 3


def _report_tables(report: str) -> dict[str, pd.DataFrame]:
    """Each '### name' section's pipe table in report.md, as strings."""
    tables, name, rows = {}, None, []
    for line in report.splitlines() + [""]:
        if line.startswith("### "):
            name, rows = line[4:].strip(), []
        elif line.startswith("|") and name is not None:
            rows.append([c.strip() for c in line.strip().strip("|").split(" | ")])
        elif rows and name is not None:
            tables[name] = pd.DataFrame(rows[2:], columns=rows[0])
            name, rows = None, []
    return tables


def test_report_numbers_equal_the_tables(quick_run) -> None:
    report = (quick_run / "report.md").read_text()
    shown = {k: v for k, v in _report_tables(report).items() if (quick_run / f"{k}.csv").exists()}
    assert {"F1_table", "F2_runs", "F5_market", "F6_surface"} <= set(shown)
    for name, printed in shown.items():
        run = pd.read_csv(quick_run / f"{name}.csv", keep_default_na=False, na_values=[""])[list(printed.columns)]
        expected = format_table(run)
        assert printed.shape == expected.shape, name
        assert (printed.to_numpy() == expected.to_numpy()).all(), (name, printed, expected)
    f1 = pd.read_csv(quick_run / "F1_table.csv")
    overall = np.average(f1.paper_metric_mean, weights=f1.published_runs)
    assert f"{overall:.1f} % run-weighted (published mechanics)" in report
    f3 = pd.read_csv(quick_run / "F3_admission.csv")
    at = f3[(f3["mode"] == "declared") & np.isclose(f3.tau, 0.7)].spoofer_admitted.item()
    assert f"spoofers admitted at 0.7: {100 * at:.1f} %" in report
    for row in pd.read_csv(quick_run / "summary.csv").itertuples():
        assert f"**{row.verdict}**" in report and row.simulated in report


def test_the_written_account_quotes_the_run(quick_run) -> None:
    """reproduction.md is the rendering of numbers.json, and those numbers are the tables' (recomputed here)."""
    numbers = json.loads((quick_run / "numbers.json").read_text())
    assert (quick_run / "reproduction.md").read_text() == render_narrative(numbers)
    f1 = pd.read_csv(quick_run / "F1_table.csv")
    assert numbers["f1_mean"] == f"{np.average(f1.paper_metric_mean, weights=f1.published_runs):.1f}"
    assert numbers["f1_rate"] == f"{f1.outsourcing_rate.mean():.1f}"
    f2 = pd.read_csv(quick_run / "F2_runs.csv").pivot(index="seed", columns="epsilon", values="cost_reduction")
    assert numbers["f2_diff"] == f"{100 * (f2[0.1] - f2[0.0]).mean():.1f}"
    f3 = pd.read_csv(quick_run / "F3_admission.csv")
    probe = f3[(f3["mode"] == "probe") & np.isclose(f3.tau, 0.7)]
    assert numbers["f3_probe_capable"] == f"{100 * probe.honest_capable_admitted.item():.1f}"
    f5 = pd.read_csv(quick_run / "F5_market.csv").set_index("cfg_verification_share")
    assert numbers["f5_rogue_0"] == f"{100 * f5.loc[0.0, 'rogue_task_share']:.0f}"
    g4 = pd.read_csv(quick_run / "F7_G4_v_star.csv")
    assert numbers["f7_g4_inside"] == str(int(g4.within_ci.sum()))
    assert numbers["mode"] == "quick (preliminary)"


def test_papers_reproduction_is_the_full_runs_account(quick_run) -> None:
    """papers/reproduction.md is render_narrative of the full run's numbers, committed beside it: no number in
    it was written by hand. The committed numbers have every field a run gives."""
    papers = Path(__file__).resolve().parents[2] / "papers"
    committed = json.loads((papers / "reproduction-numbers.json").read_text())
    assert committed["mode"] == "full"
    assert set(committed) == set(json.loads((quick_run / "numbers.json").read_text()))
    assert (papers / "reproduction.md").read_text() == render_narrative(committed)


def test_the_stamp_names_the_commit_in_a_checkout() -> None:
    from datetime import datetime, timezone

    from coalesce_games.findings.reproduce import run_stamp

    stamp = run_stamp(False, [], datetime.now(timezone.utc), 1.0)
    in_checkout = (Path(__file__).resolve().parents[2] / ".git").exists()
    assert bool(re.match(r"^[0-9a-f]{12}( \+ local changes)?$", stamp["commit"])) == in_checkout
    assert stamp["mode"] == "full" and stamp["numpy"] == np.__version__


def test_only_selects_findings(tmp_path) -> None:
    reproduce(tmp_path, quick=True, only="F3", progress=False)
    assert (tmp_path / "F3.png").exists() and not (tmp_path / "F1.png").exists()
    assert parse_only("f5, F3") == ["F3", "F5"]
    with pytest.raises(ValueError, match="--only"):
        parse_only("F9")


# ------------------------------------------------------------------ CLI
def test_decide_prints_a_table(capsys) -> None:
    assert main(["decide", "--tasks", "5", "--seed", "1"]) == 0
    out = capsys.readouterr().out
    assert "decision" in out and len(out.strip().splitlines()) == 6


@pytest.mark.parametrize("argv", [["decide", "--epsilon", "2"], ["decide", "--tasks", "x"],
                                  ["reproduce", "--only", "F42"], ["frobnicate"]])
def test_bad_arguments_exit_2_with_one_line(argv) -> None:
    proc = subprocess.run([sys.executable, "-m", "coalesce_games.cli", *argv], capture_output=True, text=True)
    assert proc.returncode == 2
    assert re.search(r"error: ", proc.stderr.strip().splitlines()[-1])


def test_help_lists_every_subcommand() -> None:
    proc = subprocess.run([sys.executable, "-m", "coalesce_games.cli", "--help"], capture_output=True, text=True)
    assert proc.returncode == 0
    for sub in ("decide", "reproduce", "sweep"):
        assert sub in proc.stdout
