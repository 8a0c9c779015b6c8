"""Providers, tasks and the payoff function built from the four criteria.

COALESCE (Bhatt et al. 2025, arXiv:2506.01900) judges an outsourcing option on
four criteria: cost, reliability, latency and security. This module holds the
participants as struct-of-arrays containers for vectorised work and the one
place where a client's and a provider's expected utilities are computed from
those criteria; every game of the toolkit calls :func:`client_payoff`,
:func:`provider_payoff` and :func:`local_payoff`, which are plain arithmetic
and so accept floats, numpy arrays (broadcasting) and sympy symbols alike.

>>> client_payoff(100.0, 10.0, 0.9, 0.95, security_loss=200.0)
70.0
>>> import sympy
>>> V, p, r = sympy.symbols("V p r", positive=True)
>>> client_payoff(V, p, r, 1)
V*r - p
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from . import data
from ._validate import (
    as_array,
    check_int,
    check_nonnegative,
    check_probability,
    make_rng,
)

__all__ = [
    "CRITERIA",
    "BENEFIT",
    "BEHAVIOURS",
    "TASK_TYPES",
    "Provider",
    "Task",
    "Providers",
    "Tasks",
    "ontology_index",
    "encode_skills",
    "security_from_reliability",
    "client_payoff",
    "provider_payoff",
    "local_payoff",
    "required_by_type",
    "draw_task_arrays",
    "task_fields",
]

#: TOPSIS criteria, in column order
CRITERIA = ("cost", "reliability", "latency", "security")
#: True where larger is better
BENEFIT = np.array([False, True, False, True])
#: provider behaviour codes (int8)
BEHAVIOURS = ("honest", "spoofer", "leecher", "fabricator")
TASK_TYPES = data.TASK_TYPES


@functools.cache
def _ontology() -> tuple[str, ...]:
    return tuple(data.load_skills()["tag"])


def ontology_index() -> dict[str, int]:
    """Skill tag -> column of the boolean skill matrices."""
    return {tag: k for k, tag in enumerate(_ontology())}


def encode_skills(tags: Iterable[str]) -> np.ndarray:
    """A boolean vector over the ontology; unknown skills are an error.

    >>> v = encode_skills(["RAG", "FinBERT"])
    >>> int(v.sum()), v.shape == (len(ontology_index()),)
    (2, True)
    >>> encode_skills(["Astrology"])
    Traceback (most recent call last):
    ...
    ValueError: unknown skill(s) ['Astrology']; the ontology is data/skills.csv
    """
    if isinstance(tags, str):
        raise TypeError(f"tags must be a collection of skill names, not the string {tags!r}")
    index = ontology_index()
    tags = list(tags)
    unknown = [t for t in tags if t not in index]
    if unknown:
        raise ValueError(f"unknown skill(s) {unknown}; the ontology is data/skills.csv")
    vector = np.zeros(len(index), dtype=bool)
    vector[[index[t] for t in tags]] = True
    return vector


@functools.cache
def required_by_type() -> np.ndarray:
    """(4, K) required-skill matrix of the task types (read-only)."""
    out = np.array([encode_skills(s.split(";")) for s in data.load_task_types().required_skills])
    out.flags.writeable = False
    return out


def security_from_reliability(reliability: Any) -> Any:
    """Security score ``1 - P_sec`` with ``P_sec = 0.02 + 0.1 (1 - rel)`` (Eq. 9).

    >>> round(security_from_reliability(0.9), 6)
    0.97
    """
    return 1 - (0.02 + 0.1 * (1 - reliability))


# --------------------------------------------------------------------------- payoffs

def client_payoff(value: Any, price: Any, reliability: Any, security: Any, *,
                  lateness_cost: Any = 0, security_loss: Any = 0,
                  failure_cost: Any = 0, verification_cost: Any = 0) -> Any:
    """A client's expected utility of outsourcing one task.

    ``reliability * value - price - lateness_cost - (1 - security) * security_loss
    - (1 - reliability) * failure_cost - verification_cost``: the task's value is
    earned when it succeeds, the price is paid, a security incident (probability
    ``1 - security``) costs ``security_loss``, and a failure costs
    ``failure_cost`` on top of the lost value (for example redoing it locally).
    This is the expected-loss form of the paper's Eq. 9 risk term, with value
    and losses kept apart so that games can vary them separately.

    >>> client_payoff(200.0, 20.0, 0.5, 1.0, failure_cost=40.0)
    60.0
    """
    return (reliability * value - price - lateness_cost
            - (1 - security) * security_loss
            - (1 - reliability) * failure_cost - verification_cost)


def provider_payoff(price: Any, own_cost: Any, *, paid_probability: Any = 1) -> Any:
    """A provider's expected profit: ``paid_probability * price - own_cost``.

    >>> provider_payoff(10.0, 4.0, paid_probability=0.5)
    1.0
    """
    return paid_probability * price - own_cost


def local_payoff(value: Any, internal_cost: Any, reliability_local: Any = 1,
                 lateness_cost: Any = 0) -> Any:
    """A client's utility of running a task itself (security 1, Sec. 1 of MODEL.md).

    >>> local_payoff(100.0, 30.0, 0.99)
    69.0
    """
    return reliability_local * value - internal_cost - lateness_cost


# --------------------------------------------------------------------------- users' objects

@dataclass(frozen=True)
class Provider:
    """One contractor: price USD/task, latency min, reliability, security, skills."""

    name: str
    price: float
    latency: float
    reliability: float
    security: float | None = None
    declared_skills: frozenset[str] = frozenset()
    true_skills: frozenset[str] | None = None
    behaviour: str = "honest"
    competence: float | None = None
    type_id: str = ""

    def __post_init__(self) -> None:
        check_nonnegative(f"{self.name}.price", self.price)
        check_nonnegative(f"{self.name}.latency", self.latency)
        check_probability(f"{self.name}.reliability", self.reliability)
        if self.security is not None:
            check_probability(f"{self.name}.security", self.security)
        if self.competence is not None:
            check_probability(f"{self.name}.competence", self.competence)
        if self.behaviour not in BEHAVIOURS:
            raise ValueError(f"{self.name}.behaviour must be one of {list(BEHAVIOURS)}; got {self.behaviour!r}")
        encode_skills(self.declared_skills)
        if self.true_skills is not None:
            encode_skills(self.true_skills)


@dataclass(frozen=True)
class Task:
    """One task: type, value USD, complexity, data GB, skills, max latency min."""

    task_type: str
    value: float
    complexity: float = 1.0
    data_gb: float = 8.2
    required_skills: frozenset[str] | None = None
    max_latency: float | None = None
    sensitivity: float = 0.5
    high_criticality: bool = False
    budget: float | None = None

    def __post_init__(self) -> None:
        if self.task_type not in TASK_TYPES:
            raise ValueError(f"task_type must be one of {list(TASK_TYPES)}; got {self.task_type!r}")
        check_nonnegative("value", self.value)
        check_nonnegative("complexity", self.complexity)
        check_nonnegative("data_gb", self.data_gb)
        check_probability("sensitivity", self.sensitivity)
        if self.required_skills is not None:
            encode_skills(self.required_skills)


# --------------------------------------------------------------------------- containers

def _field_len(values: dict[str, np.ndarray]) -> int:
    sizes = {name: len(v) for name, v in values.items()}
    if len(set(sizes.values())) > 1:
        raise ValueError(f"all fields must have the same length; got {sizes}")
    return next(iter(sizes.values()))


@dataclass(frozen=True)
class Providers:
    """n providers as arrays (struct of arrays) for vectorised work.

    ``declared`` and ``true_skills`` are (n, K) boolean matrices over the
    ontology; ``competence`` is the success probability on a task whose skills
    the provider truly lacks; ``behaviour`` holds codes into :data:`BEHAVIOURS`.
    """

    name: np.ndarray
    type_id: np.ndarray
    base_price: np.ndarray
    latency: np.ndarray
    reliability: np.ndarray
    security: np.ndarray
    declared: np.ndarray
    true_skills: np.ndarray
    behaviour: np.ndarray
    competence: np.ndarray

    def __post_init__(self) -> None:
        n = _field_len({"name": self.name, "type_id": self.type_id, "base_price": self.base_price,
                        "latency": self.latency, "reliability": self.reliability,
                        "security": self.security, "declared": self.declared,
                        "true_skills": self.true_skills, "behaviour": self.behaviour,
                        "competence": self.competence})
        if n == 0:
            raise ValueError("providers must not be empty; got 0 providers")
        check_nonnegative("base_price", self.base_price, ndim=1)
        check_nonnegative("latency", self.latency, ndim=1)
        check_probability("reliability", self.reliability, ndim=1)
        check_probability("security", self.security, ndim=1)
        check_probability("competence", self.competence, ndim=1)
        k = len(_ontology())
        for label, matrix in (("declared", self.declared), ("true_skills", self.true_skills)):
            if matrix.dtype != bool or matrix.shape != (n, k):
                raise ValueError(f"{label} must be a boolean ({n}, {k}) matrix; got {matrix.dtype} {matrix.shape}")
        codes = np.asarray(self.behaviour)
        if codes.min() < 0 or codes.max() >= len(BEHAVIOURS):
            raise ValueError(f"behaviour codes must be in 0..{len(BEHAVIOURS) - 1}; got {codes.tolist()}")

    def __len__(self) -> int:
        return len(self.name)

    @classmethod
    def from_list(cls, providers: Sequence[Provider]) -> "Providers":
        """Arrays from :class:`Provider` objects; missing security and true skills
        are filled by the paper's rule and the declared skills, respectively."""
        if len(providers) == 0:
            raise ValueError("providers must not be empty; got 0 providers")
        def col(f):  # noqa: E306 - tiny local helper
            return np.array([f(p) for p in providers])
        reliability = col(lambda p: p.reliability).astype(float)
        security = np.array([security_from_reliability(p.reliability) if p.security is None else p.security
                             for p in providers], dtype=float)
        return cls(
            name=col(lambda p: p.name).astype(str),
            type_id=col(lambda p: p.type_id).astype(str),
            base_price=col(lambda p: p.price).astype(float),
            latency=col(lambda p: p.latency).astype(float),
            reliability=reliability,
            security=security,
            declared=np.array([encode_skills(p.declared_skills) for p in providers]),
            true_skills=np.array([encode_skills(p.declared_skills if p.true_skills is None else p.true_skills)
                                  for p in providers]),
            behaviour=np.array([BEHAVIOURS.index(p.behaviour) for p in providers], dtype=np.int8),
            competence=np.array([p.reliability if p.competence is None else p.competence
                                 for p in providers], dtype=float),
        )

    @classmethod
    def sample_table1(cls, n: int, seed: Any, *, jitter: bool = True) -> "Providers":
        """n honest providers drawn from Table 1 by market share.

        Jitter (PAPER_FACTS 4): latency +-15 %, price +-10 % (uniform), and
        reliability uniform within the type's published range; without jitter,
        every provider is its type's nominal row.

        >>> p = Providers.sample_table1(200, seed=1)
        >>> len(p), bool((p.reliability > 0.69).all())
        (200, True)
        """
        n = check_int("n", n, minimum=1)
        rng = make_rng(seed)
        return cls.from_table1_uniforms(rng.random((4 if jitter else 1, n)), jitter=jitter)

    @classmethod
    def from_table1_uniforms(cls, u: np.ndarray, number: np.ndarray | None = None, *,
                             jitter: bool = True) -> "Providers":
        """The Table-1 providers that :meth:`sample_table1` makes of the uniforms ``u``, (4, n).

        Row 0 picks each provider's type by market share (searched in the
        share CDF, as ``Generator.choice(p=share)`` does), rows 1-3 are the
        price, latency and reliability jitters (``low + (high - low) u``, as
        ``Generator.uniform`` computes them); without jitter only row 0 is
        read. The rows are the uniforms one generator gives one after another,
        so a market can draw each run's block from the run's own generator and
        turn all runs' blocks into providers in one call. A provider is named
        by its type and ``number`` (default: its position).

        A uniform of 0.5 falls in type D's share (cumulative shares 0.152, 0.380,
        0.695, ...), and mid-range jitters give D's nominal price and the middle
        of its reliability range [0.70, 0.80]:

        >>> p = Providers.from_table1_uniforms(np.full((4, 2), 0.5), number=np.array([7, 8]))
        >>> p.name.tolist(), p.base_price.round(12).tolist(), p.reliability.round(12).tolist()
        (['D7', 'D8'], [6.2, 6.2], [0.75, 0.75])
        """
        table = data.contractor_arrays()
        params = data.parameters_view()["jitter"]
        n = u.shape[1]
        kind = _cdf(table["market_share"]).searchsorted(u[0], side="right")
        price = table["base_price"][kind]
        latency = table["latency_min"][kind]
        reliability = table["reliability"][kind]
        if jitter:
            low_price, low_latency = 1 - params["price"], 1 - params["latency"]
            price = price * (low_price + ((1 + params["price"]) - low_price) * u[1])
            latency = latency * (low_latency + ((1 + params["latency"]) - low_latency) * u[2])
            low = table["reliability_low"][kind]
            reliability = low + (table["reliability_high"][kind] - low) * u[3]
        skills = _type_skills()[kind]
        return cls._valid_by_construction(
            name=_names(kind, np.arange(n) if number is None else number),
            type_id=table["id"][kind],
            base_price=price,
            latency=latency,
            reliability=reliability,
            security=security_from_reliability(reliability),
            declared=skills.copy(),
            true_skills=skills.copy(),
            behaviour=np.zeros(n, dtype=np.int8),
            competence=reliability.copy(),
        )

    @classmethod
    def _valid_by_construction(cls, **fields: np.ndarray) -> "Providers":
        """Providers from fields that are valid by how they were made (Table 1 draws), not checked again."""
        out = object.__new__(cls)
        for f in cls.__dataclass_fields__:
            object.__setattr__(out, f, fields[f])
        return out

    def subset(self, index: Any) -> "Providers":
        """The providers at ``index`` (any numpy index)."""
        return Providers(**{f: getattr(self, f)[index] for f in self.__dataclass_fields__})

    def concat(self, other: "Providers") -> "Providers":
        """These providers followed by ``other``."""
        return Providers(**{f: np.concatenate([getattr(self, f), getattr(other, f)])
                            for f in self.__dataclass_fields__})


