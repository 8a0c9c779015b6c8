"""The cost-security frontier in a market with 30 % rogue providers."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from scipy import stats

from coalesce_games.findings.common import Finding, run_many
from coalesce_games.findings.verdicts import Claim, direction_verdict
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
    lo, hi = np.nanpercentile(boot, [2.5, 97.5])
    claims = [Claim("F4", "cost optimisation and security exposure are inversely related", "inverse correlation",
                    "-", f"Spearman(operating savings, loss/task) = {rho:.2f} [{lo:.2f}, {hi:.2f}]",
                    direction_verdict(+1, lo, hi),
                    "95 % CI (bootstrap over seeds) of the rank correlation excludes 0 (positive = more savings, "
                    "more loss)")]
    frontier = runs.groupby(["cfg_security_weight", "cfg_verification_share"])[
        ["cost_reduction", "operating_savings", "loss_per_task", "rogue_task_share"]].mean().reset_index()

    def figure(ax):
        sc = ax.scatter(frontier.loss_per_task, frontier.operating_savings, c=frontier.cfg_verification_share, cmap="viridis")
        ax.set_xlabel("realised security loss per task (USD)")
        ax.set_ylabel("operating savings (losses excluded)")
        ax.figure.colorbar(sc, ax=ax, label="verification share")

    note = ("Each point is a (security weight, verification share) setting, averaged over seeds. Operating "
            "savings exclude the security losses (which the consistent cost reduction includes, so that "
            "measure would correlate with loss negatively by construction).")
    return Finding("F4", "The cost-security trade-off", {"F4_frontier": frontier}, claims, note, figure)
