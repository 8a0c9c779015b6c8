"""F8: devolution as a population result -- the market game's long-run states against the verification budget.

For each verification budget ``v`` (the share of outsourced tasks a verifying
client verifies) the market is played as a role-symmetric population game
(:mod:`coalesce_games.games.population`: clients choose whether to verify and
how much to explore, providers choose honest work or one of three threats; its
docstring states how a count profile maps to a market run). alpha-Rank
(:func:`coalesce_games.solvers.evolution.alpha_rank`) gives the share of the
long run the two populations spend in each pure state; the *insecure* states
are a rogue behaviour met by clients that verify nothing. Its interval is a
percentile bootstrap over the seeds (the whole table resampled seed by seed).

G4's ``v*`` (``papers/model.md`` section 6.4) is computed from the same table
in the same units: the margin ``pi`` is an honest provider's paid tasks per
day in the all-honest, unverified market, the gain ``g`` what one fabricator
earns there beyond it, with F5's patience ``delta = 0.9`` and the market's
detection ``d = d_fab``. The question: does the population spend most of its
time insecure below ``v*`` and not above?
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from coalesce_games.findings.common import Finding
from coalesce_games.findings.figures import PALETTE
from coalesce_games.findings.verdicts import Claim, count_verdict
from coalesce_games.games import repeated
from coalesce_games.games.population import (HeuristicPayoffTable, PopulationSettings, _bootstrap_means,
                                             market_alpha_rank, payoff_table, role_equilibria)
from coalesce_games.market.config import MarketConfig

__all__ = ['F8_ALPHAS', 'F8_DELTA', 'F8_SELECTION', 'f8_budgets', 'f8_population']

#: the selection intensity of the verdicts (payoffs in units of each role's range), and the ones shown beside it
F8_SELECTION = 10.0
F8_ALPHAS = (1.0, 10.0, 50.0)
#: the providers' patience in G4's v* (F5's)
F8_DELTA = 0.9
#: "devolved": more than this share of the long run in insecure states
F8_MAJORITY = 0.5


def f8_budgets(quick: bool = False) -> tuple[float, ...]:
    """The verification budgets F8 plays the market game at."""
    return (0.0, 0.15, 0.3, 0.6, 1.0) if quick else (0.0, 0.05, 0.1, 0.2, 0.3, 0.45, 0.6, 0.8, 1.0)


def _settings(budget: float, quick: bool) -> PopulationSettings:
    if quick:
        return PopulationSettings(MarketConfig(days=1), agents=3, budget=budget, seeds=3, max_seeds=3)
    return PopulationSettings(MarketConfig(days=2), agents=6, budget=budget, seeds=4, max_seeds=8)


def _g4_threshold(table: HeuristicPayoffTable) -> pd.DataFrame:
    """G4's v* from the unverified, all-trusting part of the table (the same at every budget)."""
    mean, pp = table.mean(), table.provider_profiles
    n = table.settings.agents
    trusting = 0                                                  # count_profiles' first row: all on strategy 0
    honest = int(np.flatnonzero((pp == [n, 0, 0, 0]).all(axis=1))[0])
    one_fab = int(np.flatnonzero((pp == [n - 1, 0, 0, 1]).all(axis=1))[0])
    margin = float(mean[trusting, honest, 4])
    gain = max(float(mean[trusting, one_fab, 7]) - margin, 0.0)
    d = table.settings.base.d_fab
    v_star = float(repeated.minimal_verification(margin, gain, F8_DELTA, d)) if gain > 0 else 0.0
    v_star_w = float(repeated.minimal_verification_withheld(margin, gain, F8_DELTA, d)) if gain > 0 else 0.0
    return pd.DataFrame([{"margin_tasks_per_day": margin, "gain_tasks_per_day": gain, "delta": F8_DELTA,
                          "detection": d, "v_star": v_star, "v_star_withheld": v_star_w}])


def _masses(table: HeuristicPayoffTable, n_boot: int) -> tuple[dict[str, float], pd.DataFrame]:
    """One row for the budget: insecure mass at :data:`F8_SELECTION` with its seed-bootstrap interval, the
    rogue and verifying mass there, the insecure mass at the other alphas; and the alpha-Rank distribution."""
    v = table.settings.budget
    ranked = market_alpha_rank(table, F8_SELECTION)
    boots = [market_alpha_rank(table, F8_SELECTION, m) for m in _bootstrap_means(table, n_boot, seed=8)]
    low, high = np.quantile([b[b.insecure].mass.sum() for b in boots], [0.025, 0.975])
    rogue_low, rogue_high = np.quantile([b[b.provider != "honest"].mass.sum() for b in boots], [0.025, 0.975])
    row = {"budget": v, "insecure": ranked[ranked.insecure].mass.sum(), "ci_low": low, "ci_high": high,
           "rogue": ranked[ranked.provider != "honest"].mass.sum(), "rogue_ci_low": rogue_low,
           "rogue_ci_high": rogue_high,
           "verifying": ranked[ranked.client.str.startswith("verify")].mass.sum() if v > 0 else 0.0}
    for alpha in F8_ALPHAS:
        if alpha != F8_SELECTION:
            other = market_alpha_rank(table, alpha)
            row[f"insecure_alpha_{alpha:g}"] = other[other.insecure].mass.sum()
    return row, ranked.assign(budget=v)