def draw_task_arrays(m: int, rng: np.random.Generator) -> dict[str, np.ndarray]:
    """The fields of m sampled tasks (see :meth:`Tasks.sample`) but ``required``, unvalidated.

    One block of uniforms from ``rng`` made into tasks by :func:`task_fields`.
    """
    return task_fields(rng.random((TASK_UNIFORMS, m)))


#: uniforms a sampled task takes: type, value, complexity, data, sensitivity, budget, criticality
TASK_UNIFORMS = 7


def task_fields(u: np.ndarray) -> dict[str, np.ndarray]:
    """The tasks of the uniforms ``u``, (7, m): the fields of :meth:`Tasks.sample` but ``required``.

    The rows are consumed exactly as ``Generator.choice(p=...)`` and
    ``.uniform`` would consume one generator's uniforms one call after another
    (type, value, complexity, data, sensitivity, budget, criticality), so a
    market can draw each run's block from the run's own generator and make
    all runs' tasks in one call. ``required`` is the task type's row of
    :func:`required_by_type` (:meth:`Tasks.from_draws` adds it).

    >>> f = task_fields(np.full((7, 1), 0.5))
    >>> float(f["value"][0]), float(f["complexity"][0]), bool(f["high_criticality"][0])
    (275.0, 1.25, False)
    """
    types = data.task_arrays()
    p = data.parameters_view()["tasks"]
    kind = _type_cdf().searchsorted(u[0], side="right")
    value = p["value_low"] + (p["value_high"] - p["value_low"]) * u[1]
    return dict(
        task_type=kind.astype(np.int64),
        value=value,
        complexity=p["complexity_low"] + (p["complexity_high"] - p["complexity_low"]) * u[2],
        data_gb=p["data_gb_low"] + (p["data_gb_high"] - p["data_gb_low"]) * u[3],
        max_latency=types["max_latency_min"][kind],
        sensitivity=u[4],
        budget=value * (p["budget_share_low"] + (p["budget_share_high"] - p["budget_share_low"]) * u[5]),
        high_criticality=u[6] < 0.3,
    )


