"""The explorer: move the model's parameters and watch the thresholds, G1 and the market answer.

One explorer, two faces from one code path. The numbers come from pure
functions of one validated point (:class:`ExplorerControls`), tested without a
browser: :func:`closed_forms` (G4's ``v*`` and ``delta*``, G1's inspection
equilibrium), :func:`stage_view` (G1's payoff table and verified equilibria),
:func:`market_view` and :func:`rogue_curve` (the simulated market). The
Panel class :class:`~coalesce_games.explorer.app.Explorer` wires widgets to
them; the notebook ``notebooks/explore.ipynb`` shows it as an ipywidget
(``panel.ipywidget``) and ``coalesce-games explore [--port P]`` serves it on
127.0.0.1.

Why Panel (over Voila and Solara): one long-lived server process serves every
page, so numba's compiled market kernels and sympy's closed forms are loaded
once (a Voila page starts a fresh kernel, paying the imports and the kernels'
load on every visit); the same Panel object renders in a notebook and on the
served page, where Solara would have us write the interface as ipywidgets
components and Voila would serve a notebook that an installed package does not
ship; its busy overlay (``loading``) and asynchronous callbacks come built in;
and its Markdown and PNG panes render on the server, so the page loads nothing
from the network. Panel is an optional dependency (the ``explorer`` extra):
importing this package needs only the toolkit's own dependencies, since the
Panel face lives in :mod:`coalesce_games.explorer.app`.

>>> cf = closed_forms(ExplorerControls(margin=10, gain=8, delta=0.9, detection=0.9))
>>> round(cf["v_star"].value, 4)
0.0988
"""

from __future__ import annotations

from coalesce_games.explorer.analytic import Quantity, StageView, closed_forms, stage_view
from coalesce_games.explorer.controls import ExplorerControls
from coalesce_games.explorer.simulated import Interval, MarketView, market_view, rogue_curve

__all__ = ["ExplorerControls", "Interval", "MarketView", "Quantity", "StageView", "closed_forms", "market_view",
           "rogue_curve", "stage_view"]
