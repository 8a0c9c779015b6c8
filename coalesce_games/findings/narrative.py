"""``reproduction.md``: the written account of a run, every number in it taken from the run's tables.

:func:`narrative_numbers` reads the numbers the account quotes from the
findings' tables (each a formatted string, named), and :func:`render_narrative`
puts them into the text of :mod:`coalesce_games.findings.narrative_text`.
``coalesce-games reproduce`` writes both (``numbers.json``, ``reproduction.md``)
when it ran every finding; ``papers/reproduction.md`` is the full run's
``reproduction.md`` and ``papers/reproduction-numbers.json`` its numbers, and a
test checks that the one is the rendering of the other.

>>> n = {"x": "1.0"}
>>> _fill("value {x} %", n)
'value 1.0 %'
"""

from __future__ import annotations

import string

import numpy as np
import pandas as pd

from coalesce_games.findings.f1_published_table import F1_MECHANICS
from coalesce_games.findings.verdicts import RELATIVE_MARGIN, equivalence_verdict, mean_ci

__all__ = ['NEEDED', 'narrative_numbers', 'render_narrative']

#: the tables the account reads (every finding must have run)
NEEDED = ("F1_table", "F2_runs", "F3_admission", "F4_correlation", "F5_market", "F6_surface",
          "F6_default_vs_best", "F7_G4_v_star", "F7_dynamics", "F7_G2_security", "F7_G3_default_regret",
          "F7_G3_stability", "F7_equilibria", "F8_mass", "F8_vstar")


def _f(x: float, digits: int = 1) -> str:
    """``x`` with ``digits`` decimals; "-" when the run gave no finite number (e.g. an interval of 2 seeds)."""
    return f"{x:.{digits}f}" if np.isfinite(x) else "-"


def _signed(x: float, digits: int = 1) -> str:
    """``x`` with its sign and ``digits`` decimals (``+2.6``); "-" when the run gave no finite number."""
    return f"{x:+.{digits}f}" if np.isfinite(x) else "-"


def _cell(by: pd.DataFrame, row: str, col: str, digits: int = 0) -> str:
    """One configuration's number, or "-" when the run did not have it (a quick run has three)."""
    return _f(float(by.loc[row, col]), digits) if row in by.index else "-"


def _f1(t: pd.DataFrame) -> dict[str, str]:
    w = t.published_runs
    wm = lambda col: float(np.average(t[col], weights=w))   # noqa: E731
    head = equivalence_verdict((t.paper_metric_mean - t.published_cost_reduction).to_numpy(), 0.0,
                               RELATIVE_MARGIN * 41.8, unit="configurations")
    counts = t.verdict.value_counts()
    other = t[t.verdict != "reproduced"]
    scaled = t[t.experiment.str.startswith("agt") & (t.clients >= 15)]
    by = t.set_index("experiment")
    n = {"f1_mean": _f(wm("paper_metric_mean")), "f1_diff": f"{head.difference:+.1f}",
         "f1_diff_low": f"{head.low:+.1f}", "f1_diff_high": f"{head.high:+.1f}", "f1_verdict": head.verdict,
         "f1_configs": str(len(t)), "f1_runs": str(int(t.runs.sum())), "f1_seeds": str(int(t.runs.iloc[0])),
         "f1_reproduced": str(int(counts.get("reproduced", 0))),
         "f1_inconclusive": str(int(counts.get("inconclusive", 0))),
         "f1_not_reproduced": str(int(counts.get("not reproduced", 0))),
         "f1_others": "; ".join(f"{r.experiment} {_f(r.paper_metric_mean)} [{_f(r.paper_metric_ci_low)}, "
                                f"{_f(r.paper_metric_ci_high)}] against {_f(r.published_cost_reduction)} +- "
                                f"{_f(r.published_sd)}, {r.verdict}" for r in other.itertuples()) or "none",
         "f1_flat_low": _f(scaled.paper_metric_mean.min(), 0), "f1_flat_high": _f(scaled.paper_metric_mean.max(), 0),
         "f1_flat_ratio": _f(scaled.paper_metric_mean.max() / scaled.paper_metric_mean.min(), 2),
         "f1_pub_flat_ratio": _f(scaled.published_cost_reduction.max() / scaled.published_cost_reduction.min(), 2),
         "f1_agt01": _cell(by, "agt_01", "paper_metric_mean"), "f1_agt02": _cell(by, "agt_02", "paper_metric_mean"),
         "f1_dur04_low": _cell(by, "dur_04", "paper_metric_ci_low"),
         "f1_dur04_high": _cell(by, "dur_04", "paper_metric_ci_high"),
         "f1_rate": _f(t.outsourcing_rate.mean()), "f1_topsis": _f(t.mean_topsis.mean(), 3),
         "f1_time": _f(wm("paper_time_metric_mean")), "f1_pub_time": _f(wm("published_time_savings")),
         "f1_all_local_paper": _f(wm("paper_accounting_vs_all_local")),
         "f1_all_local_consistent": _f(wm("consistent_cost_reduction"))}
    for name in ("our_skill_gate", "per_client_load", "every_task_history", "closeness_history"):
        n[f"f1_{name}"] = _f(wm(f"{name}_paper_metric_mean"), 0)
        n[f"f1_{name}_rate"] = _f(wm(f"{name}_outsourcing_rate"), 0)
    for name in F1_MECHANICS:     # the published code's cheap mechanics, each put back to ours: its effect in pp
        n[f"f1_{name}"] = _f(wm(f"{name}_paper_metric_mean"))
        n[f"f1_{name}_effect"] = _signed(-wm(f"{name}_effect"))
    for label, col, paper, margin in (("rate", "outsourcing_rate", 33.8, 33.8), ("topsis", "mean_topsis", 0.790, 0.790)):
        n[f"f1_{label}_verdict"] = equivalence_verdict(t[col].to_numpy(), paper, RELATIVE_MARGIN * margin).verdict
    n["f1_time_verdict"] = equivalence_verdict((t.paper_time_metric_mean - t.published_time_savings).to_numpy(), 0.0,
                                               RELATIVE_MARGIN * wm("published_time_savings")).verdict
    return n


