"""The explorer's one user interface (Panel): the notebook's widget and the served page.

:class:`Explorer` wires eleven widgets to the pure functions of
:mod:`~coalesce_games.explorer.analytic`, :mod:`~coalesce_games.explorer.simulated`
and :mod:`~coalesce_games.explorer.render`; it computes nothing itself. A move
of an analytic control (v, delta, pi, g, d) updates the closed forms, G1 and
the figure's markers at once; a move of a market control (v, d, rogue share,
epsilon, beta, tau, seeds) also re-runs the market in a worker thread, with
the market pane and the figure showing Panel's busy overlay meanwhile; a result
superseded by a later move is dropped. Any failure shows as a message in the
page, never as a traceback.

>>> ex = Explorer(ExplorerControls(delta=1.0))
>>> "no answer at delta = 1" in ex.closed.object
True
"""

from __future__ import annotations

import asyncio
import logging
import socket
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any, Callable

import pandas as pd
import panel as pn

from coalesce_games.explorer.analytic import closed_forms, stage_view
from coalesce_games.explorer.controls import MARKET_FIELDS, MAX_SEEDS, MIN_SEEDS, ExplorerControls
from coalesce_games.explorer.render import RoguePlot, closed_forms_markdown, market_markdown, stage_markdown
from coalesce_games.explorer.simulated import MarketView, market_view, rogue_curve

__all__ = ["Explorer", "free_port", "serve_explorer", "warm_up"]

log = logging.getLogger(__name__)

#: one simulation at a time, off the event loop (numba's kernels release the GIL)
_SIMULATOR = ThreadPoolExecutor(max_workers=1, thread_name_prefix="explorer-market")

#: control -> (label, start, end, step); the ranges are each control's whole valid range
SLIDERS: dict[str, tuple[str, float, float, float]] = {
    "verification": ("verification share v", 0.0, 1.0, 0.01),
    "delta": ("discount delta", 0.0, 1.0, 0.01),
    "margin": ("provider margin pi (USD)", 0.0, 50.0, 0.5),
    "gain": ("gain from cheating g (USD)", 0.0, 50.0, 0.5),
    "detection": ("detection d", 0.0, 1.0, 0.01),
    "rogue_share": ("rogue share", 0.0, 0.9, 0.01),
    "epsilon": ("exploration epsilon", 0.0, 1.0, 0.01),
    "beta": ("responsiveness beta", 0.0, 1.0, 0.01),
    "tau": ("skill threshold tau", 0.0, 1.0, 0.01),
}


def _widgets(c: ExplorerControls) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, (label, start, end, step) in SLIDERS.items():
        # sliders, not number boxes: a box emptied while typing sends None and Bokeh then shows NaN in it
        out[key] = pn.widgets.FloatSlider(label=label, start=start, end=end, step=step, value=getattr(c, key),
                                          width=260, css_classes=[f"control-{key}"])
    out["seeds"] = pn.widgets.IntSlider(label="seeds to simulate", start=MIN_SEEDS, end=MAX_SEEDS, step=1,
                                        value=c.seeds, width=260, css_classes=["control-seeds"])
    out["seed"] = pn.widgets.IntInput(label="first seed", start=0, value=c.seed, width=260,
                                      css_classes=["control-seed"])
    return out


