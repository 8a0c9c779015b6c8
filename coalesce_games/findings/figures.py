"""Figures of the findings, drawn on :class:`matplotlib.figure.Figure` objects and written as PNG and SVG.

No pyplot: nothing here touches matplotlib's global state or its backend, so
importing a finding (or drawing one in a notebook) leaves the user's own
backend as it was. Colours come from the Okabe-Ito palette, which stays
distinguishable under the common colour-vision deficiencies; every line also
differs by marker or dash, so nothing depends on colour alone.

>>> fig = draw(lambda f: f.subplots().plot([0, 1], [0, 1], color=PALETTE["blue"]), "a line")
>>> to_png(fig)[:4]
b'\\x89PNG'
"""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path

from matplotlib.figure import Figure

__all__ = ['OURS_COLOUR', 'PALETTE', 'PAPER_COLOUR', 'draw', 'save_figure', 'to_png']

#: Okabe & Ito (2008), colour-blind safe
PALETTE = {"orange": "#E69F00", "sky": "#56B4E9", "green": "#009E73", "yellow": "#F0E442",
           "blue": "#0072B2", "vermillion": "#D55E00", "purple": "#CC79A7", "black": "#000000",
           "grey": "#7F7F7F"}
#: what the paper reports, and what we measure, in every figure
PAPER_COLOUR, OURS_COLOUR = PALETTE["grey"], PALETTE["blue"]


def draw(figure: Callable[[Figure], None], title: str) -> Figure:
    """A new :class:`Figure` drawn by a finding's ``figure(fig)``, with ``title`` on top.

    ``figure`` adds its own axes (``fig.subplots``) and may resize the figure.
    """
    fig = Figure(figsize=(6.4, 4.2), layout="constrained")
    figure(fig)
    fig.suptitle(title, fontsize=11)
    return fig


def to_png(fig: Figure, dpi: int = 110) -> bytes:
    """The figure as PNG bytes (for notebooks, ``IPython.display.Image``, and the HTML report)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)
    return buf.getvalue()


def save_figure(figure: Callable[[Figure], None], out_dir: Path, name: str, title: str) -> list[Path]:
    """Draw ``figure(fig)`` and write ``name.png`` and ``name.svg`` in ``out_dir``; returns both paths."""
    fig = draw(figure, title)
    paths = [Path(out_dir) / f"{name}.png", Path(out_dir) / f"{name}.svg"]
    for path in paths:
        fig.savefig(path, dpi=110)
    return paths
