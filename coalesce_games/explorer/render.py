"""The explorer's views as text and a figure, the same for the notebook and the web page.

Each function turns a view of :mod:`~coalesce_games.explorer.analytic` or
:mod:`~coalesce_games.explorer.simulated` into Markdown (which Panel renders on
the server, so the page loads nothing from the network) or into a matplotlib
figure. No function here computes a number of the model: they only format.

>>> from coalesce_games.explorer.analytic import closed_forms
>>> from coalesce_games.explorer.controls import ExplorerControls
>>> text = closed_forms_markdown(ExplorerControls(), closed_forms(ExplorerControls()))
>>> "v* = **0.0988**" in text
True
"""

from __future__ import annotations

from typing import Any, Sequence

import numpy as np
import pandas as pd
from matplotlib.figure import Figure

from coalesce_games.explorer.analytic import Quantity, StageView, stage_parameters
from coalesce_games.explorer.controls import ExplorerControls
from coalesce_games.explorer.simulated import METRICS, MarketView

__all__ = ["closed_forms_markdown", "figure", "figure_values", "market_markdown", "markdown_table", "stage_markdown"]


def markdown_table(header: Sequence[str], rows: Sequence[Sequence[Any]]) -> str:
    """A Markdown table (cells as given; the caller formats numbers).

    >>> print(markdown_table(["a", "b"], [[1, 2]]))
    | a | b |
    |---|---|
    | 1 | 2 |
    """
    lines = ["| " + " | ".join(str(h) for h in header) + " |", "|" + "---|" * len(header)]
    lines += ["| " + " | ".join(str(x) for x in row) + " |" for row in rows]
    return "\n".join(lines)


def _quantity_line(q: Quantity) -> str:
    value = "no answer" if q.value is None else f"**{q.value:.4f}**"
    line = f"- {q.name} = {value} &nbsp; `{q.name} = {q.formula}`"
    return line + (f"  \n  *{q.message}*" if q.message else "")


def _verdict(c: ExplorerControls, v_star: Quantity) -> str:
    if v_star.value is None:
        return "honesty cannot be made self-enforcing here (see v*)"
    if c.verification >= v_star.value:
        return f"at v = {c.verification:.2f} >= v*, honesty is self-enforcing (the provider stays honest)"
    return f"at v = {c.verification:.2f} < v*, cheating pays (the provider cheats)"


def closed_forms_markdown(c: ExplorerControls, cf: dict[str, Quantity]) -> str:
    """The closed forms with formulas, values and the verdict at the chosen ``v``."""
    par = stage_parameters(c)
    return "\n".join([
        "### Closed forms",
        f"G4, repeated game, grim trigger (pi = {c.margin:g}, g = {c.gain:g}, delta = {c.delta:g}, "
        f"d = {c.detection:g}, v = {c.verification:g}):",
        "", _quantity_line(cf["v_star"]), _quantity_line(cf["delta_star"]), "",
        f"Verdict: {_verdict(c, cf['v_star'])}.", "",
        f"G1 inspection equilibrium (p = pi + g = {par.price:g}, c = g = {par.cost:g}, d = {par.d_fab:g}, "
        f"c_v = {par.verification_cost:g}, V = {par.value:g}, C = {par.internal:g}, H = {par.harm:g}):",
        "", _quantity_line(cf["v_star_g1"]), _quantity_line(cf["phi_star_g1"]),
    ])


def stage_markdown(view: StageView) -> str:
    """G1's payoff table (client, provider), its verified equilibria and the provider's payoffs at ``v``."""
    g = view.game
    rows = [[r] + [f"{g.A[i, j]:.1f}, {g.B[i, j]:.1f}" for j in range(g.shape[1])]
            for i, r in enumerate(g.row_labels)]
    eq = view.equilibria
    eq_rows = [[r["client"], r["provider"], f"{r['client payoff']:.2f}", f"{r['provider payoff']:.2f}",
                f"{r['max regret']:.1e}", {True: "yes", False: "no", None: "-"}[r["certified"]]]
               for r in eq.to_dict("records")]
    note = (" The game is degenerate: the equilibria form components, whose extreme points are listed."
            if view.degenerate else "")
    note += "" if view.complete else " The solver cannot promise this list is complete."
    best = view.best_reply.sort_values("payoff", ascending=False).iloc[0]
    return "\n".join([
        "### G1 at this point",
        "Payoffs (client, provider), USD:", "", markdown_table(["client \\ provider", *g.col_labels], rows), "",
        f"Verified equilibria ({len(eq)}; max regret at most 1e-9 of the payoff range; certified "
        f"in exact arithmetic):{note}", "",
        markdown_table(["client", "provider", "client payoff", "provider payoff", "max regret", "certified"],
                       eq_rows), "",
        "Provider's payoff when the client outsources and verifies a share v: " +
        ", ".join(f"{r.provider} {r.payoff:.2f}" for r in view.best_reply.itertuples()) +
        f" (best reply: **{best.provider}**).",
    ])