class Explorer:
    """The explorer at one point; ``layout()`` is the Panel object both faces show."""

    def __init__(self, controls: ExplorerControls | None = None) -> None:
        c = ExplorerControls() if controls is None else controls
        if not isinstance(c, ExplorerControls):
            raise TypeError(f"controls must be ExplorerControls or None; got {type(c).__name__}")
        self.widgets = _widgets(c)
        self.status = pn.pane.Markdown("", css_classes=["explorer-status"], width=260)
        self.closed = pn.pane.Markdown("", css_classes=["explorer-closed-forms"], width=390)
        self.stage = pn.pane.Markdown("", css_classes=["explorer-stage"], width=480)
        self.market = pn.pane.Markdown("", css_classes=["explorer-market"], width=470)
        self.rogue_plot = RoguePlot(width=470, height=330)
        self.plot = pn.pane.Bokeh(self.rogue_plot.figure, width=470, height=330)
        self.busy = pn.indicators.LoadingSpinner(value=False, size=24, label="simulating...", visible=False)
        self.timings: dict[str, float] = {}
        self._curve: tuple[Any, str] | None = None
        self._market: MarketView | None = None
        self._market_v: float | None = None
        self._generation = 0
        self._cf: dict[str, Any] = {}
        for key, widget in self.widgets.items():
            widget.param.watch(self._analytic_changed, "value")
            if key in MARKET_FIELDS:
                widget.param.watch(self._market_changed, "value")
        self.update_analytic()
        self.update_market()

    def controls(self) -> ExplorerControls:
        """The point the widgets show (``ValueError`` if a widget holds a value out of range)."""
        return ExplorerControls(**{key: w.value for key, w in self.widgets.items()})

    def _guard(self, what: str, fn: Callable[[], None]) -> bool:
        """Run one update; a failure becomes a message in the page (and a log record), never a traceback."""
        try:
            fn()
        except (ValueError, TypeError) as exc:
            self.status.object = f"**{what}: {exc}**"
            return False
        except Exception as exc:                  # noqa: BLE001 - the page must show it, not crash
            log.exception("explorer %s failed", what)
            self.status.object = f"**{what} failed: {type(exc).__name__}: {exc}**"
            return False
        self.status.object = ""
        return True

    def update_analytic(self) -> float:
        """Closed forms, G1 and the figure's markers at the widgets' point; returns seconds taken."""
        start = time.perf_counter()

        def run() -> None:
            c = self.controls()
            self._cf = closed_forms(c)
            self.closed.object = closed_forms_markdown(c, self._cf)
            self.stage.object = stage_markdown(stage_view(c))
            self._draw(c)

        self._guard("closed forms", run)
        self.timings["analytic"] = time.perf_counter() - start
        return self.timings["analytic"]

    def _draw(self, c: ExplorerControls) -> None:
        if not self._cf:
            return
        curve, message = self._curve if self._curve is not None else (_empty_curve(), "simulating ...")
        # the market's square only where it was simulated (after a move of v, until the new run ends)
        market = self._market if self._market_v == c.verification else None
        self.rogue_plot.update(c, curve, message, self._cf["v_star"], self._cf["v_star_g1"], market)

    def update_market(self) -> float:
        """Simulate the market and the curve at the widgets' point (blocking); returns seconds taken."""
        start = time.perf_counter()
        self._guard("market", lambda: self._show_market(*self._simulate(self.controls())))
        self.timings["market"] = time.perf_counter() - start
        return self.timings["market"]

    @staticmethod
    def _simulate(c: ExplorerControls) -> tuple[ExplorerControls, MarketView, tuple[Any, str]]:
        return c, market_view(c), rogue_curve(c)

    def _simulate_latest(self, c: ExplorerControls, generation: int) -> tuple | None:
        """The market at ``c``, unless a later move superseded it while it waited (a slider dragged or
        stepped sends a move per step; only the last one's run matters)."""
        return self._simulate(c) if generation == self._generation else None

    def _show_market(self, c: ExplorerControls, view: MarketView, curve: tuple[Any, str]) -> None:
        self._market, self._curve, self._market_v = view, curve, c.verification
        self.market.object = market_markdown(c, view)
        self._draw(c)

    def _analytic_changed(self, *events: Any) -> None:
        self.update_analytic()

    async def _market_changed(self, *events: Any) -> None:
        """Re-run the market off the event loop, with the busy overlay; drop a result a later move superseded."""
        self._generation += 1
        generation = self._generation
        try:
            c = self.controls()
        except (ValueError, TypeError) as exc:
            message = f"**market: {exc}**"        # bound now: ``exc`` is unbound once the block ends

            def refuse() -> None:                 # this move supersedes any run under way: no overlay left on
                self.status.object = message
                self._set_busy(False)

            self._on_page(refuse)
            return
        self._on_page(lambda: self._set_busy(True))
        start = time.perf_counter()
        try:
            result = await asyncio.get_running_loop().run_in_executor(_SIMULATOR, self._simulate_latest, c,
                                                                      generation)
        except Exception as exc:                  # noqa: BLE001 - shown in the page
            log.exception("explorer market failed")
            result, failure = None, f"**market failed: {type(exc).__name__}: {exc}**"
            self._on_page(lambda: setattr(self.status, "object", failure))
        if generation != self._generation:
            return

        def show() -> None:
            if result is not None:
                self._guard("market", lambda: self._show_market(*result))
            self.timings["market"] = time.perf_counter() - start
            self._set_busy(False)

        self._on_page(show)

    @staticmethod
    def _on_page(change: Callable[[], None]) -> None:
        """Apply a change to the page's models: on a served page in the document's next tick (under its
        lock, as Bokeh requires outside a browser event), elsewhere (notebook, tests) at once."""
        doc = pn.state.curdoc
        if doc is not None and doc.session_context is not None:
            doc.add_next_tick_callback(change)
        else:
            change()

    def _set_busy(self, busy: bool) -> None:
        self.busy.value = self.busy.visible = busy
        self.market.loading = self.plot.loading = busy

    def layout(self) -> pn.layout.Panel:
        """The page: controls on the left; closed forms, G1, the market and the figure side by side."""
        intro = pn.pane.Markdown(
            "## coalesce-games explorer\nMove a control: the closed forms and G1 update at once, the simulated "
            "market when its run ends (the spinner shows while it runs).", width=1600)
        controls = pn.Column("### Controls", *self.widgets.values(), self.busy, self.status, width=290)
        return pn.Column(intro, pn.Row(controls, self.closed, self.stage, pn.Column(self.market, self.plot)))


def _empty_curve() -> pd.DataFrame:
    return pd.DataFrame(columns=["verification", "mean", "low", "high"])


def warm_up() -> float:
    """Compute one point of every view (loads the compiled kernels and sympy's closed forms); returns seconds."""
    start = time.perf_counter()
    Explorer()
    return time.perf_counter() - start


def free_port() -> int:
    """A port on 127.0.0.1 that was free a moment ago (the OS's choice for port 0).

    >>> 1024 <= free_port() <= 65535
    True
    """
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def serve_explorer(port: int = 5006, announce: Callable[[str], None] = print) -> None:
    """Serve the explorer on ``http://127.0.0.1:port/`` (only the loopback address) until interrupted.

    ``port`` 0 takes a free port; ``announce`` receives the address once the server listens.
    """
    if isinstance(port, bool) or not isinstance(port, int) or not 0 <= port <= 65535:
        raise ValueError(f"port must be an integer in [0, 65535]; got {port!r}")
    port = port or free_port()
    warm_up()
    server = pn.serve({"/": lambda: Explorer().layout()}, port=port, address="127.0.0.1",
                      websocket_origin=[f"127.0.0.1:{port}", f"localhost:{port}"], show=False, start=False,
                      title="coalesce-games explorer", verbose=False)
    server.start()
    announce(f"coalesce-games explorer: serving on http://127.0.0.1:{server.port}/ (Ctrl+C stops it)")
    try:
        server.io_loop.start()
    except KeyboardInterrupt:
        pass
    finally:
        server.stop()
