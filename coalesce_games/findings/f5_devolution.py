"""Without verification rogue providers take business; G4's v* prevents it."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from coalesce_games.findings.common import Finding, _seeds_text, run_many_steps
from coalesce_games.findings.figures import PALETTE
from coalesce_games.findings.verdicts import Claim, bootstrap_ci, direction_verdict, not_assessed
from coalesce_games.games import repeated as repeated
from coalesce_games.games.dynamics import indifference_verification
from coalesce_games.games.intervals import wilson_interval
from coalesce_games.games.stage import StageParameters
from coalesce_games.market.config import MarketConfig

__all__ = ['F5_SOURCE', 'F5_WINDOW', 'f5_devolution']

F5_SOURCE = "arXiv:2506.01900 (devolution without security budgets)"
#: hours pooled into one point of the rogue share over time
F5_WINDOW = 12


def _over_time(steps: pd.DataFrame, shares: dict[int, float]) -> pd.DataFrame:
    """Rogue share of outsourced tasks per window of :data:`F5_WINDOW` hours and verification share, Wilson 95 %."""
    steps = steps.assign(hour=steps.hour // F5_WINDOW * F5_WINDOW, verification_share=steps.config.map(shares))
    agg = steps.groupby(["verification_share", "hour"])[["outsourced", "rogue"]].sum().reset_index()
    k, n = agg.rogue.to_numpy(int), agg.outsourced.to_numpy(int)
    agg["rogue_share"] = np.where(n > 0, k / np.maximum(n, 1), np.nan)
    agg["ci_low"], agg["ci_high"] = wilson_interval(k, n)
    return agg


def _vstar_check() -> pd.DataFrame:
    """G4's closed-form v* against a grid search at four margins."""
    margins = np.array([2.0, 4.0, 8.0, 16.0])
    sweep = repeated.margin_sweep(margins, gain=8.0, delta=0.9, detection=0.9)
    sweep["v_star_brute_force"] = [float(np.min([v for v in np.linspace(0, 1, 2001)
                                                 if repeated.honesty_sustainable(m, 8.0, 0.9, v, 0.9)] or [np.inf]))
                                   for m in margins]
    return sweep


def f5_devolution(quick: bool = False, progress: Callable | None = None) -> Finding:
    """Without verification rogue providers take business; G4's v* prevents it.

    The market has 30 % fabricators; the rogue share of outsourced tasks is
    compared at verification shares 0, 0.5 and 1 on common seeds (paired), its
    interval a bootstrap over seeds (bounded, as a share must be). ``v*``
    marked in the figure is G1's ``c / (d p)`` with the market's detection.
    """
    derivation = repeated.derive()
    sweep = _vstar_check()
    seeds = list(range(2 if quick else 6))
    base = MarketConfig(rogue_share=0.3, days=2 if quick else 7, rogue_mix=(0.0, 0.0, 1.0))
    shares = (0.0, 0.5, 1.0)
    runs, steps = run_many_steps([base.replace(verification_share=v) for v in shares], seeds, progress)
    by_v = runs.groupby("cfg_verification_share")[["rogue_task_share", "undetected_fabrications", "cost_reduction"]]\
        .mean().reset_index()
    cis = [bootstrap_ci(runs[runs.cfg_verification_share == v].rogue_task_share) for v in shares]
    by_v["rogue_task_share_ci_low"], by_v["rogue_task_share_ci_high"] = [c[1] for c in cis], [c[2] for c in cis]
    time = _over_time(steps, dict(enumerate(shares)))
    v_star = indifference_verification(StageParameters(d_fab=base.d_fab))
    none = runs[runs.cfg_verification_share == 0.0].set_index("seed").rogue_task_share
    full = runs[runs.cfg_verification_share == 1.0].set_index("seed").rogue_task_share
    mean, lo, hi = bootstrap_ci((none - full).to_numpy())
    same = bool(np.allclose(sweep.v_star, sweep.v_star_brute_force, atol=1e-3))
    claims = [
        Claim("F5", "G4: minimal verification share v*", "security budgets needed",
              "v* = g (1 - delta) / (delta d pi)", f"closed form = brute force at {len(sweep)} margins: {same}",
              "reproduced" if same else "not reproduced", "closed form within 0.001 of a grid search",
              "this toolkit (G4)"),
        Claim("F5", "no verification: rogue providers take over", "devolution without budgets", "-",
              f"rogue task share, v=0 minus v=1: {100 * mean:.1f} pp [{100 * lo:.1f}, {100 * hi:.1f}] "
              f"({len(none)} seeds)", not_assessed(len(none), "seeds") or direction_verdict(+1, lo, hi),
              "paired 95 % bootstrap interval over seeds (inside [-100, 100] pp) excludes 0", F5_SOURCE),
    ]
    note = f"G4 derivation: honesty iff delta q pi >= g (1 - delta); v* = {derivation['v_star']}."

    def figure(fig):
        fig.set_size_inches(12.6, 4.0)
        a, b, c = fig.subplots(1, 3)
        _draw_by_v(a, by_v, v_star)
        _draw_over_time(b, time, v_star)
        c.plot(sweep.margin, sweep.v_star, "o-", color=PALETTE["blue"], label="v* (closed form)")
        c.plot(sweep.margin, sweep.v_star_brute_force, "x", ms=9, color=PALETTE["vermillion"], label="grid search")
        c.set_xlabel("provider margin pi (USD)")
        c.set_ylabel("minimal verification share v*")
        c.set_title("G4 check: closed form = grid search", fontsize=9)
        c.legend(fontsize=7)

    return Finding("F5", "Devolution without security budgets",
                   {"F5_vstar": sweep, "F5_market": by_v, "F5_over_time": time}, claims, note, figure,
                   _seeds_text(seeds, len(shares)))