def _f2_f3(runs: pd.DataFrame, adm: pd.DataFrame) -> dict[str, str]:
    pivot = runs.pivot(index="seed", columns="epsilon", values="cost_reduction")
    mean, lo, hi = mean_ci(100 * (pivot[0.1] - pivot[0.0]).to_numpy())
    at = lambda mode, tau, col: float(adm[(adm["mode"] == mode) & np.isclose(adm.tau, tau)][col].iloc[0])  # noqa: E731
    declared = adm[adm["mode"] == "declared"]
    capable_gone = declared[declared.honest_capable_admitted == 0].tau.min()
    last_capable = declared[declared.tau < capable_gone].iloc[-1]
    below = declared[declared.tau < 0.7 - 1e-9]
    pct = lambda x: _f(100 * x)   # noqa: E731
    return {"f2_diff": _f(mean), "f2_low": _f(lo), "f2_high": _f(hi), "f2_seeds": str(len(pivot)),
            "f3_declared_spoof": pct(at("declared", 0.7, "spoofer_admitted")),
            "f3_capable_last_tau": f"{last_capable.tau:g}", "f3_capable_last": pct(last_capable.honest_capable_admitted),
            "f3_capable_gone": f"{capable_gone:g}",
            "f3_probe_spoof": pct(at("probe", 0.7, "spoofer_admitted")),
            "f3_probe_capable": pct(at("probe", 0.7, "honest_capable_admitted")),
            "f3_incapable_below": pct(below.honest_incapable_admitted.max()),
            "f3_incapable_gone": f"{declared[declared.honest_incapable_admitted == 0].tau.min():g}"}


def _f4_f6(corr: pd.DataFrame, market: pd.DataFrame, surface: pd.DataFrame, versus: pd.DataFrame) -> dict[str, str]:
    c, v, by_v = corr.iloc[0], versus.iloc[0], market.set_index("cfg_verification_share")
    beta0 = surface[surface.cfg_beta == 0.0].cost_reduction
    return {"f4_rho": _f(c.spearman, 2), "f4_low": _f(c.ci_low, 2), "f4_high": _f(c.ci_high, 2),
            "f4_seeds": str(int(c.seeds)), "f4_verdict": str(c.verdict),
            "f5_rogue_0": _f(100 * by_v.loc[0.0, "rogue_task_share"], 0),
            "f5_cost_0": _f(-100 * by_v.loc[0.0, "cost_reduction"], 0),
            "f5_rogue_half": _f(100 * by_v.loc[0.5, "rogue_task_share"]),
            "f5_cost_half": _f(100 * by_v.loc[0.5, "cost_reduction"], 0),
            "f6_gap": _f(100 * v.best_minus_default, 0), "f6_gap_low": _f(100 * v.ci90_low, 0),
            "f6_gap_high": _f(100 * v.ci90_high, 0), "f6_best_beta": f"{v.best_beta:g}",
            "f6_best_eps": f"{v.best_epsilon:g}", "f6_seeds": str(int(v.seeds)), "f6_verdict": str(v.verdict),
            "f6_beta0_spread": _f(100 * (beta0.max() - beta0.min()), 0)}


