"""Every parameter of a market run (:class:`MarketConfig`) and the named scenarios.

All fields are validated when a configuration is made; the scenarios of
``data/scenarios.toml`` (among them the 13 published configurations on the
published mechanics, ``paper_*``) load by name.

>>> cfg = load_scenario("paper_agt_01")
>>> (cfg.load, cfg.days, cfg.clients, cfg.contractors)
('published', 7, 5, 10)
"""

from __future__ import annotations

import dataclasses
import tomllib
from dataclasses import dataclass
from typing import Any

from coalesce_games import data
from coalesce_games.validation import check_choice, check_int, check_nonnegative, check_probability, check_weights

__all__ = ['MarketConfig', 'load_scenario']


@dataclass(frozen=True)
class MarketConfig:
    """Every parameter of a market run; all fields are validated and take effect."""

    days: int = 7
    clients: int = 15
    contractors: int = 30
    arrival_rate: float = 0.2          # load "per_client": tasks per client per hour outside business hours
                                       # (ours); load "published": tasks per hour in all at market demand 1 (4.2)
    business_multiplier: float = 3.2
    load: str = "per_client"           # "published": the published simulation's arrivals (_published_arrivals)
    policy: str = "coalesce"
    paper_history: str = "decision"    # what the paper rule's Eq. 15 history records (PaperPolicy.record)
    paper_history_scope: str = "scored"   # which tasks add to it (PaperPolicy.scope; "scored": the published code)
    epsilon: float = 0.1
    tau: float = 0.7
    beta: float = 0.7
    exploration_confidence: float = 0.7
    security_weight: float = 1.0
    accounting: str = "consistent"
    skill_mode: str = "declared"       # "probe": noisy true skills; "published": the published Eq. 11 lookup
    probe_noise: float = 0.1
    mislabelled_share: float = 0.0     # share of honest providers whose tags use another vocabulary (F2)
    capacity_per_hour: float = 2.0     # tasks a provider serves per hour at utilisation 1 (ours)
    alpha_demand: float = 0.5          # Eq. 7
    rogue_share: float = 0.0
    rogue_mix: tuple[float, float, float] = (1 / 3, 1 / 3, 1 / 3)
    rogue_entry_day: int = 0
    rogue_price_factor: float = 0.5
    spoofer_competence: float = 0.2
    q_leak: float = 0.5
    leak_loss: float = 200.0
    d_leak: float = 0.5
    d_fab: float = 0.9
    verification_share: float = 0.0
    latency_penalty_per_min: float = 0.25  # paper's latency penalty; 0 ignores lateness
    reentry_hours: int = 24
    seed: int = 0

    def __post_init__(self) -> None:
        for key in ("days", "clients", "contractors"):
            check_int(key, getattr(self, key), minimum=1)
        for key in ("rogue_entry_day", "reentry_hours", "seed"):
            check_int(key, getattr(self, key), minimum=0)
        for key in ("arrival_rate", "business_multiplier", "security_weight", "capacity_per_hour",
                    "alpha_demand", "rogue_price_factor", "leak_loss", "latency_penalty_per_min"):
            check_nonnegative(key, getattr(self, key))
        for key in ("epsilon", "tau", "beta", "exploration_confidence", "probe_noise",
                    "mislabelled_share", "rogue_share", "spoofer_competence", "q_leak", "d_leak",
                    "d_fab", "verification_share"):
            check_probability(key, getattr(self, key))
        if self.capacity_per_hour <= 0:
            raise ValueError(f"capacity_per_hour must be > 0; got {self.capacity_per_hour!r}")
        check_choice("policy", self.policy, ("coalesce", "paper"))
        check_choice("paper_history", self.paper_history, ("closeness", "decision"))
        check_choice("paper_history_scope", self.paper_history_scope, ("scored", "every_task"))
        check_choice("accounting", self.accounting, ("consistent", "paper"))
        check_choice("load", self.load, ("per_client", "published"))
        check_choice("skill_mode", self.skill_mode, ("declared", "probe", "published"))
        check_weights("rogue_mix", list(self.rogue_mix), size=3)
        if self.rogue_share > 0 and round(self.rogue_share * self.contractors) == 0:
            raise ValueError(f"rogue_share {self.rogue_share!r} of {self.contractors} contractors is no provider")
        if self.alpha_demand > self.contractors:
            # Eq. 7 at no demand: P_base (1 - alpha S / (S n)) = P_base (1 - alpha / n)
            raise ValueError(f"alpha_demand {self.alpha_demand!r} above contractors {self.contractors} turns an idle "
                             f"provider's Eq. 7 price negative")
        if self.rogue_share == 1.0:
            raise ValueError("rogue_share must leave at least one honest provider; got 1.0")

    def replace(self, **changes: Any) -> "MarketConfig":
        """A copy with some fields changed (validated again); unknown fields are an error."""
        unknown = set(changes) - {f.name for f in dataclasses.fields(self)}
        if unknown:
            raise ValueError(f"unknown MarketConfig field(s) {sorted(unknown)}")
        if "rogue_mix" in changes:
            changes["rogue_mix"] = tuple(changes["rogue_mix"])
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}   # all values immutable

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "MarketConfig":
        return cls().replace(**values)

    @classmethod
    def from_toml(cls, text: str) -> "MarketConfig":
        """From TOML text with the fields at top level."""
        return cls.from_dict(tomllib.loads(text))


def load_scenario(name: str) -> MarketConfig:
    """A named scenario of ``data/scenarios.toml``; its ``base`` (another scenario) gives the fields it omits.

    >>> cfg = load_scenario("paper_agt_01")          # the published mechanics, 7 days, 5 clients, 10 contractors
    >>> (cfg.load, cfg.skill_mode, cfg.days, cfg.clients, cfg.contractors)
    ('published', 'published', 7, 5, 10)
    """
    scenarios = data.load_scenarios()
    fields: dict[str, Any] = {}
    seen = []
    while name is not None:
        if name not in scenarios:
            raise ValueError(f"unknown scenario {name!r}; known: {sorted(scenarios)}")
        if name in seen:
            raise ValueError(f"scenario bases form a cycle: {' -> '.join(seen + [name])}")
        seen.append(name)
        own = dict(scenarios[name])
        name = own.pop("base", None)
        fields = {**own, **fields}
    return MarketConfig.from_dict(fields)