def _side_verdict(low: float, high: float, above: bool) -> str:
    """Is the interval wholly above (``above``) or wholly below :data:`F8_MAJORITY`?"""
    if low > F8_MAJORITY:
        return "reproduced" if above else "not reproduced"
    if high < F8_MAJORITY:
        return "not reproduced" if above else "reproduced"
    return "inconclusive"


def _claims(mass: pd.DataFrame, v_star: float, quick: bool, seeds: int) -> list[Claim]:
    below, above = mass[mass.budget < v_star], mass[mass.budget > v_star]

    def text(part: pd.DataFrame, col: str, low: str, high: str) -> str:
        return "; ".join(f"v={r['budget']:g}: {100 * r[col]:.0f} % [{100 * r[low]:.0f}, {100 * r[high]:.0f}]"
                         for _, r in part.iterrows()) or "no budget on this side"

    def counted(part: pd.DataFrame, low: str, high: str, devolves: bool) -> str:
        if not len(part):
            return "not assessed (no budget on this side of v*)"
        return count_verdict([_side_verdict(r[low], r[high], devolves) for _, r in part.iterrows()], "budgets")

    rule = (f"alpha-Rank at alpha {F8_SELECTION:g} (payoffs in units of each role's range); more than "
            f"{100 * F8_MAJORITY:.0f} % of the stationary mass, the whole 95 % seed-bootstrap interval on one side; "
            f"one verdict per budget, counted")
    source = "arXiv:2506.01900 (teams devolve without security budgets)"
    star = f"v* = {v_star:.3f}"
    return [
        Claim("F8", "below G4's v* the population devolves (insecure: rogue providers, clients verifying nothing)",
              "devolution without security budgets", star,
              f"insecure mass {text(below, 'insecure', 'ci_low', 'ci_high')} ({seeds} seeds a cell or more)",
              counted(below, "ci_low", "ci_high", True), rule, source),
        Claim("F8", "above G4's v* it does not", "security budgets prevent it", star,
              f"insecure mass {text(above, 'insecure', 'ci_low', 'ci_high')}",
              counted(above, "ci_low", "ci_high", False), rule, source),
        Claim("F8", "providers: rogue behaviour holds most of the long run below v*, not above",
              "devolution without security budgets", star,
              f"rogue mass below v*: {text(below, 'rogue', 'rogue_ci_low', 'rogue_ci_high')}; above: "
              f"{text(above, 'rogue', 'rogue_ci_low', 'rogue_ci_high')}",
              count_verdict([_side_verdict(r.rogue_ci_low, r.rogue_ci_high, r.budget < v_star)
                             for r in mass.itertuples() if r.budget != v_star], "budgets"), rule, source),
    ]


def f8_population(quick: bool = False, progress: Callable | None = None) -> Finding:
    """Devolution as a population result: alpha-Rank's insecure mass against the verification budget."""
    n_boot = 20 if quick else 200
    mass, ranked, equilibria, vstar = [], [], [], None
    for budget in f8_budgets(quick):
        settings = _settings(budget, quick)
        table = payoff_table(settings)
        vstar = _g4_threshold(table) if vstar is None else vstar
        m, r = _masses(table, n_boot)
        mass.append(m)
        ranked.append(r)
        eq = role_equilibria(table, starts=8 if quick else 16, n_boot=10 if quick else 50,
                             steps=300 if quick else 800)
        equilibria.append(_summarised(eq, budget))
        if progress is not None:
            progress()
    mass_t, ranked_t = pd.DataFrame(mass), pd.concat(ranked, ignore_index=True)
    eq_t = pd.concat(equilibria, ignore_index=True)
    v_star, v_star_w = float(vstar.v_star.iloc[0]), float(vstar.v_star_withheld.iloc[0])
    claims = _claims(mass_t, v_star, quick, settings.seeds)
    note = (f"N = {settings.agents} clients and {settings.agents} providers, {settings.base.days}-day runs; "
            f"G4 from the table: pi = {vstar.margin_tasks_per_day.iloc[0]:.2f}, "
            f"g = {vstar.gain_tasks_per_day.iloc[0]:.2f} paid tasks a day, v* = {v_star:.3f} "
            f"(withheld payment: {v_star_w:.3f}). Equilibria found by replicator dynamics: "
            f"{len(eq_t)} over {eq_t.budget.nunique() if len(eq_t) else 0} budgets.")

    def figure(fig):
        fig.set_size_inches(11.0, 4.2)
        a, b = fig.subplots(1, 2)
        _draw_mass(a, mass_t, v_star, v_star_w)
        _draw_providers(b, ranked_t, mass_t, v_star)

    return Finding("F8", "Devolution as a population result",
                   {"F8_mass": mass_t, "F8_alpharank": ranked_t, "F8_equilibria": eq_t, "F8_vstar": vstar},
                   claims, note, figure, f"seeds 0-{settings.max_seeds - 1} (from {settings.seeds} a cell, "
                   f"more where strategies are within {settings.z:g} SE), {len(f8_budgets(quick))} budgets",
                   shown={"F8_mass": ["budget", "insecure", "ci_low", "ci_high", "rogue", "rogue_ci_low",
                                      "rogue_ci_high", "verifying"]})