def _f7(g4: pd.DataFrame, dyn: pd.DataFrame, g2: pd.DataFrame, regret: pd.DataFrame, stab: pd.DataFrame,
        eq: pd.DataFrame) -> dict[str, str]:
    r = regret.set_index("index").value
    top = stab.sort_values("share_any", ascending=False, kind="stable").iloc[0]
    b = g4[(g4.point == "B") & ~g4.payment_withheld].iloc[0]
    sec = g2.set_index(["security_weight", "budget"]).security_min
    d = dyn.set_index("verification")
    return {"f7_g1_v": _f(float(d.v_threshold.iloc[0]), 3), "f7_g4_inside": str(int(g4.within_ci.sum())),
            "f7_g4_points": str(len(g4)), "f7_g4_b": _f(b.v_star, 3), "f7_g4_b_sim": _f(b.v_star_sim, 3),
            "f7_g4_b_low": _f(b.ci_low, 3), "f7_g4_b_high": _f(b.ci_high, 3),
            "f7_dyn_0": _f(d.loc[0.0, "simulated_late"], 2),
            "f7_g2_00": _f(sec.loc[(0.0, 0.0)], 2), "f7_g2_w05": _f(sec.loc[(0.5, 0.0)], 2),
            "f7_g2_w1": _f(sec.loc[(1.0, 0.0)], 2), "f7_g2_b1": _f(sec.loc[(0.0, 1.0)], 2),
            "f7_g3_equilibria": "one equilibrium" if len(eq) == 1 else f"{len(eq)} equilibria",
            "f7_g3_eq": "; ".join(f"client {c} / provider {p}" for c, p in zip(eq.client_mix, eq.provider_mix)),
            "f7_regret": _f(float(r["regret"]), 3), "f7_regret_low": _f(float(r["ci_low"]), 3),
            "f7_regret_high": _f(float(r["ci_high"]), 3), "f7_regret_br": str(r["best_response"]),
            "f7_regret_zero": _f(100 * float(r["zero_share"]), 0), "f7_regret_boot": str(r.get("n_boot", "1,000")),
            "f7_stab_client": str(top.client_support), "f7_stab_provider": str(top.provider_support),
            "f7_stab_share": _f(100 * top.share_any, 0)}


def _f8(mass: pd.DataFrame, vstar: pd.DataFrame) -> dict[str, str]:
    """F8: alpha-Rank's mass on insecure states and on rogue play at each budget, and G4's v* from the same table."""
    m = mass.set_index("budget")
    v = float(vstar.v_star.iloc[0])
    positive = m[m.index > 0]
    honest_from = m.index[m.rogue < 0.5]

    def pct(col: str, budget: float) -> str:
        return _f(100 * float(m.loc[budget, col]), 0)

    return {"f8_vstar": _f(v, 2), "f8_vstar_w": _f(float(vstar.v_star_withheld.iloc[0]), 2),
            "f8_insecure_0": pct("insecure", 0.0), "f8_insecure_0_low": pct("ci_low", 0.0),
            "f8_insecure_0_high": pct("ci_high", 0.0),
            "f8_insecure_pos_low": _f(100 * float(positive.insecure.min()), 0),
            "f8_insecure_pos_high": _f(100 * float(positive.insecure.max()), 0),
            "f8_rogue_0": pct("rogue", 0.0),
            "f8_rogue_below_half": "no budget" if len(honest_from) == 0 else _f(float(honest_from.min()), 2),
            "f8_budgets": str(len(m))}


def narrative_numbers(tables: dict[str, pd.DataFrame], stamp: dict[str, str]) -> dict[str, str]:
    """Every number the account quotes, named, formatted, read from the run's ``tables`` (and its ``stamp``)."""
    missing = [k for k in NEEDED if k not in tables]
    if missing:
        raise ValueError(f"tables lack {missing}: the account needs every finding's tables")
    t = tables
    numbers = {"date": stamp["date"][:10], "commit": stamp["commit"], "run_time": stamp["run time"],
               "mode": stamp["mode"], **_f1(t["F1_table"]), **_f2_f3(t["F2_runs"], t["F3_admission"]),
               **_f4_f6(t["F4_correlation"], t["F5_market"], t["F6_surface"], t["F6_default_vs_best"]),
               **_f7(t["F7_G4_v_star"], t["F7_dynamics"], t["F7_G2_security"], t["F7_G3_default_regret"],
                     t["F7_G3_stability"], t["F7_equilibria"]), **_f8(t["F8_mass"], t["F8_vstar"])}
    return numbers


def _fill(template: str, numbers: dict[str, str]) -> str:
    fields = {f for _, f, _, _ in string.Formatter().parse(template) if f}
    missing = sorted(fields - set(numbers))
    if missing:
        raise KeyError(f"the account quotes numbers the run did not give: {missing}")
    return template.format_map(numbers)


def render_narrative(numbers: dict[str, str]) -> str:
    """``reproduction.md`` with ``numbers`` (from :func:`narrative_numbers`) in place."""
    from coalesce_games.findings.narrative_text import TEMPLATE

    return _fill(TEMPLATE, numbers)
