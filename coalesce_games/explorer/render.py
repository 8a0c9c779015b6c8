"""The explorer's views as text and a figure, the same for the notebook and the web page.

Each function turns a view of :mod:`~coalesce_games.explorer.analytic` or
:mod:`~coalesce_games.explorer.simulated` into Markdown (which Panel renders on
the server, so the page loads nothing from the network) or into a Bokeh figure
updated in place (:class:`RoguePlot`; Bokeh comes with Panel). No function here computes a number of the model: they only format.

>>> from coalesce_games.explorer.analytic import closed_forms
>>> from coalesce_games.explorer.controls import ExplorerControls
>>> text = closed_forms_markdown(ExplorerControls(), closed_forms(ExplorerControls()))
>>> "v* = **0.0988**" in text
True
"""

from __future__ import annotations

from typing import Any, Sequence

import pandas as pd

from coalesce_games.explorer.analytic import Quantity, StageView, stage_parameters
from coalesce_games.explorer.controls import ExplorerControls
from coalesce_games.explorer.simulated import METRICS, MarketView

__all__ = ["RoguePlot", "closed_forms_markdown", "market_markdown", "markdown_table", "stage_markdown"]


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
    """The simulated market's means and 95% intervals over the seeds, or why there is no market.

    >>> from coalesce_games.explorer.simulated import market_view
    >>> c = ExplorerControls(rogue_share=0.01)
    >>> market_markdown(c, market_view(c)).splitlines()[-1]
    '**no market at this point: rogue_share 0.01 of 30 contractors is no provider**'
    """
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


class RoguePlot:
    """The rogue share of outsourced tasks against ``v``, a Bokeh figure updated in place.

    The curve's mean and 95% band, the market at the chosen point (a square
    with its interval), and three vertical lines: G4's ``v*`` (red, dashed),
    G1's ``v*_G1`` (green, dotted) and the chosen ``v`` (black). A move of an
    analytic control only moves lines and retitles the figure, so the page
    receives a few numbers, not a new picture. A threshold with no answer, or
    above 1, hides its line and says so in the title.

    >>> from coalesce_games.explorer.analytic import Quantity
    >>> plot = RoguePlot()
    >>> plot.update(ExplorerControls(verification=0.5), _empty_curve(), "", Quantity("v*", "f", 0.25),
    ...             Quantity("v*_G1", "f", None))
    >>> sorted(plot.values().items())
    [('chosen v', 0.5), ('v*', 0.25)]
    >>> plot.figure.title.text
    'v* = 0.250 (red) | v*_G1: no answer | chosen v = 0.50 (black)'
    """

    def __init__(self, width: int = 470, height: int = 300) -> None:
        from bokeh.models import ColumnDataSource, Span, Whisker
        from bokeh.plotting import figure as bokeh_figure

        fig = bokeh_figure(width=width, height=height, x_range=(-0.02, 1.02), tools="", toolbar_location=None,
                           x_axis_label="verification share v", y_axis_label="rogue share of tasks",
                           name="rogue-plot", css_classes=["explorer-plot"])
        fig.y_range.start = 0
        self.curve = ColumnDataSource({"v": [], "mean": [], "low": [], "high": []}, name="rogue-curve")
        self.point = ColumnDataSource({"v": [], "mean": [], "low": [], "high": []}, name="rogue-point")
        fig.varea("v", "low", "high", source=self.curve, fill_alpha=0.25, legend_label="95% interval")
        fig.line("v", "mean", source=self.curve, line_width=2, legend_label="mean over seeds")
        fig.scatter("v", "mean", source=self.point, marker="square", size=8, color="black",
                    legend_label="market at v")
        fig.add_layout(Whisker(source=self.point, base="v", lower="low", upper="high"))
        self.lines = {"v*": Span(dimension="height", line_color="firebrick", line_dash="dashed", line_width=2,
                                 name="v-star"),
                      "v*_G1": Span(dimension="height", line_color="green", line_dash="dotted", line_width=2,
                                    name="v-star-g1"),
                      "chosen v": Span(dimension="height", line_color="black", line_width=2, name="chosen-v")}
        for line in self.lines.values():
            fig.add_layout(line)
        legend = fig.legend[0]                 # below the axes, where no line can pass behind it
        fig.add_layout(legend, "below")
        legend.orientation = "horizontal"
        legend.label_text_font_size = "8pt"
        fig.title.text_font_size = "9pt"
        self.figure = fig

    def update(self, c: ExplorerControls, curve: pd.DataFrame, message: str, v_star: Quantity,
               v_star_g1: Quantity, market: MarketView | None = None) -> None:
        """Show the point: the curve (or the market's message), the point's market, the three lines."""
        data = {"v": curve["verification"].tolist(), "mean": curve["mean"].tolist(), "low": curve["low"].tolist(),
                "high": curve["high"].tolist()} if len(curve) else {"v": [], "mean": [], "low": [], "high": []}
        if self.curve.data != data:
            self.curve.data = data
        point = {"v": [], "mean": [], "low": [], "high": []}
        if market is not None and not market.message:
            iv = market.summary["rogue_task_share"]
            point = {"v": [c.verification], "mean": [iv.mean], "low": [iv.low], "high": [iv.high]}
        self.point.data = point
        parts = []
        for q, style in ((v_star, "red"), (v_star_g1, "green")):
            shown = q.value is not None and q.value <= 1
            self.lines[q.name].visible = shown
            self.lines[q.name].location = q.value if shown else None
            why = f"{q.value:.3f} ({style})" if shown else ("no answer" if q.value is None else f"{q.value:.3g} > 1")
            parts.append(f"{q.name} = {why}" if shown else f"{q.name}: {why}")
        self.lines["chosen v"].location = c.verification
        parts.append(f"chosen v = {c.verification:.2f} (black)")
        self.figure.title.text = " | ".join(parts) if not message else f"{message} | " + " | ".join(parts)

    def values(self) -> dict[str, float]:
        """The x positions of the visible vertical lines by name (what the tests read back)."""
        return {name: float(line.location) for name, line in self.lines.items()
                if line.visible and line.location is not None}


def _empty_curve() -> pd.DataFrame:
    return pd.DataFrame(columns=["verification", "mean", "low", "high"])
