"""The findings F1-F7 of MODEL.md section 7, each a function returning its evidence.

Every finding returns a :class:`Finding`: tables (DataFrames), the claims with
their computed verdicts (:mod:`coalesce_games.report` rules) and a figure.
``quick=True`` runs fewer seeds and shorter markets (the notebooks' and the
tests' mode); the full mode is what ``coalesce-games reproduce`` runs.

>>> sorted(FINDINGS)
['F1', 'F2', 'F3', 'F4', 'F5', 'F6', 'F7']
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from . import analytic, data, repeated
from .competition import CompetitionMarket, CompetitionParameters, trace_security
from .equilibria import solve
from .dynamics import compare_with_simulator
from .games import (StageParameters, bootstrap_equilibria, bootstrap_regret, equilibrium_stability,
                    metagame_from_samples, metagame_samples, stage_game)
from .market import MarketConfig, load_scenario, simulate_many
from .report import Claim, direction_verdict, flat_verdict, interval_verdict, mean_ci, threshold_verdict

__all__ = ["Finding", "FINDINGS", "f1_published_table", "f2_exploration", "f3_skill_threshold",
           "f4_cost_security", "f5_devolution", "f6_beta_epsilon", "f7_equilibrium_vs_simulation",
           "run_many"]


@dataclass
class Finding:
    """The evidence for one finding."""

    key: str
    title: str
    tables: dict[str, pd.DataFrame]
    claims: list[Claim]
    note: str = ""
    figure: Callable | None = field(default=None, repr=False)


def run_many(configs: list[MarketConfig], seeds: list, progress: Callable[[], None] | None = None) -> pd.DataFrame:
    """One row per (configuration, seed), configuration by configuration, with its position in ``config``.

    ``seeds``: the same seeds for every configuration (paired comparisons), or
    one list per configuration.

    Configurations that differ only in size and load run as one
    batch (:func:`simulate_many`). A failed run raises (nothing is dropped).
    """
    tick = None if progress is None else (lambda k: [progress() for _ in range(k)])
    return simulate_many(list(configs), seeds, progress=tick).runs


def _pct(x: float) -> str:
    return f"{100 * x:.1f} %"


def _ci_text(values: np.ndarray, scale: float = 100.0, unit: str = " %") -> tuple[str, float, float, float]:
    mean, lo, hi = mean_ci(values)
    return f"{scale * mean:.1f}{unit} [{scale * lo:.1f}, {scale * hi:.1f}]", mean, lo, hi


# ------------------------------------------------------------------ F1
#: F1's readings: the published mechanics ("published", data/scenarios.toml [paper]), then each
#: mechanism put back to ours, one at a time, to show what the published level rests on
F1_READINGS = {
    "published": {},
    "our_skill_gate": {"skill_mode": "declared"},                          # our Eq. 11 (hashed embeddings)
    "per_client_load": {"load": "per_client", "arrival_rate": MarketConfig.arrival_rate},   # load grows
    "every_task_history": {"paper_history_scope": "every_task"},           # Eq. 15 over every task
    "closeness_history": {"paper_history": "closeness"},                   # no feedback, no limit cycle
}


def f1_published_table(quick: bool = False, progress: Callable | None = None) -> Finding:
    """The published 13-configuration table, regenerated from the published mechanics, and what it rests on.

    Each configuration runs its ``paper_<experiment>`` scenario: the published
    decision rule, accounting, load, skill gate and Eq. 15 history, as the
    published code runs them (``data/scenarios.toml`` [paper]). The same runs
    give the published metric (savings on outsourced tasks over the cost of
    the tasks kept local), the paper accounting against an all-local
    baseline, and the consistent cost reduction. Each other reading puts one
    mechanism back to ours (:data:`F1_READINGS`). Each experiment has its own
    seeds (the published runs were independent), shared by its readings.
    """
    published = data.load_published_table()
    if quick:
        published = published.iloc[[0, 5, 12]]
    # each experiment its own seeds, as the published runs were independent (dur_04 and agt_03 are the same
    # configuration; the others share providers and early hours under one seed); each reading of an
    # experiment the experiment's seeds (paired)
    per_experiment = 2 if quick else 20
    seeds = [list(range(per_experiment * i, per_experiment * (i + 1))) for i in published.index]
    table_cfgs = [load_scenario(f"paper_{exp.experiment}") for exp in published.itertuples()]
    configs = [c.replace(**changes) for changes in F1_READINGS.values() for c in table_cfgs]
    every = run_many(configs, seeds * len(F1_READINGS), progress)      # config = reading x 13 + experiment
    size = len(table_cfgs)
    rows, pooled = [], []
    for i, exp in enumerate(published.itertuples()):
        runs = every[every.config == i].reset_index(drop=True)         # the published mechanics
        pooled.append(runs.assign(weight=exp.runs / len(runs)))
        m_paper, lo, hi = mean_ci(100 * runs.paper_cost_reduction)
        row = {
            "experiment": exp.experiment, "days": exp.days, "clients": exp.clients,
            "contractors": exp.contractors, "runs": len(runs), "published_runs": exp.runs,
            "published_cost_reduction": exp.cost_reduction_mean,
            "paper_metric_mean": m_paper, "paper_metric_sd": float((100 * runs.paper_cost_reduction).std()),
            "paper_metric_ci_low": lo, "paper_metric_ci_high": hi,
            "verdict": interval_verdict(exp.cost_reduction_mean, lo, hi),
            "published_time_savings": exp.time_savings_mean,
            "paper_time_metric_mean": float(100 * runs.paper_time_savings.mean()),
            "outsourcing_rate": float(100 * runs.outsourcing_rate.mean()),
            "mean_topsis": float(runs.mean_topsis.mean()),
            "tasks": float(runs.tasks.mean()),
            "paper_accounting_vs_all_local": float(100 * runs.paper_accounting_all_local_reduction.mean()),
            "consistent_cost_reduction": float(100 * runs.cost_reduction.mean()),
            "consistent_time_savings": float(100 * runs.time_savings.mean()),
        }
        for reading, name in enumerate(F1_READINGS):
            if reading == 0:
                continue
            other = every[every.config == reading * size + i]
            row[f"{name}_paper_metric_mean"] = float(100 * other.paper_cost_reduction.mean())
            row[f"{name}_outsourcing_rate"] = float(100 * other.outsourcing_rate.mean())
        rows.append(row)
    table = pd.DataFrame(rows)
    weights = table.published_runs
    weighted = lambda col: float(np.average(table[col], weights=weights))   # noqa: E731
    reproduced = int((table.verdict == "reproduced").sum())
    claims = [Claim("F1", "cost reduction per configuration (published metric)", "13 published means", "-",
                    f"{weighted('paper_metric_mean'):.1f} % run-weighted (paper metric); "
                    f"{weighted('consistent_cost_reduction'):.1f} % consistent",
                    f"{reproduced} of {len(table)} configurations reproduced",
                    "published mean inside our 95 % CI, per configuration")]
    # the headline: one pooled sample, each configuration weighted by its published run count
    allruns = pd.concat(pooled, ignore_index=True)
    w = allruns.weight.to_numpy() / allruns.weight.sum()
    x = 100 * allruns.paper_cost_reduction.to_numpy()
    mean = float(w @ x)
    se = float(np.sqrt(np.sum(w ** 2 * (x - mean) ** 2)))
    lo_all, hi_all = mean - 1.96 * se, mean + 1.96 * se
    claims.append(Claim("F1", "41.8 % cost reduction over the 13 configurations", "41.8 %",
                        "-", f"{mean:.1f} % [{lo_all:.1f}, {hi_all:.1f}] (paper metric, run-weighted)",
                        interval_verdict(41.8, lo_all, hi_all),
                        "41.8 inside the 95 % CI of the run-weighted mean of all runs"))
    # the published agent scaling is flat from 15 clients on (37.4-40.9 %) and higher below: is ours?
    scaled = table[table.experiment.str.startswith("agt") & (table.clients >= 15)]
    small = table[table.experiment.str.startswith("agt") & (table.clients < 15)]
    claims.append(Claim("F1", "the published metric is flat across scales (agent scaling 37-41 % from 15 clients)",
                        f"max/min {float(scaled.published_cost_reduction.max() / scaled.published_cost_reduction.min()):.2f}",
                        "-", f"max/min {float(scaled.paper_metric_mean.max() / scaled.paper_metric_mean.min()):.2f} "
                        f"({scaled.paper_metric_mean.min():.0f}-{scaled.paper_metric_mean.max():.0f} %)",
                        flat_verdict(scaled.paper_metric_mean),
                        "agent-scaling means from 15 clients on within a factor 1.5 of each other"))
    if len(small) and len(scaled):
        lift = float(small.paper_metric_mean.mean() - scaled.paper_metric_mean.mean())
        published_lift = float(small.published_cost_reduction.mean() - scaled.published_cost_reduction.mean())
        claims.append(Claim("F1", "small markets (5 and 10 clients) report more", f"+{published_lift:.0f} pp", "-",
                            f"{lift:+.0f} pp (opportunity cost of the tasks queued behind: fewer clients, "
                            f"longer queues under one market-wide load)",
                            "reproduced" if lift > 0.5 * published_lift > 0 else "not reproduced",
                            "our lift over the flat part at least half the published one"))
    rate, rate_lo, rate_hi = mean_ci(100 * allruns.outsourcing_rate)
    claims.append(Claim("F1", "outsourcing rate of the published rule", "33.8 % (earlier version of the table)", "-",
                        f"{rate:.1f} % [{rate_lo:.1f}, {rate_hi:.1f}]", interval_verdict(33.8, rate_lo, rate_hi),
                        "33.8 inside the 95 % CI of the mean over all runs"))
    topsis, t_lo, t_hi = mean_ci(allruns.mean_topsis)
    claims.append(Claim("F1", "mean TOPSIS of outsourced tasks", "0.790 (earlier version of the table)", "-",
                        f"{topsis:.3f} [{t_lo:.3f}, {t_hi:.3f}]", interval_verdict(0.790, t_lo, t_hi),
                        "0.790 inside the 95 % CI of the mean over all runs"))
    ts, ts_lo, ts_hi = mean_ci(100 * allruns.paper_time_savings)
    published_ts = float(np.average(table.published_time_savings, weights=weights))
    claims.append(Claim("F1", "time savings (published metric)", f"{published_ts:.1f} % run-weighted", "-",
                        f"{ts:.1f} % [{ts_lo:.1f}, {ts_hi:.1f}] (our local latency table: risk 108, sentiment 36 min; "
                        f"the published code's 90 and 45)", interval_verdict(published_ts, ts_lo, ts_hi),
                        "the published run-weighted mean inside the 95 % CI of ours"))
    readings = "; ".join(f"{name.replace('_', ' ')}: {weighted(name + '_paper_metric_mean'):.0f} % "
                         f"(outsourcing {weighted(name + '_outsourcing_rate'):.0f} %)" for name in list(F1_READINGS)[1:])
    claims.append(Claim("F1", "what the published level rests on (one mechanism put back to ours at a time)",
                        "-", "-", readings, "measured",
                        "run-weighted paper metric of each reading; the published mechanics give the first claim"))
    claims.append(Claim("F1", "the same decisions against running everything locally", "-", "-",
                        f"paper accounting {weighted('paper_accounting_vs_all_local'):.1f} %; consistent accounting "
                        f"{weighted('consistent_cost_reduction'):.1f} %", "measured",
                        "total cost of the stream under the rule against all-local, run-weighted"))
    note = ("The published metric divides savings on outsourced tasks (losses clipped at zero) by the cost "
            "of the tasks kept local, in seconds-as-hours accounting with the opportunity cost of the tasks "
            "queued behind; the outsourcing rate is the limit cycle of the Eq. 15 gate over the tasks that "
            "reach TOPSIS. The consistent column compares the total cost of the same task stream with "
            "running every task locally.")

    def figure(ax):
        x = np.arange(len(table))
        ax.bar(x - 0.25, table.published_cost_reduction, 0.25, label="published")
        ax.errorbar(x, table.paper_metric_mean, yerr=[table.paper_metric_mean - table.paper_metric_ci_low,
                                                       table.paper_metric_ci_high - table.paper_metric_mean],
                    fmt="none", ecolor="black", capsize=2)
        ax.bar(x, table.paper_metric_mean, 0.25, label="ours, published mechanics (95 % CI)")
        ax.bar(x + 0.25, table.consistent_cost_reduction, 0.25, label="ours, consistent accounting")
        ax.set_xticks(x, table.experiment, rotation=45)
        ax.set_ylabel("cost reduction (%)")
        ax.legend()

    return Finding("F1", "The published cost-reduction table", {"F1_table": table}, claims, note, figure)


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
    verdict = direction_verdict(+1, lo, hi)
    summary = runs.groupby("epsilon")[["cost_reduction", "outsourcing_rate", "exploration_rate"]].mean().reset_index()
    claims = [Claim("F2", "exploration (eps 0.1 vs 0) raises savings", "20.3 vs 1.9 (USD/task, not %)",
                    "-", f"difference {text}", verdict, "paired 95 % CI of the difference excludes 0")]
    note = ("In the published 'real LLM' runs no contractor passed the skill gate, so every outsourced task "
            "came from the epsilon branch; 20.3 and 1.9 are mean USD saved per task. Here the coalesce policy "
            "explores only eligible providers, so mislabelled providers stay unreachable unless the probe "
            "or history lifts them over tau.")

    def figure(ax):
        ax.boxplot([pivot[0.0], pivot[0.1]], tick_labels=["eps = 0", "eps = 0.1"])
        ax.set_ylabel("cost reduction (consistent)")

    return Finding("F2", "Exploration and the skill gate",
                   {"F2_runs": runs.filter(regex="^(seed|epsilon|cost_reduction|outsourcing_rate|exploration_rate)$"),
                    "F2_summary": summary}, claims, note, figure)


# ------------------------------------------------------------------ F3
def f3_skill_threshold(quick: bool = False, progress: Callable | None = None) -> Finding:
    """Admission of spoofers and honest providers as functions of tau."""
    taus = np.round(np.linspace(0.5, 0.95, 10 if quick else 19), 3)
    curves = analytic.admission_curves(taus, n_tasks=100 if quick else 400, n_providers=60 if quick else 200)
    if progress is not None:
        progress()
    score_expr = analytic.spoofer_score()
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


# ------------------------------------------------------------------ F7
#: G3's client settings: the seed's default (beta 0.7, epsilon 0.1, tau 0.7, no verification)
#: and one change at a time, plus verification
G3_CLIENTS = {"default": {},
              "eps0": {"epsilon": 0.0},
              "beta0": {"beta": 0.0},
              "tau0.8": {"tau": 0.8},
              "default,v0.5": {"verification_share": 0.5},
              "eps0,v0.5": {"epsilon": 0.0, "verification_share": 0.5}}
#: G3's provider strategies: the rogue population's behaviour, and its price (share of its template's)
G3_PROVIDERS = {"spoof": {"rogue_mix": (1.0, 0.0, 0.0)}, "leech": {"rogue_mix": (0.0, 1.0, 0.0)},
                "fabricate": {"rogue_mix": (0.0, 0.0, 1.0)},
                "fabricate@0.9": {"rogue_mix": (0.0, 0.0, 1.0), "rogue_price_factor": 0.9}}
#: G4 check points (margin pi, one-shot gain g, discount delta, detection d)
G4_POINTS = {"A": (10.0, 8.0, 0.9, 0.9), "B": (5.0, 8.0, 0.8, 0.9), "C": (12.0, 4.0, 0.7, 0.6)}


def _plain(table: pd.DataFrame) -> pd.DataFrame:
    """A copy without ``attrs`` (which hold arrays) and with tuples joined, for CSV and concatenation."""
    out = pd.DataFrame({c: table[c].map(", ".join) if isinstance(table[c].iloc[0], tuple) else table[c]
                        for c in table.columns}) if len(table) else table.copy()
    out.attrs = {}
    return out


def _g1_claim() -> Claim:
    par = StageParameters()
    closed = analytic.inspection_equilibrium_numeric(par)
    numeric = solve(stage_game(par).subgame([1, 2], [0, 1]))
    x, y = numeric.row_strategy.iloc[0], numeric.col_strategy.iloc[0]
    agree = bool(np.isclose(x[1], closed["verification"], atol=1e-8) and np.isclose(y[1], closed["fabrication"], atol=1e-8))
    return Claim("F7", "G1 inspection core: closed form = numeric equilibrium", "(no game in the paper)",
                 f"v* = {closed['verification']:.3f}, phi* = {closed['fabrication']:.4f}",
                 f"nashpy-verified solver: v = {x[1]:.3f}, phi = {y[1]:.4f}",
                 "reproduced" if agree else "not reproduced", "equal within 1e-8")


def _g3(quick: bool) -> tuple[list[Claim], dict[str, pd.DataFrame]]:
    """G3 from seeded simulations: equilibria, the default's bootstrap regret, stability."""
    seeds = list(range(2 if quick else 8))
    base = MarketConfig(rogue_share=0.3, days=1 if quick else 3)   # beta 0.7, epsilon 0.1, tau 0.7
    samples = metagame_samples(G3_CLIENTS, G3_PROVIDERS, base, seeds)
    meta, stats_table = metagame_from_samples(samples)
    eq = solve(meta)
    n_boot = 100 if quick else 1000
    replicates = bootstrap_equilibria(samples, n_boot=n_boot, seed=0)   # solved once, read twice
    regret = bootstrap_regret(samples, "default", replicates=replicates)
    stability = equilibrium_stability(samples, replicates=replicates)
    top = stability.sort_values("share_any", ascending=False, kind="stable").iloc[0]
    claims = [
        Claim("F7", "G3 meta-game equilibria", "(Eq. 14 is never used in the published code)", "-",
              "; ".join(f"client {r} / provider {c}" for r, c in zip(eq.row_mix.astype(str), eq.col_mix.astype(str)))[:300],
              "computed", "all equilibria, verified"),
        Claim("F7", "G3: regret of the default setting (beta 0.7, eps 0.1, tau 0.7, no verification)",
              "0.7 / 0.1 / 0.7 recommended", "-",
              f"{regret.regret:.3f} cost-reduction points [{regret.ci_low:.3f}, {regret.ci_high:.3f}] "
              f"(best response {regret.best_response}; a best response itself in {100 * regret.zero_share:.0f} % "
              f"of {n_boot} resamples)",
              "holds" if regret.zero_share >= 0.5 else "does not hold",
              "the default is a best response to the selected equilibrium's provider mix in at least half of "
              "the resamples"),
        Claim("F7", "G3: stability of the equilibria under resampled payoffs", "-", "-",
              f"most frequent equilibrium support: client {', '.join(top.client_support)} / provider "
              f"{', '.join(top.provider_support)} in {100 * top.share_any:.0f} % of {n_boot} resamples "
              f"({'an' if top.in_point else 'not an'} equilibrium of the game of means)",
              "computed", "seeds resampled within each cell; every replicate solved again"),
    ]
    regret_table = regret.drop(labels=["provider_mix"], errors="ignore").to_frame("value").reset_index()
    regret_table["value"] = regret_table["value"].astype(str)
    return claims, {"F7_metagame": stats_table, "F7_metagame_samples": samples,
                    "F7_equilibria": pd.DataFrame({c: [str(v) for v in eq[c]] for c in
                                                  ("row_mix", "col_mix", "row_payoff", "col_payoff", "max_regret")}),
                    "F7_G3_default_regret": regret_table, "F7_G3_stability": _plain(stability)}


