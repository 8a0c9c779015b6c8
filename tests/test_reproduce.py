"""Verdict rules, the reproduce command end to end, and the CLI."""

from __future__ import annotations

import re
import subprocess
import sys

import numpy as np
import pandas as pd
import pytest

from coalesce_games.cli import main
from coalesce_games.findings.reproduce import parse_only, reproduce
from coalesce_games.findings.verdicts import (
    direction_verdict,
    flat_verdict,
    interval_verdict,
    mean_ci,
    threshold_verdict,
)


# ------------------------------------------------------------------ verdict rules flip
def test_interval_rule_flips_at_the_interval_edge() -> None:
    assert flat_verdict([40.9, 38.3, 37.4]) == "reproduced"
    assert flat_verdict([44.5, 237.0]) == "not reproduced"
    assert flat_verdict([74.0]).startswith("not assessed")
    with pytest.raises(ValueError, match="positive"):
        flat_verdict([1.0, -2.0])
    assert interval_verdict(41.8, 40.0, 43.0) == "reproduced"
    assert interval_verdict(41.8, 42.0, 43.0) == "not reproduced"


def test_direction_rule_flips_with_the_sign_of_the_interval() -> None:
    assert direction_verdict(+1, 0.1, 0.5) == "reproduced"
    assert direction_verdict(+1, -0.1, 0.5) == "not reproduced (no significant effect)"
    assert direction_verdict(+1, -0.5, -0.1) == "contradicted"
    assert direction_verdict(-1, -0.5, -0.1) == "reproduced"
    with pytest.raises(ValueError, match="sign"):
        direction_verdict(0, 0, 1)


def test_threshold_rule_and_confidence_interval() -> None:
    assert threshold_verdict(0.04, 0.05) == "reproduced"
    assert threshold_verdict(0.06, 0.05) == "not reproduced"
    mean, lo, hi = mean_ci([1.0, 2.0, 3.0])
    # t(0.975, 2) = 4.3027; sd = 1; half width = 4.3027 / sqrt(3)
    assert (mean, round(hi - mean, 4)) == (2.0, round(4.302653 / np.sqrt(3), 4))
    with pytest.raises(ValueError, match="finite"):
        mean_ci([1.0, float("nan")])


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
    for key in ("F1", "F2", "F3", "F4", "F5", "F6"):
        assert (quick_run / f"{key}.png").stat().st_size > 1000
        assert (quick_run / f"{key}.svg").exists()
    report = (quick_run / "report.md").read_text()
    for key in ("F1", "F2", "F3", "F4", "F5", "F6", "F7"):
        assert f"## {key}" in report
    summary = pd.read_csv(quick_run / "summary.csv")
    assert set(summary.finding) == {"F1", "F2", "F3", "F4", "F5", "F6", "F7"}
    assert summary.verdict.notna().all()


def test_report_numbers_equal_the_tables(quick_run) -> None:
    report = (quick_run / "report.md").read_text()
    f1 = pd.read_csv(quick_run / "F1_table.csv")
    for value in f1.paper_metric_mean:
        assert f"{value:.4g}" in report
    overall = np.average(f1.paper_metric_mean, weights=f1.published_runs)
    assert f"{overall:.1f} % run-weighted (paper metric)" in report
    f3 = pd.read_csv(quick_run / "F3_admission.csv")
    at = f3[(f3["mode"] == "declared") & np.isclose(f3.tau, 0.7)].spoofer_admitted.item()
    assert f"spoofers admitted at 0.7: {100 * at:.1f} %" in report
    for row in pd.read_csv(quick_run / "summary.csv").itertuples():
        assert f"**{row.verdict}**" in report


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
