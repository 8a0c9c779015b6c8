"""Exploration when the best providers cannot pass the skill gate."""

from __future__ import annotations

from collections.abc import Callable

from matplotlib.ticker import MaxNLocator

from coalesce_games.findings.common import Finding, _ci_text, _seeds_text, run_many
from coalesce_games.findings.figures import OURS_COLOUR, PALETTE
from coalesce_games.findings.verdicts import Claim, direction_verdict, not_assessed
from coalesce_games.games import repeated as repeated
from coalesce_games.market.config import MarketConfig

__all__ = ['f2_exploration']


# ------------------------------------------------------------------ F2
def f2_exploration(quick: bool = False, progress: Callable | None = None) -> Finding:
    """Exploration when the best providers cannot pass the skill gate.

    Half of the providers (the most reliable) describe their skills in a
    vocabulary the gate does not match. Only exploration can reach them; the
    effect of epsilon = 0.1 against 0 on the consistent cost reduction is
    measured on common seeds (paired differences).
    """
    seeds = list(range(3 if quick else 12))
    base = MarketConfig(mislabelled_share=0.5, days=2 if quick else 7)
    runs = run_many([base.replace(epsilon=0.0), base.replace(epsilon=0.1)], seeds, progress)
    runs["epsilon"] = runs.cfg_epsilon
    pivot = runs.pivot(index="seed", columns="epsilon", values="cost_reduction")
    diff = (pivot[0.1] - pivot[0.0]).to_numpy()
    text, mean, lo, hi = _ci_text(diff, unit=" pp")
    verdict = not_assessed(len(diff), "seeds") or direction_verdict(+1, lo, hi)
    summary = runs.groupby("epsilon")[["cost_reduction", "outsourcing_rate", "exploration_rate"]].mean().reset_index()
    claims = [Claim("F2", "exploration (eps 0.1 vs 0) raises savings", "20.3 vs 1.9 (USD/task, not %)",
                    "-", f"difference {text}", verdict, "paired 95 % CI (Student t over seeds) of the difference excludes 0",
                    "arXiv:2506.01900, 'real LLM' runs")]
    note = ("In the published 'real LLM' runs no contractor passed the skill gate, so every outsourced task "
            "came from the epsilon branch; 20.3 and 1.9 are mean USD saved per task. Here the coalesce policy "
            "explores only eligible providers, so mislabelled providers stay unreachable unless the probe "
            "or history lifts them over tau.")

    def figure(fig):
        fig.set_size_inches(8.6, 3.8)
        left, right = fig.subplots(1, 2, width_ratios=[1.4, 1])
        for seed in pivot.index:
            left.plot([0, 1], 100 * pivot.loc[seed, [0.0, 0.1]], "-o", color=OURS_COLOUR, alpha=0.5, ms=4)
        left.set_xticks([0, 1], ["epsilon = 0", "epsilon = 0.1"])
        left.set_xlim(-0.3, 1.3)
        left.set_ylabel("cost reduction, consistent (%)")
        left.set_title("one line per seed (same market)", fontsize=9)
        right.axhline(0, color=PALETTE["grey"], lw=0.8)
        right.scatter(range(len(diff)), 100 * diff, color=OURS_COLOUR, s=14, label="paired difference, one seed")
        right.axhspan(100 * lo, 100 * hi, color=OURS_COLOUR, alpha=0.15, label="mean, 95 % CI")
        right.axhline(100 * mean, color=OURS_COLOUR, lw=1.5)
        right.set_xlabel("seed")
        right.xaxis.set_major_locator(MaxNLocator(integer=True))
        right.set_ylabel("epsilon 0.1 minus 0 (pp)")
        right.legend(fontsize=7, loc="lower right")
        right.set_title("paper: 20.3 vs 1.9 USD a task (other unit)", fontsize=9)

    return Finding("F2", "Exploration and the skill gate",
                   {"F2_runs": runs.filter(regex="^(seed|epsilon|cost_reduction|outsourcing_rate|exploration_rate)$"),
                    "F2_summary": summary}, claims, note, figure, _seeds_text(seeds, 2))
