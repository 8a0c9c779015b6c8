"""How fast the explorer answers a move of a control (issue 18: analytic < 100 ms, simulated < 2 s on 2 cores).

Server side, in one process after a warm-up (imports, numba's kernels from their disk cache, sympy's closed
forms), with the page's Bokeh models attached to a document as on the served page:

* analytic: set ``delta``, ``pi`` or ``g`` on the widget; the watcher updates the closed forms, G1 and the
  figure's lines (G1 is solved and certified afresh when ``pi``, ``g`` or ``d`` moves, cached otherwise). The baseline, timed in the same repetitions, is what the figure
  would cost as a picture: one matplotlib PNG of the same curve and lines (the first design, which made an
  update cost ~0.4 s on this machine).
* simulated: a market control (tau) moved to a point never simulated before (so no cache hit): the
  analytic views, then the market at the point plus the rogue-share curve (11 shares), at the fewest and the most seeds the control allows (8 and 16).

With ``--browser`` (needs Debian's chromium and chromium-driver) it also times the whole round trip on the
served page: from the keydown of an arrow key on delta's slider (one step of 0.01) to the page's DOM
holding the new v*, clocked inside the page (``performance.now()`` and a MutationObserver), so webdriver's own
latency is not counted.

Usage: python benchmarks/explorer.py [--repeat 15] [--browser]
"""

from __future__ import annotations

import argparse
import io
import statistics
import time

import numpy as np
from bokeh.document import Document
from matplotlib.figure import Figure

from coalesce_games.explorer.app import Explorer, warm_up
from coalesce_games.explorer.controls import MAX_SEEDS, MIN_SEEDS, ExplorerControls


def _summary(name: str, seconds: list[float]) -> str:
    ms = np.asarray(seconds) * 1e3
    return (f"{name:44} median {statistics.median(ms):8.1f} ms   p90 {np.percentile(ms, 90):8.1f} ms   "
            f"max {ms.max():8.1f} ms   (n={len(ms)})")


def _png_baseline(ex: Explorer) -> float:
    """One matplotlib PNG of the figure's curve and lines: the cost of re-drawing it as a picture."""
    start = time.perf_counter()
    src = ex.rogue_plot.curve.data
    fig = Figure(figsize=(5.8, 3.4), dpi=80, layout="constrained")
    ax = fig.add_subplot()
    ax.fill_between(src["v"], src["low"], src["high"], alpha=0.25)
    ax.plot(src["v"], src["mean"], "o-")
    for name, x in ex.rogue_plot.values().items():
        ax.axvline(x, label=f"{name} = {x:.3f}")
    ax.legend()
    fig.savefig(io.BytesIO(), format="png")
    return time.perf_counter() - start


def analytic(repeat: int) -> None:
    ex = Explorer()
    ex.layout().get_root(Document())               # the Bokeh models a served page holds
    moves: dict[str, list[float]] = {"delta": [], "margin": [], "gain": []}
    baseline = []
    rng = np.random.default_rng(0)
    for i in range(repeat):
        for key, low, high in (("delta", 0.05, 0.99), ("margin", 1.0, 40.0), ("gain", 0.5, 40.0)):
            start = time.perf_counter()
            ex.widgets[key].value = round(float(rng.uniform(low, high)), 2)
            moves[key].append(time.perf_counter() - start)
        baseline.append(_png_baseline(ex))
        assert ex.status.object == "", ex.status.object
    for key, times in moves.items():
        what = "G1 cached" if key == "delta" else "G1 solved and certified afresh"
        print(_summary(f"analytic move of {key} ({what})", times))
    every = [t for times in moves.values() for t in times]
    print(_summary("baseline: the figure as one matplotlib PNG", baseline))
    print(f"{'':44} ratio of medians (PNG / whole analytic move): "
          f"{statistics.median(baseline) / statistics.median(every):.1f}x")


def simulated(repeat: int) -> None:
    for seeds in (MIN_SEEDS, MAX_SEEDS):
        ex = Explorer(ExplorerControls(seeds=seeds))
        ex.layout().get_root(Document())
        times = []
        for i in range(repeat):
            # a tau never used before: the market and the curve are simulated afresh (with no event loop
            # running, Panel runs the market's asynchronous watcher to completion inside the assignment)
            start = time.perf_counter()
            ex.widgets["tau"].value = round(0.5 + 0.01 * i + 0.001 * seeds / 8, 3)
            times.append(time.perf_counter() - start)
            assert ex.timings["market"] <= times[-1]
            assert ex.status.object == "", ex.status.object
        print(_summary(f"simulated move, {seeds} seeds (point + 11-share curve)", times))


def browser(repeat: int) -> None:
    import os
    import sys

    sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "tests"))
    import test_explorer_browser as page       # skips (raises) where chromium is missing
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.keys import Keys

    server = page.Server()
    opts = webdriver.ChromeOptions()
    opts.binary_location = page.CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--window-size=1720,1080"):
        opts.add_argument(arg)
    driver = None
    try:
        url = server.address()
        driver = webdriver.Chrome(service=Service(page.CHROMEDRIVER), options=opts)
        driver.get(url)
        page._wait("v*", lambda: page._v_star(driver))
        times = []
        for i in range(repeat):
            before = page._v_star(driver)
            handle = page._handle(driver, "delta")
            handle.click()
            key = Keys.ARROW_LEFT if i % 2 == 0 else Keys.ARROW_RIGHT
            driver.execute_script(page.DEEP + _ARM, handle, before)
            handle.send_keys(key)
            start = time.perf_counter()
            while driver.execute_script("return window.__elapsed;") is None:
                if time.perf_counter() - start > 30:
                    raise RuntimeError("the page did not show a new v* within 30 s")
                time.sleep(0.05)
            times.append(driver.execute_script("return window.__elapsed;") / 1e3)
        print(_summary("in the page: arrow key on delta -> new v* in DOM", times))
    finally:
        if driver is not None:
            driver.quit()
        server.stop()


#: in the page: clock an arrow key on the slider's handle (keydown) to the closed forms' DOM showing a new v*
_ARM = """
const [handle, before] = arguments;
window.__elapsed = null;
let t0 = null;
handle.addEventListener('keydown', () => { t0 = performance.now(); }, {once: true});
const host = within('explorer-closed-forms')[0];
const shown = () => { const m = deepText(host).replace(/\\s+/g, ' ').match(/v\\* = (\\d+\\.\\d{4}|no answer)/);
                      return m ? m[1] : ''; };
const observer = new MutationObserver(() => {
  if (t0 !== null && shown() !== before) { window.__elapsed = performance.now() - t0; observer.disconnect(); }
});
observer.observe(host.shadowRoot || host, {subtree: true, childList: true, characterData: true});
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--browser", action="store_true", help="also time the served page in headless Chromium")
    args = parser.parse_args()
    print(f"warm-up (imports, kernels, closed forms): {warm_up():.2f} s")
    analytic(args.repeat)
    simulated(args.repeat)
    if args.browser:
        browser(args.repeat)


if __name__ == "__main__":
    main()
