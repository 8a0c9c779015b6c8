"""The served explorer in a real browser: headless Chromium (Debian's) through selenium (issue 18).

The test starts ``coalesce-games explore --port 0`` as a user would, reads the
address it prints, loads the page, moves a control's slider with the arrow
keys and checks that the displayed v* and the figure changed; a second test checks that
a combination with no answer shows a message, never a traceback. The server
listens on 127.0.0.1 only and is stopped at the end of each test.

Needs the system packages ``chromium`` and ``chromium-driver`` (``.ci/run``
installs them as root); skips, saying which is missing, where they are not.
Set ``EXPLORER_SCREENSHOTS=dir`` to keep the before/after screenshots.
"""

from __future__ import annotations

import os
import queue
import re
import shutil
import subprocess
import sys
import threading
import time
from pathlib import Path
from typing import Iterator

import pytest

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")
if CHROMIUM is None or CHROMEDRIVER is None:
    pytest.skip("the browser test needs Debian's chromium and chromium-driver "
                "(apt-get install -y chromium chromium-driver); not installed here", allow_module_level=True)
pytest.importorskip("panel", reason="the explorer's page needs Panel (pip install 'coalesce-games[explorer]')")
webdriver = pytest.importorskip("selenium.webdriver", reason="the browser test drives Chromium with selenium")
from selenium.webdriver.chrome.service import Service  # noqa: E402
from selenium.webdriver.common.keys import Keys  # noqa: E402

ROOT = Path(__file__).resolve().parents[2]

#: every element of the page, through every shadow root (Bokeh renders each component in its own)
DEEP = """
function walk(root, out) {
  for (const el of root.querySelectorAll('*')) { out.push(el); if (el.shadowRoot) walk(el.shadowRoot, out); }
  return out;
}
function within(cls) { return walk(document, []).filter(e => e.classList && e.classList.contains(cls)); }
function deepText(el) {
  const parts = [];
  for (const node of walk(el.shadowRoot || el, [])) {
    if (node.tagName === 'STYLE') continue;
    for (const child of node.childNodes) { if (child.nodeType === 3) parts.push(child.textContent); }
  }
  return parts.join(' ');
}
"""


