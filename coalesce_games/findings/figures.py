"""Figures of the findings, written as PNG and SVG (matplotlib, Agg backend).
"""

from __future__ import annotations

from pathlib import Path
from typing import Callable

import matplotlib.pyplot as plt

__all__ = ['save_figure']


def save_figure(draw: Callable, out_dir: Path, name: str, title: str) -> list[Path]:
    """Draw on a fresh axes with ``draw(ax)`` and save ``name.png`` and ``name.svg``."""
    fig, ax = plt.subplots(figsize=(6.4, 4.2))
    try:
        draw(ax)
        ax.set_title(title, fontsize=10)
        fig.tight_layout()
        paths = [out_dir / f"{name}.png", out_dir / f"{name}.svg"]
        for path in paths:
            fig.savefig(path, dpi=120)
    finally:
        plt.close(fig)
    return paths
