"""The four criteria and the payoff functions built from them.

COALESCE judges an outsourcing option on four criteria: cost, reliability,
latency and security (``papers/model.md``, section 2). This module names them,
says which are benefits (more is better), holds the skill ontology used to
encode declared tags, and is the one place where a client's and a provider's
expected utilities are computed from the criteria. Every game of the toolkit
calls :func:`client_payoff`, :func:`provider_payoff` and :func:`local_payoff`,
which are plain arithmetic and so accept floats, numpy arrays (broadcasting) and
sympy symbols alike.

>>> client_payoff(100.0, 10.0, 0.9, 0.95, security_loss=200.0)
70.0
>>> import sympy
>>> V, p, r = sympy.symbols("V p r", positive=True)
>>> client_payoff(V, p, r, 1)
V*r - p
"""

from __future__ import annotations

import functools
import math
import numbers
import sys
from collections.abc import Iterable
from typing import Any

import numpy as np

from coalesce_games import data
from coalesce_games.validation import as_array

__all__ = ['BEHAVIOURS', 'BENEFIT', 'CRITERIA', 'TASK_TYPES', 'client_payoff', 'encode_skills', 'local_payoff', 'ontology_index', 'provider_payoff', 'required_by_type', 'security_from_reliability']

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

def _term(name: str, value: Any) -> Any:
    """One payoff term: a real number, a real array or a real sympy expression, returned ready to compute with.

    The payoffs are plain arithmetic, so anything with ``*`` and ``-`` would
    pass through them; what is refused here is what has no real reading: a
    bool, a complex number, NaN or an infinity, a string, ``None``. Lists and
    tuples become float arrays (:func:`coalesce_games.validation.as_array`).
    A sympy expression passes unless sympy knows it is not a finite real
    (``I``, ``oo``, ``zoo``, ``nan``); sympy is never imported here (a sympy
    object means it already is).

    >>> _term("price", 2)
    2
    >>> _term("price", True)
    Traceback (most recent call last):
    ...
    TypeError: price must be a real number, a real numpy array or a sympy expression; got True
    """
    if isinstance(value, np.ndarray):
        if value.dtype.kind not in "iuf":
            raise TypeError(f"{name} must hold real numbers (int or float, not {value.dtype}); got {value!r}")
        if value.dtype.kind == "f" and not np.isfinite(value).all():
            raise ValueError(f"{name} must be finite; got {value!r}")
        return value
    if isinstance(value, numbers.Real) and not isinstance(value, (bool, np.bool_)):
        if not math.isfinite(value):
            raise ValueError(f"{name} must be finite; got {value!r}")
        return value
    if isinstance(value, (list, tuple)):
        return as_array(name, value)
    sp = sys.modules.get("sympy")
    if sp is not None and isinstance(value, sp.Expr):
        if value.is_extended_real is False or value.is_finite is False or value.has(sp.nan):
            raise ValueError(f"{name} must be a finite real expression; got {value!r}")
        return value
    raise TypeError(f"{name} must be a real number, a real numpy array or a sympy expression; got {value!r}")


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
    >>> client_payoff(200.0, 20.0, float("nan"), 1.0)
    Traceback (most recent call last):
    ...
    ValueError: reliability must be finite; got nan
    """
    value, price, reliability, security = (_term("value", value), _term("price", price),
                                           _term("reliability", reliability), _term("security", security))
    lateness_cost, security_loss = _term("lateness_cost", lateness_cost), _term("security_loss", security_loss)
    failure_cost, verification_cost = _term("failure_cost", failure_cost), _term("verification_cost", verification_cost)
    return (reliability * value - price - lateness_cost
            - (1 - security) * security_loss
            - (1 - reliability) * failure_cost - verification_cost)


def provider_payoff(price: Any, own_cost: Any, *, paid_probability: Any = 1) -> Any:
    """A provider's expected profit: ``paid_probability * price - own_cost``.

    >>> provider_payoff(10.0, 4.0, paid_probability=0.5)
    1.0
    """
    price, own_cost = _term("price", price), _term("own_cost", own_cost)
    paid_probability = _term("paid_probability", paid_probability)
    return paid_probability * price - own_cost


def local_payoff(value: Any, internal_cost: Any, reliability_local: Any = 1,
                 lateness_cost: Any = 0) -> Any:
    """A client's utility of running a task itself (security 1, papers/model.md section 2).

    >>> local_payoff(100.0, 30.0, 0.99)
    69.0
    """
    value, internal_cost = _term("value", value), _term("internal_cost", internal_cost)
    reliability_local, lateness_cost = _term("reliability_local", reliability_local), _term("lateness_cost", lateness_cost)
    return reliability_local * value - internal_cost - lateness_cost