def _names(kind: np.ndarray, number: np.ndarray) -> np.ndarray:
    """Providers' names: their Table-1 type and a number (``"D7"``), looked up for numbers below 1,024."""
    if len(number) and number.max() < _NAMED:
        return _name_table()[kind, number]
    return np.char.add(data.contractor_arrays()["id"][kind], number.astype(str))


_NAMED = 1024


@functools.cache
def _name_table() -> np.ndarray:
    """Every type's names numbered 0 to 1,023, (types, 1024) (read-only): formatting thousands of
    names cost more than a market's draws."""
    table = np.char.add(data.contractor_arrays()["id"][:, None], np.arange(_NAMED).astype(str)[None, :])
    table.flags.writeable = False
    return table


@functools.cache
def _type_skills() -> np.ndarray:
    """Table 1's skill sets, one boolean row per contractor type (read-only)."""
    skills = np.array([encode_skills(s.split(";")) for s in data.contractor_arrays()["skills"]])
    skills.flags.writeable = False
    return skills


def _type_cdf() -> np.ndarray:
    """The task mix's cumulative shares, normalised as ``Generator.choice`` does."""
    return _cdf(data.task_arrays()["mix_share"])


def _cdf(shares: np.ndarray) -> np.ndarray:
    """Cumulative shares normalised as ``Generator.choice(p=shares)`` does: searching uniforms in it
    (``side="right"``) draws what ``choice`` draws from the same stream."""
    cdf = np.asarray(shares, float).cumsum()
    cdf /= cdf[-1]
    return cdf


