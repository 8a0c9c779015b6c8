"""F7's figure: G4's v* against its simulated interval, G2's equilibrium security, dynamics against the simulator."""

from __future__ import annotations

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from coalesce_games.findings.figures import OURS_COLOUR, PALETTE

__all__ = ['f7_figure']


def f7_figure(fig: Figure, tables: dict[str, pd.DataFrame]) -> None:
    """Three panels from F7's tables (``F7_G4_v_star``, ``F7_G2_security``, ``F7_dynamics``)."""
    fig.set_size_inches(13.0, 4.2)
    a, b, c = fig.subplots(1, 3)
    _g4(a, tables["F7_G4_v_star"])
    _g2(b, tables["F7_G2_security"])
    _dynamics(c, tables["F7_dynamics"])


def _g4(ax, t: pd.DataFrame) -> None:
    labels = [f"{r.point}, {'unpaid if caught' if r.payment_withheld else 'paid'}" for r in t.itertuples()]
    y = np.arange(len(t))[::-1]
    ax.errorbar(t.v_star_sim, y, xerr=[t.v_star_sim - t.ci_low, t.ci_high - t.v_star_sim], fmt="o", capsize=3,
                color=OURS_COLOUR, label="simulated threshold, 95 % CI")
    ax.scatter(t.v_star, y, marker="x", s=60, color=PALETTE["vermillion"], zorder=3, label="closed form v*")
    ax.set_yticks(y, labels, fontsize=8)
    ax.set_xlabel("minimal verification share")
    ax.set_title("G4: v* against a Monte-Carlo repeated game", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")


def _g2(ax, t: pd.DataFrame) -> None:
    # larger open markers drawn first, so that coinciding curves stay visible
    styles = [(PALETTE["blue"], "-", "o", 12, 3.5), (PALETTE["orange"], "--", "s", 8, 2.2),
              (PALETTE["green"], ":", "^", 6, 1.5), (PALETTE["purple"], "-.", "D", 4, 1.2)]
    for (budget, part), (colour, dash, marker, size, width) in zip(t.groupby("budget"), styles):
        ax.plot(part.security_weight, part.security_min, dash, marker=marker, color=colour, ms=size, lw=width,
                mfc="none", mew=1.5, label=f"verification budget {budget:g}")
    ax.set_xlabel("client's TOPSIS security weight")
    ax.set_ylabel("equilibrium security level (lowest over equilibria)")
    ax.set_title("G2: equilibrium security (no game in the paper)", fontsize=9)
    ax.legend(fontsize=7, loc="lower right")


def _dynamics(ax, t: pd.DataFrame) -> None:
    x = np.arange(len(t))
    ax.errorbar(x - 0.1, 100 * t.simulated_late, yerr=[100 * (t.simulated_late - t.ci_low),
                                                       100 * (t.ci_high - t.simulated_late)],
                fmt="o", capsize=3, color=OURS_COLOUR, label="simulator, Wilson 95 %")
    ax.scatter(x + 0.1, 100 * t.model_late, marker="s", color=PALETTE["orange"], zorder=3,
               label="replicator dynamics (G1)")
    ax.axhline(30, color=PALETTE["grey"], ls=":", lw=1, label="start: 30 % rogue providers")
    v_star = float(t.v_threshold.iloc[0])
    ax.set_xticks(x, [f"v = {v:g}\n({'below' if v < v_star else 'above'} v*)" for v in t.verification], fontsize=8)
    ax.set_ylabel("rogue share, second half of the run (%)")
    ax.set_title(f"dynamics against the simulator (v* = {v_star:.2f})", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")
