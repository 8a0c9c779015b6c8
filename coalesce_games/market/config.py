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
from coalesce_games.validation import (
    check_choice,
    check_int,
    check_nonnegative,
    check_probability,
    check_real,
    check_seed,
    check_sequence,
    check_weights,
)

__all__ = ['MAX_WORK', 'MarketConfig', 'load_scenario']

#: the largest run accepted, in client-hours + expected tasks x contractors (the published scenarios need < 1e6)
MAX_WORK = 5e8
_INTS = ("days", "clients", "contractors", "rogue_entry_day", "reentry_hours", "seed")
_NONNEGATIVE = ("arrival_rate", "business_multiplier", "security_weight", "capacity_per_hour", "alpha_demand",
                "rogue_price_factor", "leak_loss", "latency_penalty_per_min")
_PROBABILITIES = ("epsilon", "tau", "beta", "exploration_confidence", "probe_noise", "mislabelled_share",
                  "rogue_share", "spoofer_competence", "q_leak", "d_leak", "d_fab", "verification_share")
_CHOICES = {"policy": ("coalesce", "paper"), "paper_history": ("closeness", "decision"),
            "paper_history_scope": ("scored", "every_task"), "accounting": ("consistent", "paper"),
            "load": ("per_client", "published"), "skill_mode": ("declared", "probe", "published"),
            "task_levels": ("drawn", "medium"), "reliability_draw": ("range", "nominal"),
            "jitter_shape": ("uniform", "normal"), "late_latency": ("scaled", "quoted"),
            "weight_noise": ("none", "published")}


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
    # the published code's cheap mechanics (papers/model.md section 7.5); the [paper] scenarios copy them
    task_levels: str = "drawn"         # "medium": every task medium sensitivity (0.5), none high-criticality
    reliability_draw: str = "range"    # "nominal": every provider at its type's Table-1 reliability
    jitter_shape: str = "uniform"      # "normal": price and latency x N(1, 0.10) and N(1, 0.15)
    late_latency: str = "scaled"       # "quoted": Eq. 6's lateness on the provider's latency, not x complexity
    weight_noise: str = "none"         # "published": the published rule's weights take a random step (Eq. 12)
    seed: int = 0

    def __post_init__(self) -> None:
        self._check_types()
        for key in ("days", "clients", "contractors"):
            check_int(key, getattr(self, key), minimum=1)
        for key in ("rogue_entry_day", "reentry_hours"):
            check_int(key, getattr(self, key), minimum=0)
        for key in _NONNEGATIVE:
            check_nonnegative(key, getattr(self, key))
        for key in _PROBABILITIES:
            check_probability(key, getattr(self, key))
        if self.capacity_per_hour <= 0:
            raise ValueError(f"capacity_per_hour must be > 0; got {self.capacity_per_hour!r}")
        for key, options in _CHOICES.items():
            check_choice(key, getattr(self, key), options)
        check_weights("rogue_mix", list(self.rogue_mix), size=3)
        if self.rogue_share > 0 and round(self.rogue_share * self.contractors) == 0:
            raise ValueError(f"rogue_share {self.rogue_share!r} of {self.contractors} contractors is no provider")
        if self.alpha_demand > self.contractors:
            # Eq. 7 at no demand: P_base (1 - alpha S / (S n)) = P_base (1 - alpha / n)
            raise ValueError(f"alpha_demand {self.alpha_demand!r} above contractors {self.contractors} turns an idle "
                             f"provider's Eq. 7 price negative")
        if self.rogue_share == 1.0:
            raise ValueError("rogue_share must leave at least one honest provider; got 1.0")
        if self.weight_noise == "published" and self.policy != "paper":
            raise ValueError(f"weight_noise 'published' is the published rule's (its weights); policy must be "
                             f"'paper' with it; got policy {self.policy!r}")
        self._check_size()

    def _check_types(self) -> None:
        """Each field's type, before its range: a bool or a string is not a number (no value is converted).

        Integers are stored as ``int`` (a numpy integer becomes its Python value),
        ``rogue_mix`` as a tuple; TOML and the command line parse their text
        into these types before a configuration is made.
        """
        for key in _INTS:
            object.__setattr__(self, key, check_seed(key, self.seed) if key == "seed" else check_int(key, getattr(self, key)))
        for key in _NONNEGATIVE + _PROBABILITIES:
            check_real(key, getattr(self, key))
        for key in _CHOICES:
            if not isinstance(getattr(self, key), str):
                raise TypeError(f"{key} must be a string, one of {list(_CHOICES[key])}; got {getattr(self, key)!r}")
        mix = check_sequence("rogue_mix", self.rogue_mix, what="three shares")
        for i, share in enumerate(mix):
            check_real(f"rogue_mix[{i}]", share)
        object.__setattr__(self, "rogue_mix", tuple(mix))

    def _check_size(self) -> None:
        """Refuse a market too large to simulate before any array is allocated.

        The work of a run grows with its client-hours (arrivals are drawn per
        client and hour) and with its tasks times its contractors (each task
        scores every provider). Expected tasks: ``arrival_rate x business_multiplier``
        (at most) per client-hour on the per-client load, ``arrival_rate x 2``
        (the published demand's cap) per hour on the published load.
        """
        hours = self.days * 24
        peak = max(1.0, float(self.business_multiplier))
        tasks = hours * float(self.arrival_rate) * (peak * self.clients if self.load == "per_client" else 2.0)
        work = hours * self.clients + tasks * self.contractors
        if work > MAX_WORK:
            raise ValueError(f"a run of {self.days} days, {self.clients} clients, {self.contractors} contractors at "
                             f"arrival_rate {self.arrival_rate!r} is about {work:.3g} units of work (client-hours + "
                             f"expected tasks x contractors); at most {MAX_WORK:.0e} are allowed: reduce days, clients, "
                             f"contractors or arrival_rate")

    def replace(self, **changes: Any) -> "MarketConfig":
        """A copy with some fields changed (validated again); unknown fields are an error."""
        known = [f.name for f in dataclasses.fields(self)]
        unknown = set(changes) - set(known)
        if unknown:
            raise ValueError(f"unknown MarketConfig field(s) {sorted(unknown)}; the fields are {known}")
        return dataclasses.replace(self, **changes)

    def to_dict(self) -> dict[str, Any]:
        return {f.name: getattr(self, f.name) for f in dataclasses.fields(self)}   # all values immutable

    @classmethod
    def from_dict(cls, values: dict[str, Any]) -> "MarketConfig":
        """From a mapping of field -> value (the fields it omits keep their defaults)."""
        if not isinstance(values, dict):
            raise TypeError(f"values must be a dict of MarketConfig fields; got {values!r}")
        if any(not isinstance(k, str) for k in values):
            raise TypeError(f"MarketConfig field names must be strings; got {sorted(map(repr, values))}")
        return cls().replace(**values)

    @classmethod
    def from_toml(cls, text: str) -> "MarketConfig":
        """From TOML text with the fields at top level (TOML's own types: ``days = "7"`` is a string, refused).

        >>> MarketConfig.from_toml("days = 2\\nepsilon = 0.2").epsilon
        0.2
        """
        if not isinstance(text, str):
            raise TypeError(f"text must be TOML text (a str); got {text!r}")
        try:
            values = tomllib.loads(text)
        except tomllib.TOMLDecodeError as exc:
            raise ValueError(f"text is not valid TOML: {exc}") from exc
        return cls.from_dict(values)


def load_scenario(name: str) -> MarketConfig:
    """A named scenario of ``data/scenarios.toml``; its ``base`` (another scenario) gives the fields it omits.

    >>> cfg = load_scenario("paper_agt_01")          # the published mechanics, 7 days, 5 clients, 10 contractors
    >>> (cfg.load, cfg.skill_mode, cfg.days, cfg.clients, cfg.contractors)
    ('published', 'published', 7, 5, 10)
    """
    scenarios = data.load_scenarios()
    if not isinstance(name, str):
        raise TypeError(f"name must be a scenario name (a str), one of {sorted(scenarios)}; got {name!r}")
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
