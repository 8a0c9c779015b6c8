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

__all__ = ['Finding', 'run_many', 'run_many_steps']


@dataclass
class Finding:
    """The evidence for one finding.

    ``figure(fig)`` draws on a :class:`matplotlib.figure.Figure` (see
    :mod:`coalesce_games.findings.figures`); ``seeds`` says which seeds and how
    many runs the tables rest on (for the report's stamp); ``shown`` names, per
    table too wide for the report, the columns it prints (the rest is in the CSV).
    Every field's type is checked on construction (a TypeError naming it).
    """

    key: str
    title: str
    tables: dict[str, pd.DataFrame]
    claims: list[Claim]
    note: str = ""
    figure: Callable | None = field(default=None, repr=False)
    seeds: str = ""
    shown: dict[str, list[str]] = field(default_factory=dict)

    def __post_init__(self) -> None:
        for name in ("key", "title", "note", "seeds"):
            _require(name, getattr(self, name), isinstance(getattr(self, name), str), "a string")
        _require("key", self.key, self.key != "", "a non-empty string")
        _require("tables", self.tables, isinstance(self.tables, dict) and all(
            isinstance(k, str) and isinstance(t, pd.DataFrame) for k, t in self.tables.items()),
            "a dict of table name -> pandas DataFrame")
        _require("claims", self.claims, isinstance(self.claims, list) and all(isinstance(c, Claim) for c in self.claims),
                 "a list of Claim")
        _require("figure", self.figure, self.figure is None or callable(self.figure), "a function or None")
        _require("shown", self.shown, isinstance(self.shown, dict) and all(
            isinstance(k, str) and isinstance(cols, list) and all(isinstance(c, str) for c in cols)
            for k, cols in self.shown.items()), "a dict of table name -> list of column names")


def _require(name: str, value: object, ok: bool, allowed: str) -> None:
    if not ok:
        text = repr(value)
        raise TypeError(f"{name} must be {allowed}; got {type(value).__name__}: {text[:80]}")


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
    """``"m unit [lo, hi]"`` with the Student-t 95 % interval (``[-, -]`` for one value), and the numbers."""
    mean, lo, hi = mean_ci(values)
    bounds = f"[{scale * lo:.1f}, {scale * hi:.1f}]" if np.isfinite(lo) else "[-, -]"
    return f"{scale * mean:.1f}{unit} {bounds}", mean, lo, hi


def _seeds_text(seeds: list, configurations: int = 1) -> str:
    """``"seeds 0-11 (12 a setting, 24 runs)"``: the seeds a finding ran, for the report's stamp."""
    seeds = list(seeds)
    span = f"{seeds[0]}-{seeds[-1]}" if seeds == list(range(seeds[0], seeds[0] + len(seeds))) else str(seeds)
    return f"seeds {span} ({len(seeds)} a setting, {len(seeds) * configurations} runs)"


def run_many_steps(configs: list[MarketConfig], seeds: list,
                   progress: Callable[[], None] | None = None) -> tuple[pd.DataFrame, pd.DataFrame]:
    """:func:`run_many`'s run rows and the same runs' hourly ``steps`` (``config``, ``seed``, ``hour``, ...)."""
    tick = None if progress is None else (lambda k: [progress() for _ in range(k)])
    result = simulate_many(list(configs), seeds, progress=tick)
    return result.runs, result.steps