@dataclass(frozen=True)
class Tasks:
    """m tasks as arrays (struct of arrays); ``required`` is (m, K) boolean."""

    task_type: np.ndarray
    value: np.ndarray
    complexity: np.ndarray
    data_gb: np.ndarray
    max_latency: np.ndarray
    sensitivity: np.ndarray
    budget: np.ndarray
    high_criticality: np.ndarray
    required: np.ndarray = field(repr=False)

    def __post_init__(self) -> None:
        m = _field_len({f: getattr(self, f) for f in self.__dataclass_fields__})
        types = as_array("task_type", self.task_type, ndim=1, dtype=np.int64)
        if m and (types.min() < 0 or types.max() >= len(TASK_TYPES)):
            raise ValueError(f"task_type codes must be in 0..{len(TASK_TYPES) - 1}; got {types.tolist()[:10]}")
        for name in ("value", "complexity", "data_gb", "max_latency", "budget"):
            check_nonnegative(name, getattr(self, name), ndim=1)
        check_probability("sensitivity", self.sensitivity, ndim=1)
        if self.required.dtype != bool or self.required.shape != (m, len(_ontology())):
            raise ValueError(f"required must be a boolean ({m}, {len(_ontology())}) matrix; got "
                             f"{self.required.dtype} {self.required.shape}")

    def __len__(self) -> int:
        return len(self.value)

    @classmethod
    def sample(cls, m: int, seed: Any) -> "Tasks":
        """m tasks with the published distributions (PAPER_FACTS 5).

        Type by the task mix; complexity U(0.5, 2), value U(50, 500) USD, data
        U(1, 20) GB, budget = value x U(0.3, 0.8); sensitivity U(0, 1) and high
        criticality with probability 0.3 are ours (the paper gives no
        distribution); required skills and max latency from the task type.
        """
        return cls.from_draws(draw_task_arrays(check_int("m", m, minimum=0), make_rng(seed)))

    @classmethod
    def from_draws(cls, fields: dict[str, np.ndarray]) -> "Tasks":
        """Tasks from the fields of :func:`draw_task_arrays`, each requiring its type's skills (validated)."""
        return cls(**fields, required=required_by_type()[fields["task_type"]])

    @classmethod
    def from_list(cls, tasks: Sequence[Task]) -> "Tasks":
        """Arrays from :class:`Task` objects (skills and max latency default to the type's)."""
        types = data.load_task_types()
        kind = np.array([TASK_TYPES.index(t.task_type) for t in tasks], dtype=np.int64)
        default_req = [types.required_skills[k].split(";") for k in kind]
        return cls(
            task_type=kind,
            value=np.array([t.value for t in tasks], float),
            complexity=np.array([t.complexity for t in tasks], float),
            data_gb=np.array([t.data_gb for t in tasks], float),
            max_latency=np.array([types.max_latency_min[k] if t.max_latency is None else t.max_latency
                                  for t, k in zip(tasks, kind)], float),
            sensitivity=np.array([t.sensitivity for t in tasks], float),
            budget=np.array([t.value if t.budget is None else t.budget for t in tasks], float),
            high_criticality=np.array([t.high_criticality for t in tasks], bool),
            required=np.array([encode_skills(d if t.required_skills is None else t.required_skills)
                               for t, d in zip(tasks, default_req)]).reshape(len(tasks), -1),
        )

    def subset(self, index: Any) -> "Tasks":
        """The tasks at ``index``, not validated again: a subset of valid tasks is valid."""
        out = object.__new__(Tasks)
        for f in self.__dataclass_fields__:
            object.__setattr__(out, f, getattr(self, f)[index])
        return out