class Server:
    """``coalesce-games explore --port 0`` in a subprocess, its output collected as it prints."""

    def __init__(self) -> None:
        self.proc = subprocess.Popen([sys.executable, "-m", "coalesce_games.cli", "explore", "--port", "0"],
                                     cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        self.lines: list[str] = []
        self._queue: queue.Queue = queue.Queue()
        threading.Thread(target=self._read, daemon=True).start()

    def _read(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)
            self._queue.put(line)

    def address(self, timeout: float = 180.0) -> str:
        """The address the server prints once it listens; fails with its output otherwise."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                line = self._queue.get(timeout=0.5)
            except queue.Empty:
                if self.proc.poll() is not None and self._queue.empty():
                    break
                continue
            found = re.search(r"http://127\.0\.0\.1:\d+/", line)
            if found:
                return found.group(0)
        pytest.fail("coalesce-games explore printed no address:\n" + "".join(self.lines))

    def log(self) -> str:
        return "".join(self.lines)

    def stop(self) -> None:
        self.proc.terminate()
        try:
            self.proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait(timeout=20)


@pytest.fixture
def server() -> Iterator[Server]:
    """The served explorer, stopped at the end of the test."""
    srv = Server()
    try:
        yield srv
    finally:
        srv.stop()
        print("server output:\n" + srv.log())       # shown by pytest when the test fails


@pytest.fixture
def browser() -> Iterator[object]:
    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--window-size=1720,1080", "--disable-extensions", "--no-first-run"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(CHROMEDRIVER), options=opts)
    try:
        yield driver
    finally:
        driver.quit()


def _text(driver: object, cls: str) -> str:
    """The visible text of the elements with a CSS class, whitespace collapsed."""
    text = driver.execute_script(DEEP + "return within(arguments[0]).map(deepText).join(' ');", cls)
    return re.sub(r"\s+", " ", text)


def _plot(driver: object) -> tuple:
    """What the figure shows: its v* line's position (None when hidden), its title, and its pixels."""
    state = driver.execute_script(
        "if (!window.Bokeh || !Bokeh.documents.length) return null;"
        "const doc = Bokeh.documents[0], line = doc.get_model_by_name('v-star'),"
        " fig = doc.get_model_by_name('rogue-plot');"
        "return line && fig ? [line.visible ? line.location : null, fig.title.text] : null;")
    host = driver.execute_script(DEEP + "return within('explorer-plot')[0] || null;")
    if state is None or host is None:
        return ()
    return (*state, host.screenshot_as_png)


def _busy(driver: object) -> bool:
    """Whether a pane shows Panel's busy overlay (the class ``pn-loading``)."""
    return driver.execute_script(DEEP + "return walk(document, []).some(e => e.classList && "
                                        "e.classList.contains('pn-loading'));")


def _wait(what: str, condition, timeout: float = 120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(0.25)
    pytest.fail(f"timed out waiting for {what}")


def _v_star(driver: object) -> str:
    found = re.search(r"v\* = (\d+\.\d{4}|no answer)", _text(driver, "explorer-closed-forms"))
    return found.group(1) if found else ""


def _handle(driver: object, control: str) -> object:
    """A control's slider handle (noUiSlider's, inside the control's shadow roots)."""
    handle = driver.execute_script(DEEP + "return within(arguments[0]).flatMap(e => walk(e.shadowRoot || e, []))"
                                          ".filter(e => e.classList && e.classList.contains('noUi-handle'))[0];",
                                   f"control-{control}")
    assert handle is not None, f"no slider handle for control {control}"
    return handle


def _move(driver: object, control: str, steps: int) -> None:
    """Move a control's slider by ``steps`` of its step (negative: to the left) with the arrow keys, as a
    user does: click the handle, then press the arrow keys."""
    handle = _handle(driver, control)
    handle.click()
    handle.send_keys(*[Keys.ARROW_RIGHT if steps > 0 else Keys.ARROW_LEFT] * abs(steps))


def _screenshot(driver: object, name: str, tmp_path: Path) -> Path:
    folder = Path(os.environ.get("EXPLORER_SCREENSHOTS", tmp_path))
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / name
    driver.save_screenshot(str(path))
    return path


def test_moving_a_control_changes_v_star_and_the_plot(server: Server, browser: object, tmp_path: Path) -> None:
    browser.get(server.address())
    before = _wait("v* on the page", lambda: _v_star(browser))
    plot_before = _wait("the figure", lambda: _plot(browser))
    assert before == "0.0988"                       # 8 x 0.1 / (0.9 x 0.9 x 10) at the defaults
    assert _screenshot(browser, "explorer-before.png", tmp_path).stat().st_size > 10_000
    _move(browser, "delta", -40)                    # 0.9 -> 0.5: v* = 8 x 0.5 / (0.5 x 0.9 x 10) = 0.8889
    after = _wait("v* to change", lambda: (v := _v_star(browser)) != before and v)
    assert after == "0.8889"
    assert plot_before[0] == pytest.approx(0.0988, abs=1e-4) and "v* = 0.099 (red)" in plot_before[1]
    plot_after = _wait("the figure to change", lambda: (p := _plot(browser))[0] != plot_before[0] and p)
    assert plot_after[0] == pytest.approx(0.8889, abs=1e-4) and "v* = 0.889 (red)" in plot_after[1]
    assert plot_after[2] != plot_before[2]          # and the figure's pixels changed
    assert _screenshot(browser, "explorer-after.png", tmp_path).stat().st_size > 10_000
    assert "Traceback" not in server.log(), server.log()


def test_a_point_without_an_answer_shows_a_message(server: Server, browser: object) -> None:
    browser.get(server.address())
    _wait("v* on the page", lambda: _v_star(browser))
    _move(browser, "detection", -90)                # 0.9 -> 0
    _wait("the message", lambda: "no answer at d = 0" in _text(browser, "explorer-closed-forms"))
    _move(browser, "rogue_share", -19)              # 0.2 -> 0.01: 0.3 of one rogue among 30, no such market
    _wait("the market's message", lambda: "is no provider" in _text(browser, "explorer-market"))
    page = browser.execute_script(DEEP + "return walk(document, []).map(e => e.shadowRoot ? deepText(e) : '')"
                                         ".join(' ');")
    assert "Traceback" not in page
    assert _v_star(browser) == "no answer"
    _move(browser, "rogue_share", 29)               # 0.3: a market again; the busy overlay comes and goes
    _wait("the market", lambda: "rogue share of outsourced tasks" in _text(browser, "explorer-market"))
    _wait("the busy overlay to go", lambda: not _busy(browser), timeout=30)
    assert "Traceback" not in server.log(), server.log()
