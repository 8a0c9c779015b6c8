"""The cost-security frontier in a market with 30 % rogue providers."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats

from coalesce_games.findings.common import Finding, _seeds_text, run_many
from coalesce_games.findings.figures import PALETTE
from coalesce_games.findings.verdicts import Claim, bootstrap_ci, direction_verdict, not_assessed
from coalesce_games.games import repeated as repeated
from coalesce_games.market.config import MarketConfig

__all__ = ['f4_cost_security']


# ------------------------------------------------------------------ F4
def f4_cost_security(quick: bool = False, progress: Callable | None = None) -> Finding:
    """The cost-security frontier in a market with 30 % rogue providers."""
    seeds = list(range(2 if quick else 20))
    base = MarketConfig(rogue_share=0.3, days=2 if quick else 7)
    grid = [base.replace(security_weight=w, verification_share=v)
            for w in ((0.0, 3.0) if quick else (0.0, 1.0, 3.0))
            for v in ((0.0, 0.5) if quick else (0.0, 0.25, 0.5, 1.0))]
    runs = run_many(grid, seeds, progress)
    runs["loss_per_task"] = runs.realised_loss / runs.tasks
    # operating savings leave the security losses out: the trade-off is between what the
    # client pays to be safe (verification, pricier providers) and what it loses
    runs["operating_savings"] = 1 - (runs.cost_policy - runs.realised_loss) / runs.cost_all_local
    rho, _ = stats.spearmanr(runs.operating_savings, runs.loss_per_task)
    # one seed is one market for every setting (common random numbers): its runs are not
    # independent, so the bootstrap resamples seeds and keeps each seed's runs together
    by_seed = [runs[runs.seed == s] for s in seeds]
    boot = []
    rng = np.random.default_rng(0)
    for _ in range(400):
        sample = pd.concat([by_seed[i] for i in rng.integers(0, len(seeds), len(seeds))])
        if sample.operating_savings.nunique() > 1 and sample.loss_per_task.nunique() > 1:
            boot.append(stats.spearmanr(sample.operating_savings, sample.loss_per_task)[0])
    lo, hi = np.nanpercentile(boot, [2.5, 97.5]) if boot else (np.nan, np.nan)
    claims = [Claim("F4", "cost optimisation and security exposure are inversely related", "inverse correlation",
                    "-", f"Spearman(operating savings, loss/task) = {rho:.2f} [{lo:.2f}, {hi:.2f}]",
                    not_assessed(len(seeds), "seeds") or direction_verdict(+1, lo, hi),
                    "95 % CI (bootstrap over seeds) of the rank correlation excludes 0 (positive = more savings, "
                    "more loss)", "arXiv:2506.01900 (cost optimisation and security exposure inversely related)")]
    frontier = runs.groupby(["cfg_security_weight", "cfg_verification_share"])[
        ["cost_reduction", "operating_savings", "loss_per_task", "rogue_task_share"]].mean().reset_index()
    for col in ("operating_savings", "loss_per_task"):     # 95 % bootstrap CI over seeds (a loss stays >= 0)
        cis = runs.groupby(["cfg_security_weight", "cfg_verification_share"])[col].apply(lambda x: bootstrap_ci(x)[1:])
        frontier[col + "_ci_low"] = [c[0] for c in cis]
        frontier[col + "_ci_high"] = [c[1] for c in cis]

    def figure(fig):
        fig.set_size_inches(6.8, 4.4)
        ax = fig.subplots()
        shades = [PALETTE[c] for c in ("sky", "green", "orange", "vermillion", "purple")]
        markers = {w: (m, size) for w, m, size in zip(sorted(frontier.cfg_security_weight.unique()),
                                                      ("o", "s", "^"), (11, 8, 5))}
        vs = sorted(frontier.cfg_verification_share.unique())
        for r in frontier.itertuples():
            marker, size = markers[r.cfg_security_weight]
            colour = shades[vs.index(r.cfg_verification_share)]
            ax.errorbar(r.loss_per_task, 100 * r.operating_savings,
                        xerr=np.nan_to_num([[r.loss_per_task - r.loss_per_task_ci_low],
                                            [r.loss_per_task_ci_high - r.loss_per_task]]),
                        yerr=np.nan_to_num([[100 * (r.operating_savings - r.operating_savings_ci_low)],
                                            [100 * (r.operating_savings_ci_high - r.operating_savings)]]),
                        fmt=marker, ms=size, mfc="none" if size == 11 else colour, mec=colour, ecolor=colour,
                        capsize=2, lw=1)
        for v, colour in zip(vs, shades):
            ax.plot([], [], "o", color=colour, label=f"verification share {v:g}")
        for w, (marker, size) in markers.items():
            ax.plot([], [], marker, ms=size, mfc="none" if size == 11 else "grey", mec="grey", ls="none",
                    label=f"security weight {w:g}")
        if (frontier.loss_per_task_ci_low > 0).all():      # losses span two decades: a log axis separates them
            ax.set_xscale("log")
        ax.set_xlabel("realised security loss per task (USD, log scale)" if ax.get_xscale() == "log"
                      else "realised security loss per task (USD)")
        ax.set_ylabel("operating savings, losses excluded (%)")
        ax.legend(fontsize=7, loc="best")
        ax.set_title("one point per setting: mean, 95 % bootstrap CI over seeds; paper: inverse relation", fontsize=9)

    note = ("Each point is a (security weight, verification share) setting, averaged over seeds. Operating "
            "savings exclude the security losses (which the consistent cost reduction includes, so that "
            "measure would correlate with loss negatively by construction).")
    correlation = pd.DataFrame([{"spearman": rho, "ci_low": lo, "ci_high": hi, "seeds": len(seeds),
                                 "resamples": len(boot), "verdict": claims[0].verdict}])
    return Finding("F4", "The cost-security trade-off", {"F4_frontier": frontier, "F4_correlation": correlation},
                   claims, note, figure,
                   _seeds_text(seeds, len(grid)))