def _g2(quick: bool) -> tuple[list[Claim], dict[str, pd.DataFrame]]:
    """G2 traced over the client's security weight and budget."""
    params = CompetitionParameters()
    market = CompetitionMarket.build(tasks=120 if quick else 300, background=10 if quick else 20, seed=0)
    trace = trace_security([0.0, 0.5, 1.0, 2.0], [0.0, 0.25, 0.5, 1.0], market, params)
    surface = trace.pivot(index="security_weight", columns="budget", values="security_min").to_numpy()
    lowest = bool(np.isclose(surface[0, 0], min(params.security_levels)))
    rises = bool((np.diff(surface, axis=0) >= -1e-12).all() and (np.diff(surface, axis=1) >= -1e-12).all()
                 and surface[-1, 0] > surface[0, 0] and surface[0, -1] > surface[0, 0])
    claim = Claim("F7", "G2: equilibrium security is lowest without security weight or budget and rises with either",
                  "(no game in the paper)", "-",
                  f"security at (weight 0, budget 0) {surface[0, 0]:.2f}; weight 2: {surface[-1, 0]:.2f}; "
                  f"budget 1: {surface[0, -1]:.2f} ({len(trace)} points, every equilibrium verified)",
                  "holds" if lowest and rises else "does not hold",
                  "lowest level at (0, 0), non-decreasing in weight and budget, higher at the far ends")
    return [claim], {"F7_G2_security": trace}


