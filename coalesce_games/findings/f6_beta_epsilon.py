"""Cost and exposure surfaces over beta and epsilon."""

from __future__ import annotations

from collections.abc import Callable

from coalesce_games.findings.common import Finding, run_many
from coalesce_games.findings.verdicts import Claim
from coalesce_games.games import repeated as repeated
from coalesce_games.market.config import MarketConfig

__all__ = ['f6_beta_epsilon']


# ------------------------------------------------------------------ F6
def f6_beta_epsilon(quick: bool = False, progress: Callable | None = None) -> Finding:
    """Cost and exposure surfaces over beta and epsilon."""
    betas = (0.0, 0.7, 1.0) if quick else (0.0, 0.3, 0.7, 1.0)
    epsilons = (0.0, 0.1, 0.3) if quick else (0.0, 0.05, 0.1, 0.2, 0.3)
    seeds = list(range(2 if quick else 5))
    base = MarketConfig(rogue_share=0.3, days=2 if quick else 7)
    runs = run_many([base.replace(beta=b, epsilon=e) for b in betas for e in epsilons], seeds, progress)
    surface = runs.groupby(["cfg_beta", "cfg_epsilon"])[["cost_reduction", "realised_loss"]].mean().reset_index()
    best = surface.loc[surface.cost_reduction.idxmax()]
    default = surface[(surface.cfg_beta == 0.7) & (surface.cfg_epsilon == 0.1)].iloc[0]
    gap = float(best.cost_reduction - default.cost_reduction)
    claims = [Claim("F6", "beta = 0.7, epsilon = 0.1 are optimal", "beta 0.7, eps 0.1", "-",
                    f"best cell beta {best.cfg_beta}, eps {best.cfg_epsilon}; default is {100 * gap:.1f} pp below it",
                    "reproduced" if gap <= 0.01 else "not reproduced", "default within 1 pp of the best cell")]

    def figure(ax):
        piv = surface.pivot(index="cfg_beta", columns="cfg_epsilon", values="cost_reduction")
        im = ax.imshow(piv.to_numpy(), origin="lower", aspect="auto", cmap="viridis")
        ax.set_xticks(range(len(piv.columns)), piv.columns)
        ax.set_yticks(range(len(piv.index)), piv.index)
        ax.set_xlabel("epsilon")
        ax.set_ylabel("beta")
        ax.figure.colorbar(im, ax=ax, label="cost reduction")

    return Finding("F6", "Market responsiveness and exploration", {"F6_surface": surface}, claims,
                   "Rogue market (30 % rogue providers), coalesce policy.", figure)
