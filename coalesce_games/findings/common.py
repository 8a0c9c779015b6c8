"""What every finding shares: the :class:`Finding` record and running many markets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from coalesce_games.findings.verdicts import Claim, mean_ci
from coalesce_games.games import repeated as repeated
from coalesce_games.market.config import MarketConfig
from coalesce_games.market.simulation import simulate_many

__all__ = ['Finding', 'run_many']


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