def _summarised(eq: pd.DataFrame, budget: float) -> pd.DataFrame:
    """An equilibria table with the budget and what matters for devolution first."""
    verifying = [c for c in eq.columns if c.startswith("client:verify")]
    rogue = [c for c in eq.columns if c.startswith("provider:") and c != "provider:honest"]
    front = pd.DataFrame({"budget": budget,
                          "clients_verifying": eq[verifying].sum(axis=1) if budget > 0 else 0.0,
                          "providers_rogue": eq[rogue].sum(axis=1)}, index=eq.index)
    return pd.concat([front, eq], axis=1)


def _mark(ax, v_star: float, v_star_w: float) -> None:
    ax.axvline(v_star, color=PALETTE["black"], lw=0.9)
    ax.axvline(v_star_w, color=PALETTE["black"], lw=0.9, ls=":")
    ax.annotate(f"G4 v* = {v_star:.2f}", (v_star, 0.03), xycoords=("data", "axes fraction"), xytext=(3, 0),
                textcoords="offset points", fontsize=8, va="bottom")
    ax.annotate(f"withheld\npayment: {v_star_w:.2f}", (v_star_w, 0.03), xycoords=("data", "axes fraction"),
                xytext=(-3, 0), textcoords="offset points", fontsize=7, va="bottom", ha="right")


def _draw_mass(ax, mass: pd.DataFrame, v_star: float, v_star_w: float) -> None:
    ax.errorbar(mass.budget, 100 * mass.insecure, yerr=[100 * (mass.insecure - mass.ci_low),
                                                        100 * (mass.ci_high - mass.insecure)],
                fmt="o-", capsize=3, color=PALETTE["vermillion"],
                label=f"alpha {F8_SELECTION:g}: alpha-Rank, 95 % seed bootstrap")
    styles = {1.0: ("--", "s", PALETTE["sky"]), 50.0: (":", "^", PALETTE["purple"])}
    for alpha in F8_ALPHAS:
        if alpha != F8_SELECTION:
            dash, marker, colour = styles.get(alpha, ("-.", ".", PALETTE["grey"]))
            ax.plot(mass.budget, 100 * mass[f"insecure_alpha_{alpha:g}"], dash, marker=marker, ms=4, color=colour,
                    label=f"alpha {alpha:g}")
    ax.axhline(100 * F8_MAJORITY, color=PALETTE["grey"], lw=0.8, ls="-.", label="half the long run")
    _mark(ax, v_star, v_star_w)
    ax.set_ylim(0, 100)
    ax.set_xlabel("verification budget v (share a verifying client checks)")
    ax.set_ylabel("stationary mass on insecure states (%)")
    ax.set_title("rogue providers with clients that verify nothing", fontsize=9)
    ax.legend(fontsize=7, loc="upper right")


def _draw_providers(ax, ranked: pd.DataFrame, mass: pd.DataFrame, v_star: float) -> None:
    by = ranked.groupby(["budget", "provider"]).mass.sum().unstack("provider")
    styles = {"honest": ("-", "o", PALETTE["green"]), "spoof": ("--", "s", PALETTE["orange"]),
              "leech": (":", "^", PALETTE["blue"]), "fabricate": ("-.", "D", PALETTE["vermillion"])}
    for name, (dash, marker, colour) in styles.items():
        ax.plot(by.index, 100 * by[name], dash, marker=marker, ms=4, color=colour, label=name)
    ax.fill_between(mass.budget, 100 * (1 - mass.rogue_ci_high), 100 * (1 - mass.rogue_ci_low),
                    color=PALETTE["green"], alpha=0.2, lw=0, label="honest: 95 % seed bootstrap")
    ax.axhline(100 * F8_MAJORITY, color=PALETTE["grey"], lw=0.8, ls="-.")
    ax.axvline(v_star, color=PALETTE["black"], lw=0.9)
    ax.set_ylim(0, 100)
    ax.set_xlabel("verification budget v")
    ax.set_ylabel(f"stationary mass, alpha {F8_SELECTION:g} (%)")
    ax.set_title("providers' long-run behaviour", fontsize=9)
    ax.legend(fontsize=7)