def _draw_by_v(ax, by_v: pd.DataFrame, v_star: float) -> None:
    err = [100 * (by_v.rogue_task_share - by_v.rogue_task_share_ci_low),
           100 * (by_v.rogue_task_share_ci_high - by_v.rogue_task_share)]
    ax.errorbar(by_v.cfg_verification_share, 100 * by_v.rogue_task_share, yerr=err, fmt="o-", capsize=3,
                color=PALETTE["vermillion"], label="ours: mean, 95 % bootstrap CI")
    ax.axhline(30, color=PALETTE["grey"], ls=":", lw=1, label="rogue share of providers (30 %)")
    ax.axvline(v_star, color=PALETTE["black"], lw=0.8)
    ax.annotate(f"v* = {v_star:.2f}", (v_star, 0.95), xycoords=("data", "axes fraction"), xytext=(3, 0),
                textcoords="offset points", fontsize=8, va="top")
    ax.set_xlabel("verification share v")
    ax.set_ylabel("rogue share of outsourced tasks (%)")
    ax.set_title("paper: rogues take over without budgets", fontsize=9)
    ax.legend(fontsize=7, loc="center right")


def _draw_over_time(ax, time: pd.DataFrame, v_star: float) -> None:
    styles = {0.0: (PALETTE["vermillion"], "-", "o"), 0.5: (PALETTE["blue"], "--", "s"),
              1.0: (PALETTE["green"], ":", "^")}
    for v, part in time.groupby("verification_share"):
        colour, dash, marker = styles.get(v, (PALETTE["grey"], "-", "."))
        ax.fill_between(part.hour / 24, 100 * part.ci_low, 100 * part.ci_high, color=colour, alpha=0.2, lw=0)
        ax.plot(part.hour / 24, 100 * part.rogue_share, dash, marker=marker, ms=3, color=colour,
                label=f"v = {v:g} ({'below' if v < v_star else 'above'} v*)")
    ax.set_xlabel("day of the run")
    ax.set_ylabel("rogue share of outsourced tasks (%)")
    ax.set_title(f"over time ({F5_WINDOW}-hour windows, Wilson 95 %)", fontsize=9)
    ax.legend(fontsize=7)
