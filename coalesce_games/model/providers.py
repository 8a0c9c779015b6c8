"""Providers: one contractor (:class:`Provider`) and many as validated arrays (:class:`Providers`).

A provider offers a price, a reliability, a latency and a security level, and
declares skill tags (``papers/model.md``, section 2). :class:`Providers` holds
many as a struct of arrays, the form every vectorised cost, skill and TOPSIS
computation takes; :meth:`Providers.sample_table1` draws a market from the
published Table 1 of contractor types.

>>> from coalesce_games.validation import make_rng
>>> market = Providers.sample_table1(12, make_rng(0))
>>> len(market), bool((market.reliability <= 1).all())
(12, True)
"""

from __future__ import annotations

import functools
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import special

from coalesce_games import data
from coalesce_games.model.criteria import BEHAVIOURS, _ontology, encode_skills, security_from_reliability
from coalesce_games.validation import check_int, check_nonnegative, check_probability, make_rng

__all__ = ['Provider', 'Providers']


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
        for label in ("name", "type_id"):
            if not isinstance(getattr(self, label), str):
                raise TypeError(f"{label} must be a string; got {getattr(self, label)!r}")
        check_nonnegative(f"{self.name}.price", self.price, ndim=0)
        check_nonnegative(f"{self.name}.latency", self.latency, ndim=0)
        check_probability(f"{self.name}.reliability", self.reliability, ndim=0)
        if self.security is not None:
            check_probability(f"{self.name}.security", self.security, ndim=0)
        if self.competence is not None:
            check_probability(f"{self.name}.competence", self.competence, ndim=0)
        if not isinstance(self.behaviour, str) or self.behaviour not in BEHAVIOURS:
            raise ValueError(f"{self.name}.behaviour must be one of {list(BEHAVIOURS)}; got {self.behaviour!r}")
        for label in ("declared_skills", "true_skills"):
            skills = getattr(self, label)
            if skills is None and label == "true_skills":    # the declared ones (Providers.from_list)
                continue
            if not isinstance(skills, (set, frozenset, list, tuple)):
                raise TypeError(f"{self.name}.{label} must be a set of skill names; got {skills!r}")
            encode_skills(skills)


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
    def sample_table1(cls, n: int, seed: Any, *, jitter: bool = True, reliability: str = "range",
                      shape: str = "uniform") -> "Providers":
        """n honest providers drawn from Table 1 by market share.

        Jitter (papers/model.md section 2): latency +-15 %, price +-10 % (uniform), and
        reliability uniform within the type's published range; without jitter,
        every provider is its type's nominal row. ``reliability="nominal"`` and
        ``shape="normal"`` are the published code's draws (:meth:`from_table1_uniforms`).

        >>> p = Providers.sample_table1(200, seed=1)
        >>> len(p), bool((p.reliability > 0.69).all())
        (200, True)
        """
        n = check_int("n", n, minimum=1)
        rng = make_rng(seed)
        return cls.from_table1_uniforms(rng.random((4 if jitter else 1, n)), jitter=jitter, reliability=reliability,
                                        shape=shape)

    @classmethod
    def from_table1_uniforms(cls, u: np.ndarray, number: np.ndarray | None = None, *, jitter: bool = True,
                             reliability: str = "range", shape: str = "uniform") -> "Providers":
        """The Table-1 providers that :meth:`sample_table1` makes of the uniforms ``u``, (4, n).

        Row 0 picks each provider's type by market share (searched in the
        share CDF, as ``Generator.choice(p=share)`` does), rows 1-3 are the
        price, latency and reliability jitters (``low + (high - low) u``, as
        ``Generator.uniform`` computes them); without jitter only row 0 is
        read. The rows are the uniforms one generator gives one after another,
        so a market can draw each run's block from the run's own generator and
        turn all runs' blocks into providers in one call. A provider is named
        by its type and ``number`` (default: its position).

        The published code's draws (``papers/model.md`` section 7.5):
        ``reliability="nominal"`` keeps every provider at its type's Table-1
        reliability (row 3 unread), ``shape="normal"`` makes rows 1-2 normal
        factors ``1 + sd z`` with ``z = Phi^-1(u)`` and sd 0.10 (price), 0.15
        (latency). A uniform of exactly 0 (no normal quantile) or a latency
        below 0 (6.7 sd: about 1e-11 a provider) raises a ValueError.

        A uniform of 0.5 falls in type D's share (cumulative shares 0.152, 0.380,
        0.695, ...), and mid-range jitters give D's nominal price and the middle
        of its reliability range [0.70, 0.80]:

        >>> p = Providers.from_table1_uniforms(np.full((4, 2), 0.5), number=np.array([7, 8]))
        >>> p.name.tolist(), p.base_price.round(12).tolist(), p.reliability.round(12).tolist()
        (['D7', 'D8'], [6.2, 6.2], [0.75, 0.75])
        """
        if reliability not in ("range", "nominal") or shape not in ("uniform", "normal"):
            raise ValueError(f"reliability must be 'range' or 'nominal' and shape 'uniform' or 'normal'; got "
                             f"{reliability!r}, {shape!r}")
        nominal = reliability == "nominal"
        table = data.contractor_arrays()
        params = data.parameters_view()["jitter"]
        n = u.shape[1]
        kind = _cdf(table["market_share"]).searchsorted(u[0], side="right")
        price = table["base_price"][kind]
        latency = table["latency_min"][kind]
        reliability = table["reliability"][kind]
        if jitter and shape == "normal":
            price, latency = _normal_jitter(price, latency, u[1], u[2], params)
        elif jitter:
            low_price, low_latency = 1 - params["price"], 1 - params["latency"]
            price = price * (low_price + ((1 + params["price"]) - low_price) * u[1])
            latency = latency * (low_latency + ((1 + params["latency"]) - low_latency) * u[2])
        if jitter and not nominal:
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


def _normal_jitter(price: np.ndarray, latency: np.ndarray, u_price: np.ndarray, u_latency: np.ndarray,
                   params: dict) -> tuple[np.ndarray, np.ndarray]:
    """Price and latency times ``1 + sd Phi^-1(u)`` (the published code's normal jitter, sd 0.10 and 0.15).

    >>> p, l = _normal_jitter(np.array([10.0]), np.array([100.0]), np.array([0.8413447460685429]),
    ...                       np.array([0.5]), {"price": 0.1, "latency": 0.15})
    >>> round(float(p[0]), 9), float(l[0])      # one sd above: 10 x 1.1; the median: 100
    (11.0, 100.0)
    """
    z_price, z_latency = special.ndtri(u_price), special.ndtri(u_latency)
    if not (np.isfinite(z_price).all() and np.isfinite(z_latency).all()):
        raise ValueError("a jitter uniform of exactly 0 has no normal quantile; draw the providers again")
    price = price * (1 + params["price"] * z_price)
    latency = latency * (1 + params["latency"] * z_latency)
    if (price < 0).any() or (latency < 0).any():
        raise ValueError(f"a normal jitter below -1/sd turned a price or latency negative: {price.min()!r}, "
                         f"{latency.min()!r}")
    return price, latency


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
