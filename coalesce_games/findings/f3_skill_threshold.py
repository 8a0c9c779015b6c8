"""Admission of spoofers and honest providers as functions of tau: the threshold's necessity and sufficiency."""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from coalesce_games.findings.common import Finding, _pct
from coalesce_games.findings.figures import PALETTE
from coalesce_games.findings.verdicts import Claim, share_verdict
from coalesce_games.games import repeated as repeated
from coalesce_games.games.intervals import wilson_interval
from coalesce_games.model import skill_gate
from coalesce_games.model.providers import Providers
from coalesce_games.model.tasks import Tasks

__all__ = ['F3_SOURCE', 'KINDS', 'f3_skill_threshold']

#: where the threshold is stated
F3_SOURCE = "arXiv:2506.01900: a skill threshold of at least 0.7 is necessary to mitigate the risk"
#: the kinds of provider, as admission_curves names their columns, and how the report names them
KINDS = {"honest_capable_admitted": "capable honest", "honest_incapable_admitted": "incapable honest",
         "spoofer_admitted": "spoofers (declare the tags, lack the skills)"}
#: spoofers per task in skill_gate.admission_curves
_SPOOFERS_PER_TASK = 20


def _with_counts(curves: pd.DataFrame, n_tasks: int, n_providers: int) -> pd.DataFrame:
    """Add each kind's (task, provider) pair count and admitted count, and a Wilson 95 % interval.

    The counts come from the same draws as :func:`~coalesce_games.model.skill_gate.admission_curves`
    (its seed 0); that every share times its count is a whole number checks they do.
    """
    tasks, honest = Tasks.sample(n_tasks, [0, 1]), Providers.sample_table1(n_providers, [0, 2])
    able = (tasks.required[:, None, :] <= honest.true_skills[None, :, :]).all(-1)
    pairs = {"honest_capable_admitted": int(able.sum()), "honest_incapable_admitted": int((~able).sum()),
             "spoofer_admitted": _SPOOFERS_PER_TASK * n_tasks}
    out = curves.copy()
    for col, n in pairs.items():
        k = out[col].to_numpy() * n
        if not np.allclose(k, np.round(k), atol=1e-6):
            raise RuntimeError(f"{col}: shares times {n} pairs are not whole; admission_curves drew other pairs")
        out[col.replace("admitted", "pairs")] = n
        out[col.replace("admitted", "count")] = np.round(k).astype(int)
        out[col + "_low"], out[col + "_high"] = wilson_interval(np.round(k).astype(int), np.full(len(k), n))
    return out


def _at(curves: pd.DataFrame, mode: str, col: str, tau: float) -> tuple[int, int]:
    row = curves[(curves["mode"] == mode) & np.isclose(curves.tau, tau)].iloc[0]
    return int(row[col.replace("admitted", "count")]), int(row[col.replace("admitted", "pairs")])


def _both(*verdicts: str) -> str:
    return ("reproduced" if all(v == "reproduced" for v in verdicts)
            else "not reproduced" if "not reproduced" in verdicts else "inconclusive")


def _necessity(curves: pd.DataFrame) -> Claim:
    """Below 0.7 the gate lets incapable honest providers in (some tau), from 0.7 on it does not (declared tags)."""
    col = "honest_incapable_admitted"
    declared = curves[curves["mode"] == "declared"]
    below = declared[declared.tau < 0.7 - 1e-9]
    worst = below.loc[below[col].idxmax()]
    v_in = share_verdict(int(worst[col.replace("admitted", "count")]), int(worst[col.replace("admitted", "pairs")]),
                         0.01, below=False)
    v_out = share_verdict(*_at(curves, "declared", col, 0.7), 0.05)
    kept_out = declared[(declared[col] == 0)].tau.min()
    return Claim("F3", "a threshold of at least 0.7 is necessary: below it incapable providers get in, from it they "
                 "do not (declared tags, Eq. 11)", ">= 0.7 necessary", "-",
                 f"incapable honest admitted: {_pct(v_in[1])} [{_pct(v_in[2])}, {_pct(v_in[3])}] at tau "
                 f"{worst.tau:g}, {_pct(v_out[1])} [{_pct(v_out[2])}, {_pct(v_out[3])}] at 0.7; none from tau "
                 f"{kept_out:g}", _both(v_in[0], v_out[0]),
                 "some tau below 0.7 admits over 1 % and tau 0.7 under 5 % of (task, incapable honest provider) "
                 "pairs, Wilson 95 %", F3_SOURCE)


