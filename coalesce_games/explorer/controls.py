"""The explorer's controls: one validated point of the parameter space.

A point is the ten numbers a user moves (plus the first seed). The controls
split in two groups, and the split decides how much work a change costs:

* the **analytic** controls (verification share ``v``, discount ``delta``,
  margin ``pi``, gain from cheating ``g``, detection ``d``) feed the closed forms
  and G1; an update recomputes a few numbers and solves a 3x3 game;
* the **market** controls (``v``, ``d``, rogue share, ``epsilon``, ``beta``,
  ``tau``, seeds) feed the simulated market; an update re-runs it.

Every control is checked when a point is made; a value outside its range is a
``ValueError`` naming the control. A value inside its range for which a closed
form has no answer (``delta = 1``, ``d = 0``, ``pi = 0``) is *valid*: the views
say why there is no answer instead of raising.

>>> c = ExplorerControls(verification=0.2, delta=0.95)
>>> c.replace(detection=0.5).detection
0.5
>>> ExplorerControls(delta=1.5)
Traceback (most recent call last):
...
ValueError: delta must be in [0, 1]; got 1.5
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from coalesce_games.market.config import MarketConfig
from coalesce_games.validation import check_int, check_nonnegative, check_probability, check_seed

__all__ = ["ANALYTIC_FIELDS", "MARKET_FIELDS", "MIN_SEEDS", "MAX_SEEDS", "ExplorerControls"]

#: fewest and most seeds the market view simulates at one point
MIN_SEEDS, MAX_SEEDS = 8, 16

#: controls that move the closed forms and G1
ANALYTIC_FIELDS = frozenset({"verification", "delta", "margin", "gain", "detection"})
#: controls that move the simulated market
MARKET_FIELDS = frozenset({"verification", "detection", "rogue_share", "epsilon", "beta", "tau", "seeds", "seed"})


@dataclass(frozen=True)
class ExplorerControls:
    """One point of the explorer (``papers/model.md``: G1 in section 6, G4 and the market in section 5).

    verification
        ``v``, the share of outsourced tasks the client verifies (market: ``verification_share``).
    delta
        the provider's discount factor (G4).
    margin
        ``pi = p - c``, the provider's margin per honest task, USD (G4; G1's price is ``pi + g``).
    gain
        ``g``, the one-shot gain from cheating, USD (G4; G1's cost of honest work ``c``,
        which a fabricator saves).
    detection
        ``d``, the probability a check detects a fabrication (market and G1: ``d_fab``).
    rogue_share, epsilon, beta, tau
        the market's share of rogue providers, exploration rate, responsiveness and skill threshold.
    seeds, seed
        how many seeds the market view simulates (``MIN_SEEDS`` to ``MAX_SEEDS``), from ``seed`` on.
    """

    verification: float = 0.2
    delta: float = 0.9
    margin: float = 10.0
    gain: float = 8.0
    detection: float = 0.9
    rogue_share: float = 0.2
    epsilon: float = 0.1
    beta: float = 0.7
    tau: float = 0.7
    seeds: int = MIN_SEEDS
    seed: int = 0

    def __post_init__(self) -> None:
        for key in ("verification", "delta", "detection", "rogue_share", "epsilon", "beta", "tau"):
            check_probability(key, getattr(self, key), ndim=0)
        for key in ("margin", "gain"):
            check_nonnegative(key, getattr(self, key), ndim=0)
        check_int("seeds", self.seeds, minimum=MIN_SEEDS)
        if self.seeds > MAX_SEEDS:
            raise ValueError(f"seeds must be <= {MAX_SEEDS} (an update must stay quick); got {self.seeds!r}")
        check_seed("seed", self.seed)
        for f in dataclasses.fields(self):        # plain Python numbers, so points hash and compare by value
            value = getattr(self, f.name)
            object.__setattr__(self, f.name, int(value) if f.name in ("seeds", "seed") else float(value))

    def replace(self, **changes: Any) -> "ExplorerControls":
        """A copy with some controls changed (checked again); an unknown control is an error."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ValueError(f"unknown explorer control(s) {sorted(unknown)}; "
                             f"known: {[f.name for f in dataclasses.fields(self)]}")
        return dataclasses.replace(self, **changes)

    def market_key(self) -> tuple:
        """The market controls' values: two points with equal keys simulate the same market."""
        return tuple(getattr(self, key) for key in sorted(MARKET_FIELDS))

    def market_config(self, verification: float | None = None) -> MarketConfig:
        """The market at this point (the other fields at :class:`MarketConfig`'s defaults).

        Raises ``ValueError`` when the market has no such configuration (a rogue
        share too small to make one rogue provider); the views turn it into a message.

        >>> cfg = ExplorerControls(verification=0.3, rogue_share=0.1).market_config()
        >>> (cfg.verification_share, cfg.rogue_share, cfg.d_fab)
        (0.3, 0.1, 0.9)
        """
        v = self.verification if verification is None else verification
        return MarketConfig(verification_share=v, d_fab=self.detection, rogue_share=self.rogue_share,
                            epsilon=self.epsilon, beta=self.beta, tau=self.tau, seed=self.seed)

    def seed_list(self) -> list[int]:
        """The seeds the market view simulates: ``seed, seed + 1, ...``, ``seeds`` of them."""
        return list(range(self.seed, self.seed + self.seeds))