def _g4(quick: bool) -> tuple[list[Claim], dict[str, pd.DataFrame]]:
    """G4's v* against a Monte-Carlo repeated game run with the market's detection rules."""
    rows = []
    for name, (margin, gain, delta, d) in G4_POINTS.items():
        for withhold in (False, True):
            r = repeated.simulated_minimal_verification(margin, gain, delta, d, n_paths=400 if quick else 2000,
                                                        n_boot=100 if quick else 500, seed=0, withhold_payment=withhold)
            rows.append({"point": name, "margin": margin, "gain": gain, "delta": delta, "detection": d,
                         "payment_withheld": withhold, **r.to_dict()})
    table = pd.DataFrame(rows)
    inside = int(table.within_ci.sum())
    claim = Claim("F7", "G4: v* = g(1 - delta)/(delta d pi) is where cheating stops paying", "(no game in the paper)",
                  "; ".join(f"{r.point}{'w' if r.payment_withheld else ''}: {r.v_star:.3f}" for r in table.itertuples()),
                  "; ".join(f"{r.point}{'w' if r.payment_withheld else ''}: {r.v_star_sim:.3f} [{r.ci_low:.3f}, {r.ci_high:.3f}]"
                            for r in table.itertuples()),
                  "reproduced" if inside == len(table) else "not reproduced",
                  f"closed form inside the simulated 95 % CI at every point ({inside}/{len(table)}); w: payment withheld")
    return [claim], {"F7_G4_v_star": table}