def market_markdown(c: ExplorerControls, view: MarketView) -> str:
    """The simulated market's means and 95% intervals over the seeds, or why there is no market."""
    head = [f"### Simulated market ({len(view.seeds)} seeds, {view.seeds[0]} to {view.seeds[-1]})",
            f"v = {c.verification:g}, d = {c.detection:g}, rogue share = {c.rogue_share:g}, "
            f"epsilon = {c.epsilon:g}, beta = {c.beta:g}, tau = {c.tau:g}; delta, pi and g are G4's and G1's "
            "own and do not enter the market.", ""]
    if view.message:
        return "\n".join(head + [f"**{view.message}**"])
    rows = [[label, f"{view.summary[key].mean:.4g}", f"[{view.summary[key].low:.4g}, {view.summary[key].high:.4g}]"]
            for key, label in METRICS.items()]
    return "\n".join(head + [markdown_table(["metric", "mean", "95% interval of the mean"], rows), "",
                             "(t-intervals over the seeds; with few seeds a skewed metric's can reach below 0)"])


def figure(c: ExplorerControls, curve: pd.DataFrame, message: str, v_star: Quantity, v_star_g1: Quantity,
           market: MarketView | None = None) -> Figure:
    """Rogue share of outsourced tasks against ``v``: the curve's mean and band, v*, v*_G1 and the chosen v."""
    fig = Figure(figsize=(5.8, 3.4), dpi=80, layout="constrained")
    ax = fig.add_subplot()
    if len(curve):
        ax.fill_between(curve["verification"], curve["low"], curve["high"], alpha=0.25, color="C0",
                        label="95% interval")
        ax.plot(curve["verification"], curve["mean"], "o-", color="C0", ms=3, label="mean over seeds")
    else:
        ax.text(0.5, 0.5, message or "no market", ha="center", va="center", wrap=True, transform=ax.transAxes)
    for q, style, color in ((v_star, "--", "C3"), (v_star_g1, ":", "C2")):
        if q.value is not None and q.value <= 1:
            ax.axvline(q.value, ls=style, color=color, label=f"{q.name} = {q.value:.3f}")
        else:
            why = "no answer" if q.value is None else f"{q.value:.3g} > 1"
            ax.plot([], [], ls=style, color=color, label=f"{q.name}: {why}")
    ax.axvline(c.verification, color="k", lw=1.5, label=f"chosen v = {c.verification:.2f}")
    if market is not None and not market.message:
        iv = market.summary["rogue_task_share"]
        ax.errorbar([c.verification], [iv.mean], yerr=[[iv.mean - iv.low], [iv.high - iv.mean]], fmt="s",
                    color="k", ms=5, capsize=3)
    ax.set_xlim(-0.02, 1.02)
    ax.set_ylim(bottom=0)
    ax.set_xlabel("verification share v")
    ax.set_ylabel("rogue share of tasks")
    ax.legend(fontsize=7, loc="center right")
    ax.grid(alpha=0.3)
    return fig


def figure_values(fig: Figure) -> dict[str, float]:
    """The x positions of the figure's vertical lines by label (what the tests read back).

    >>> from coalesce_games.explorer.analytic import Quantity
    >>> q = Quantity("v*", "f", 0.25)
    >>> fig = figure(ExplorerControls(verification=0.5), pd.DataFrame(), "m", q, Quantity("v*_G1", "f", None))
    >>> sorted(figure_values(fig).items())
    [('chosen v', 0.5), ('v*', 0.25)]
    """
    out = {}
    for line in fig.axes[0].get_lines():
        x = np.asarray(line.get_xdata(), float)
        label = str(line.get_label()).split(" = ")[0].split(":")[0]
        if x.size == 2 and x[0] == x[1]:
            out[label] = float(x[0])
    return out