def _sufficiency(curves: pd.DataFrame) -> list[Claim]:
    """At 0.7 spoofers stay out: with declared tags, and with a capability probe that must still admit the capable."""
    v_decl = share_verdict(*_at(curves, "declared", "spoofer_admitted", 0.7), 0.05)
    v_probe = share_verdict(*_at(curves, "probe", "spoofer_admitted", 0.7), 0.05)
    v_able = share_verdict(*_at(curves, "probe", "honest_capable_admitted", 0.7), 0.5, below=False)
    score_expr = skill_gate.spoofer_score()
    spoof_score = float(score_expr.subs({s: 0.8 for s in score_expr.free_symbols}))
    return [
        Claim("F3", "tau 0.7 is sufficient to keep spoofers out (declared tags)", "(not claimed)",
              f"spoofer scores 0.8 + 0.2 h = {spoof_score:.2f}",
              f"spoofers admitted at 0.7: {_pct(v_decl[1])} [{_pct(v_decl[2])}, {_pct(v_decl[3])}]", v_decl[0],
              "spoofer admission at tau 0.7 below 5 % (Wilson 95 % upper bound)", "this toolkit's question"),
        Claim("F3", "tau 0.7 with a capability probe keeps spoofers out and lets capable providers in",
              "(not claimed)", "-",
              f"spoofers {_pct(v_probe[1])} [{_pct(v_probe[2])}, {_pct(v_probe[3])}], capable honest "
              f"{_pct(v_able[1])} [{_pct(v_able[2])}, {_pct(v_able[3])}]", _both(v_probe[0], v_able[0]),
              "spoofers below 5 % and capable honest providers at least 50 % (Wilson 95 %): a gate that admits "
              "nobody does not pass", "this toolkit's question"),
    ]


def f3_skill_threshold(quick: bool = False, progress: Callable | None = None) -> Finding:
    """Admission of spoofers and honest providers as functions of tau (declared tags and a capability probe)."""
    n_tasks, n_providers = (100, 60) if quick else (400, 200)
    taus = np.round(np.linspace(0.5, 0.95, 10 if quick else 19), 3)
    curves = _with_counts(skill_gate.admission_curves(taus, n_tasks=n_tasks, n_providers=n_providers),
                          n_tasks, n_providers)
    if progress is not None:
        progress()
    claims = [_necessity(curves), *_sufficiency(curves)]
    note = ("With declared tags a spoofer that copies the required tags scores J = C = 1, i.e. 0.8 + 0.2 h: "
            "above every honest Table-1 provider for any tau up to 0.96. The threshold is necessary (it keeps "
            "incapable honest providers out) but not sufficient. A capability probe separates spoofers, at "
            "the price of admitting few capable honest providers at 0.7. Intervals: Wilson 95 % over (task, "
            "provider) pairs; pairs that share a provider are not independent, so they are narrower than a "
            "provider-level interval would be.")

    def figure(fig):
        fig.set_size_inches(9.4, 4.0)
        axes = fig.subplots(1, 2, sharey=True)
        # spoofers under the others, thick and open, so that a curve on top of theirs still shows both
        styles = {"spoofer_admitted": (PALETTE["vermillion"], "-", "^", 4.0, 9),
                  "honest_capable_admitted": (PALETTE["blue"], "-", "o", 1.5, 4),
                  "honest_incapable_admitted": (PALETTE["orange"], "--", "s", 1.5, 4)}
        for ax, mode in zip(axes, ("declared", "probe")):
            c = curves[curves["mode"] == mode]
            for col, (colour, dash, marker, width, size) in styles.items():
                ax.fill_between(c.tau, 100 * c[col + "_low"], 100 * c[col + "_high"], color=colour, alpha=0.2, lw=0)
                ax.plot(c.tau, 100 * c[col], dash, marker=marker, ms=size, lw=width, color=colour, mfc="white"
                        if col.startswith("spoofer") else colour, alpha=0.55 if col.startswith("spoofer") else 1,
                        label=KINDS[col] if mode == "declared" else None)
            ax.axvline(0.7, color=PALETTE["black"], lw=0.8)
            ax.annotate("paper: tau >= 0.7", (0.7, 60), xytext=(-4, 0), textcoords="offset points", fontsize=8,
                        rotation=90, va="center", ha="right")
            ax.set_title({"declared": "declared tags (Eq. 11)", "probe": "capability probe"}[mode], fontsize=9)
            ax.set_xlabel("skill threshold tau")
        axes[0].set_ylabel("admitted (% of task-provider pairs)")
        fig.legend(loc="outside lower center", ncol=3, fontsize=8, frameon=False)

    return Finding("F3", "The skill threshold", {"F3_admission": curves}, claims, note, figure,
                   f"gate draws seed 0 ({n_tasks} tasks, {n_providers} honest providers, "
                   f"{_SPOOFERS_PER_TASK} spoofers a task)", {"F3_admission": ["mode", "tau", *KINDS]})
