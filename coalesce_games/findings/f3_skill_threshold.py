"""Admission of spoofers and honest providers as functions of tau."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np

from coalesce_games.findings.common import Finding, _pct
from coalesce_games.findings.verdicts import Claim, threshold_verdict
from coalesce_games.games import repeated as repeated
from coalesce_games.model import skill_gate

__all__ = ['f3_skill_threshold']


# ------------------------------------------------------------------ F3
def f3_skill_threshold(quick: bool = False, progress: Callable | None = None) -> Finding:
    """Admission of spoofers and honest providers as functions of tau."""
    taus = np.round(np.linspace(0.5, 0.95, 10 if quick else 19), 3)
    curves = skill_gate.admission_curves(taus, n_tasks=100 if quick else 400, n_providers=60 if quick else 200)
    if progress is not None:
        progress()
    score_expr = skill_gate.spoofer_score()
    spoof_score = float(score_expr.subs({s: 0.8 for s in score_expr.free_symbols}))
    declared = curves[(curves["mode"] == "declared") & np.isclose(curves.tau, 0.7)].iloc[0]
    probe = curves[(curves["mode"] == "probe") & np.isclose(curves.tau, 0.7)].iloc[0]
    claims = [
        Claim("F3", "tau >= 0.7 stops skill spoofing (declared tags)", ">= 0.7",
              f"spoofer scores 0.8 + 0.2 h = {spoof_score:.2f}",
              f"spoofers admitted at 0.7: {_pct(declared.spoofer_admitted)}",
              threshold_verdict(declared.spoofer_admitted, 0.05), "spoofer admission at tau 0.7 below 5 %"),
        Claim("F3", "tau >= 0.7 stops skill spoofing (capability probe)", ">= 0.7", "-",
              f"spoofers {_pct(probe.spoofer_admitted)}, capable honest {_pct(probe.honest_capable_admitted)}",
              threshold_verdict(probe.spoofer_admitted, 0.05), "spoofer admission at tau 0.7 below 5 %"),
    ]
    note = ("With declared tags a spoofer that copies the required tags scores J = C = 1, i.e. 0.8 + 0.2 h: "
            "above every honest Table-1 provider for any tau up to 0.96. A capability probe separates them, "
            "at the price of admitting fewer capable honest providers.")

    def figure(ax):
        for mode, style in (("declared", "-"), ("probe", "--")):
            c = curves[curves["mode"] == mode]
            ax.plot(c.tau, c.spoofer_admitted, style, color="C3", label=f"spoofers ({mode})")
            ax.plot(c.tau, c.honest_capable_admitted, style, color="C0", label=f"capable honest ({mode})")
        ax.axvline(0.7, color="grey", lw=0.8)
        ax.set_xlabel("skill threshold tau")
        ax.set_ylabel("admitted share")
        ax.legend(fontsize=7)

    return Finding("F3", "The skill threshold", {"F3_admission": curves}, claims, note, figure)
