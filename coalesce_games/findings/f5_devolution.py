"""Without verification rogue providers take business; G4's v* prevents it."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from coalesce_games.findings.common import Finding, _ci_text, run_many
from coalesce_games.findings.verdicts import Claim, direction_verdict
from coalesce_games.games import repeated as repeated
from coalesce_games.market.config import MarketConfig

__all__ = ['f5_devolution']


# ------------------------------------------------------------------ F5
def f5_devolution(quick: bool = False, progress: Callable | None = None) -> Finding:
    """Without verification rogue providers take business; G4's v* prevents it."""
    derivation = repeated.derive()
    margins = np.array([2.0, 4.0, 8.0, 16.0])
    sweep = repeated.margin_sweep(margins, gain=8.0, delta=0.9, detection=0.9)
    brute = [float(np.min([v for v in np.linspace(0, 1, 2001)
                           if repeated.honesty_sustainable(m, 8.0, 0.9, v, 0.9)] or [np.inf])) for m in margins]
    sweep["v_star_brute_force"] = brute
    seeds = list(range(2 if quick else 6))
    base = MarketConfig(rogue_share=0.3, days=2 if quick else 7, rogue_mix=(0.0, 0.0, 1.0))
    runs = run_many([base.replace(verification_share=v) for v in (0.0, 0.5, 1.0)], seeds, progress)
    by_v = runs.groupby("cfg_verification_share")[["rogue_task_share", "undetected_fabrications", "cost_reduction"]].mean().reset_index()
    none = runs[runs.cfg_verification_share == 0.0].set_index("seed").rogue_task_share
    full = runs[runs.cfg_verification_share == 1.0].set_index("seed").rogue_task_share
    text, mean, lo, hi = _ci_text((none - full).to_numpy(), unit=" pp")
    claims = [
        Claim("F5", "G4: minimal verification share v*", "security budgets needed",
              "v* = g (1 - delta) / (delta d pi)",
              f"closed form = brute force at {len(margins)} margins: "
              f"{bool(np.allclose(sweep.v_star, sweep.v_star_brute_force, atol=1e-3))}",
              "reproduced" if np.allclose(sweep.v_star, sweep.v_star_brute_force, atol=1e-3) else "not reproduced",
              "closed form within 0.001 of a grid search"),
        Claim("F5", "no verification: rogue providers take over", "devolution without budgets", "-",
              f"rogue task share, v=0 minus v=1: {text}", direction_verdict(+1, lo, hi),
              "paired 95 % CI of the difference excludes 0"),
    ]
    note = f"G4 derivation: honesty iff delta q pi >= g (1 - delta); v* = {derivation['v_star']}."

    def figure(ax):
        ax.plot(sweep.margin, sweep.v_star, "o-", label="v* (closed form)")
        ax.plot(sweep.margin, sweep.v_star_brute_force, "x", label="grid search")
        ax.set_xlabel("provider margin pi (USD)")
        ax.set_ylabel("minimal verification share v*")
        ax.legend()

    return Finding("F5", "Devolution without security budgets",
                   {"F5_vstar": sweep, "F5_market": by_v}, claims, note, figure)
