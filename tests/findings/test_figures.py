"""The findings' figures: drawn on Figure objects without pyplot, PNG and SVG, readable labels, the paper's value marked."""

from __future__ import annotations

import matplotlib
import numpy as np
import pandas as pd
import pytest
from matplotlib.figure import Figure
from matplotlib.patches import Rectangle

from coalesce_games.findings.f1_figure import config_label, f1_figure
from coalesce_games.findings.f6_beta_epsilon import _heatmap
from coalesce_games.findings.figures import PALETTE, draw, save_figure, to_png


def _f1_table() -> pd.DataFrame:
    return pd.DataFrame({"experiment": ["dur_01", "agt_01"], "days": [1, 7], "clients": [15, 5],
                         "contractors": [30, 10], "published_cost_reduction": [27.1, 70.9], "published_sd": [10.2, 26.2],
                         "paper_metric_mean": [33.8, 61.1], "paper_metric_ci_low": [29.0, 52.0],
                         "paper_metric_ci_high": [38.0, 70.0], "verdict": ["not reproduced", "reproduced"]})


def test_figures_use_no_pyplot_and_keep_the_backend(tmp_path) -> None:
    before = matplotlib.get_backend()
    paths = save_figure(lambda fig: fig.subplots().plot([0, 1], [1, 0]), tmp_path, "x", "a title")
    assert matplotlib.get_backend() == before
    assert [p.suffix for p in paths] == [".png", ".svg"] and all(p.stat().st_size > 500 for p in paths)
    assert paths[1].read_text().lstrip().startswith("<?xml")
    fig = draw(lambda f: f.subplots(), "a title")
    assert isinstance(fig, Figure) and fig.get_suptitle() == "a title"
    assert to_png(fig)[:8] == b"\x89PNG\r\n\x1a\n"


def test_the_palette_is_okabe_ito() -> None:
    # Okabe & Ito (2008): distinguishable under protanopia, deuteranopia and tritanopia
    assert {PALETTE[k] for k in ("orange", "sky", "green", "yellow", "blue", "vermillion", "purple")} == {
        "#E69F00", "#56B4E9", "#009E73", "#F0E442", "#0072B2", "#D55E00", "#CC79A7"}


def test_f1_names_configurations_and_marks_verdicts() -> None:
    table = _f1_table()
    fig = Figure()
    f1_figure(fig, table)
    ax = fig.axes[0]
    labels = [t.get_text() for t in ax.get_yticklabels()]
    assert set(labels) == {"1 day, 15 clients / 30 providers (dur_01)", "7 days, 5 clients / 10 providers (agt_01)"}
    assert {t.get_text() for t in ax.texts} == {"not reproduced", "reproduced"}
    assert ax.get_xlabel() == "cost reduction, published metric (%)"
    legend = [t.get_text() for t in fig.legends[0].get_texts()]
    assert legend[0] == "published mean +- sd"
    assert config_label(table.iloc[1]) == "7 days, 5 clients / 10 providers (agt_01)"


def test_f6_heatmap_writes_every_value_and_marks_the_claimed_optimum() -> None:
    rows = [{"cfg_beta": b, "cfg_epsilon": e, "cost_reduction": 0.1 * b + e, "cost_reduction_ci_low": 0.1 * b + e - 0.05,
             "cost_reduction_ci_high": 0.1 * b + e + 0.05} for b in (0.0, 0.7, 1.0) for e in (0.0, 0.1, 0.3)]
    surface = pd.DataFrame(rows)
    best = surface.loc[surface.cost_reduction.idxmax()]
    fig = Figure()
    _heatmap(fig, surface, best)
    ax = fig.axes[0]
    texts = [t.get_text() for t in ax.texts]
    assert len(texts) == 9 and "17\n[12, 22]" in texts          # beta 0.7, eps 0.1: 7 + 10 = 17 %
    boxes = {p.get_label(): p for p in ax.patches if isinstance(p, Rectangle)}
    optimum = boxes["claimed optimum (0.7, 0.1)"]
    assert optimum.get_xy() == pytest.approx((1 - 0.48, 1 - 0.48))   # column eps 0.1, row beta 0.7
    assert "our best cell" in boxes
    assert ax.get_ylabel() == "beta (this toolkit's definition)"


def test_f3_figure_marks_the_published_threshold_for_each_kind() -> None:
    from coalesce_games.findings.f3_skill_threshold import KINDS, f3_skill_threshold

    finding = f3_skill_threshold(quick=True)
    fig = draw(finding.figure, finding.title)
    assert len(fig.axes) == 2
    for ax in fig.axes:
        assert any(t.get_text() == "paper: tau >= 0.7" for t in ax.texts)
        assert any(np.allclose(line.get_xdata(), 0.7) for line in ax.lines)
        assert ax.get_xlabel() == "skill threshold tau"
    assert [t.get_text() for t in fig.legends[0].get_texts()] == [KINDS[k] for k in
                                                                   ("spoofer_admitted", "honest_capable_admitted",
                                                                    "honest_incapable_admitted")]
