"""F1's figure: each published configuration, the paper's mean and spread beside ours and its interval."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure
from matplotlib.lines import Line2D

from coalesce_games.findings.figures import OURS_COLOUR, PALETTE, PAPER_COLOUR

__all__ = ['config_label', 'f1_figure']


def config_label(row: pd.Series) -> str:
    """A configuration a reader can name: ``"7 days, 15 clients / 30 providers (agt_03)"``.

    >>> config_label(pd.Series({"experiment": "dur_01", "days": 1, "clients": 15, "contractors": 30}))
    '1 day, 15 clients / 30 providers (dur_01)'
    """
    days = f"{row['days']} day" + ("s" if row["days"] != 1 else "")
    return f"{days}, {row['clients']} clients / {row['contractors']} providers ({row['experiment']})"


def f1_figure(fig: Figure, table: pd.DataFrame) -> None:
    """Dot and whisker per configuration: published mean +- sd (grey), ours with its 95 % CI (blue).

    A filled dot marks a configuration our rule reproduces, an open one any other verdict (written at
    the right edge).
    """
    fig.set_size_inches(8.6, 0.42 * len(table) + 1.9)
    ax = fig.subplots()
    y = np.arange(len(table))[::-1]
    ax.errorbar(table.published_cost_reduction, y + 0.17, xerr=table.published_sd, fmt="s", color=PAPER_COLOUR,
                ms=5, capsize=2, lw=1)
    ok = (table.verdict == "reproduced").to_numpy()
    lo = (table.paper_metric_mean - table.paper_metric_ci_low).to_numpy()
    hi = (table.paper_metric_ci_high - table.paper_metric_mean).to_numpy()
    ax.errorbar(table.paper_metric_mean, y - 0.17, xerr=np.nan_to_num([lo, hi]), fmt="none", ecolor=OURS_COLOUR,
                capsize=2, lw=1.2)
    ax.scatter(table.paper_metric_mean[ok], (y - 0.17)[ok], color=OURS_COLOUR, zorder=3, s=30)
    ax.scatter(table.paper_metric_mean[~ok], (y - 0.17)[~ok], facecolor="white", edgecolor=OURS_COLOUR,
               zorder=3, s=30)
    ax.set_yticks(y, [config_label(r) for _, r in table.iterrows()], fontsize=8)
    right = float(np.nanmax([table.paper_metric_ci_high.max(), (table.published_cost_reduction
                                                                + table.published_sd).max()]))
    left = float(np.nanmin([0.0, table.paper_metric_ci_low.min()]))
    ax.set_xlim(left, right * 1.02)
    for yi, verdict in zip(y, table.verdict):
        ax.annotate(verdict.replace(", fewer than 3", ""), (1.01, yi), xycoords=("axes fraction", "data"),
                    fontsize=7, va="center", color=PALETTE["black"] if verdict == "reproduced" else PALETTE["vermillion"])
    ax.set_xlabel("cost reduction, published metric (%)")
    ax.set_ylim(-0.7, len(table) - 0.3)
    ax.grid(axis="x", color="#dddddd", lw=0.6)
    handles = [Line2D([], [], color=PAPER_COLOUR, marker="s", lw=1, label="published mean +- sd"),
               Line2D([], [], color=OURS_COLOUR, marker="o", lw=1.2, label="ours, 95 % CI: reproduced"),
               Line2D([], [], color=OURS_COLOUR, marker="o", mfc="white", lw=1.2, label="ours: other verdict")]
    fig.legend(handles=handles, loc="outside lower center", ncol=3, fontsize=8, frameon=False)