def _dynamics(quick: bool) -> tuple[list[Claim], dict[str, pd.DataFrame]]:
    """G1's replicator dynamics against the simulator's rogue share of outsourced tasks."""
    rows = []
    for v in (0.0, 0.2, 0.5, 1.0):
        cfg = MarketConfig(days=2, clients=6, contractors=10, rogue_share=0.3, verification_share=v)
        a = compare_with_simulator(cfg, range(4 if quick else 12), window=12).attrs
        rows.append({"verification": v, "v_threshold": a["v_threshold"], "predicted": a["predicted"],
                     "model_late": a["model_late"], "model_direction": a["model_direction"],
                     "simulated_late": a["sim_late"], "ci_low": a["sim_late_ci"][0], "ci_high": a["sim_late_ci"][1],
                     "simulated_direction": a["sim_direction"], "agree": a["agree"]})
    table = pd.DataFrame(rows)
    agree = table.set_index("verification").agree
    claim = Claim("F7", "Replicator dynamics predict devolution without verification and its prevention above v*",
                  "devolution without security budgets", "grows below v* = c/(d p), shrinks above",
                  "; ".join(f"v = {r.verification:g}: {r.simulated_direction} ({r.simulated_late:.2f})" for r in table.itertuples()),
                  "reproduced" if bool(agree[0.0] and agree[0.5] and agree[1.0]) else "not reproduced",
                  "same direction at v = 0, 0.5, 1; at v = 0.2 < v* the market's fabricators cannot turn honest, "
                  "so blacklisting removes them whatever v: " + ("agrees" if agree[0.2] else "differs, as expected"))
    return [claim], {"F7_dynamics": table}


def f7_equilibrium_vs_simulation(quick: bool = False, progress: Callable | None = None) -> Finding:
    """G1's closed form, G3's meta-game with the default's regret, G2, G4's v* and dynamics, against simulation."""
    claims, tables = [_g1_claim()], {}
    for part in (_g3, _g2, _g4, _dynamics):
        more_claims, more_tables = part(quick)
        claims += more_claims
        tables.update(more_tables)
        if progress is not None:
            progress()
    return Finding("F7", "Equilibrium against simulation", tables, claims,
                   "G3 payoffs: client = cost reduction; provider = rogue share of outsourced tasks net of detections. "
                   "G4 is checked on a Monte-Carlo repeated game with the market's verification and blacklisting "
                   "rules (the market's rogues cannot choose honesty).")


FINDINGS: dict[str, Callable[..., Finding]] = {
    "F1": f1_published_table, "F2": f2_exploration, "F3": f3_skill_threshold, "F4": f4_cost_security,
    "F5": f5_devolution, "F6": f6_beta_epsilon, "F7": f7_equilibrium_vs_simulation,
}
