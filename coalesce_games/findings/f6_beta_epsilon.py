"""Cost and exposure surfaces over beta and epsilon, under this toolkit's definition of beta."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd
from matplotlib.patches import Rectangle

from coalesce_games.findings.common import Finding, _seeds_text, run_many
from coalesce_games.findings.figures import PALETTE
from coalesce_games.findings.verdicts import Claim, equivalence_verdict, mean_ci
from coalesce_games.games import repeated as repeated
from coalesce_games.market.config import MarketConfig

__all__ = ['F6_MARGIN', 'f6_beta_epsilon']

#: how close (cost-reduction points, 0.01 = 1 pp) the default must be to the best cell to count as optimal
F6_MARGIN = 0.01


def _surface(runs: pd.DataFrame) -> pd.DataFrame:
    """Each (beta, epsilon) cell's mean cost reduction and realised loss, with the 95 % CI over seeds."""
    cells = runs.groupby(["cfg_beta", "cfg_epsilon"])
    surface = cells[["cost_reduction", "realised_loss"]].mean().reset_index()
    cis = cells.cost_reduction.apply(lambda x: mean_ci(x)[1:])
    surface["cost_reduction_ci_low"] = [c[0] for c in cis]
    surface["cost_reduction_ci_high"] = [c[1] for c in cis]
    surface["seeds"] = cells.size().to_numpy()
    return surface


def f6_beta_epsilon(quick: bool = False, progress: Callable | None = None) -> Finding:
    """Cost and exposure surfaces over beta and epsilon.

    Beta is *this toolkit's* parameter (the weight of the newest observation
    in the TOPSIS weights and the per-provider estimates; the published code
    has none). Every cell runs the same seeds, so the default is compared with
    the best cell seed by seed (an equivalence test with a 1 pp margin).
    """
    betas = (0.0, 0.7, 1.0) if quick else (0.0, 0.3, 0.7, 1.0)
    epsilons = (0.0, 0.1, 0.3) if quick else (0.0, 0.05, 0.1, 0.2, 0.3)
    seeds = list(range(2 if quick else 20))
    base = MarketConfig(rogue_share=0.3, days=2 if quick else 7)
    runs = run_many([base.replace(beta=b, epsilon=e) for b in betas for e in epsilons], seeds, progress)
    surface = _surface(runs)
    best = surface.loc[surface.cost_reduction.idxmax()]
    per_seed = runs.pivot_table(index="seed", columns=["cfg_beta", "cfg_epsilon"], values="cost_reduction")
    diff = (per_seed[(best.cfg_beta, best.cfg_epsilon)] - per_seed[(0.7, 0.1)]).to_numpy()
    comp = equivalence_verdict(diff, 0.0, F6_MARGIN, unit="seeds")
    gap = f"default {100 * comp.mean:.1f} pp below it" if comp.n < 3 else \
        f"default {100 * comp.difference:.1f} pp below it, 90 % CI [{100 * comp.low:.1f}, {100 * comp.high:.1f}]"
    claims = [Claim("F6", "beta = 0.7, epsilon = 0.1 are optimal (under this toolkit's definition of beta)",
                    "beta 0.7, eps 0.1", "-",
                    f"best cell beta {best.cfg_beta:g}, eps {best.cfg_epsilon:g} "
                    f"({100 * best.cost_reduction:.1f} %); {gap}; {len(seeds)} seeds a cell",
                    comp.verdict,
                    "paired by seed, the best cell minus the default within 1 pp by TOST at 5 % (the best cell is "
                    "picked from the same runs, which favours it)", "arXiv:2506.01900 (recommended beta, epsilon)")]

    def figure(fig):
        _heatmap(fig, surface, best)

    versus = pd.DataFrame([{"best_beta": best.cfg_beta, "best_epsilon": best.cfg_epsilon,
                            "best_cost_reduction": best.cost_reduction, "best_minus_default": comp.difference,
                            "ci90_low": comp.low, "ci90_high": comp.high, "seeds": comp.n, "verdict": comp.verdict}])
    return Finding("F6", "Market responsiveness and exploration", {"F6_surface": surface,
                                                                   "F6_default_vs_best": versus}, claims,
                   "Rogue market (30 % rogue providers), coalesce policy. Beta is this toolkit's own parameter "
                   "(the published code has none): a claim about the paper's beta cannot be tested, only one "
                   "about ours.", figure, _seeds_text(seeds, len(betas) * len(epsilons)))


def _heatmap(fig, surface: pd.DataFrame, best: pd.Series) -> None:
    """Cost reduction (%) per cell with its 95 % CI written in, the claimed optimum and our best cell outlined."""
    fig.set_size_inches(7.8, 4.8)
    ax = fig.subplots()
    piv = surface.pivot(index="cfg_beta", columns="cfg_epsilon", values="cost_reduction")
    low = surface.pivot(index="cfg_beta", columns="cfg_epsilon", values="cost_reduction_ci_low")
    high = surface.pivot(index="cfg_beta", columns="cfg_epsilon", values="cost_reduction_ci_high")
    values = 100 * piv.to_numpy()
    im = ax.imshow(values, origin="lower", aspect="auto", cmap="viridis")
    mid = np.nanmean([np.nanmin(values), np.nanmax(values)])
    for i, b in enumerate(piv.index):
        for j, e in enumerate(piv.columns):
            ci = "" if not np.isfinite(low.loc[b, e]) else f"\n[{100 * low.loc[b, e]:.0f}, {100 * high.loc[b, e]:.0f}]"
            ax.text(j, i, f"{values[i, j]:.0f}{ci}", ha="center", va="center", fontsize=7,
                    color="black" if values[i, j] > mid else "white")
    cols, rows = list(piv.columns), list(piv.index)
    for (b, e), colour, label, dash in (((0.7, 0.1), PALETTE["vermillion"], "claimed optimum (0.7, 0.1)", "-"),
                                        ((best.cfg_beta, best.cfg_epsilon), PALETTE["sky"], "our best cell", "--")):
        if b in rows and e in cols:
            ax.add_patch(Rectangle((cols.index(e) - 0.48, rows.index(b) - 0.48), 0.96, 0.96, fill=False,
                                   ec=colour, lw=2.5, ls=dash, label=label))
    ax.set_xticks(range(len(cols)), [f"{e:g}" for e in cols])
    ax.set_yticks(range(len(rows)), [f"{b:g}" for b in rows])
    ax.set_xlabel("exploration rate epsilon")
    ax.set_ylabel("beta (this toolkit's definition)")
    ax.legend(fontsize=7, loc="upper center", bbox_to_anchor=(0.5, -0.13), ncol=2, frameon=False)
    fig.colorbar(im, ax=ax, label="cost reduction, consistent (%); cell: mean [95 % CI]")
