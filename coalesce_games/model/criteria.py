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
from collections.abc import Iterable
from typing import Any

import numpy as np

from coalesce_games import data

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
    """A client's utility of running a task itself (security 1, papers/model.md section 2).

    >>> local_payoff(100.0, 30.0, 0.99)
    69.0
    """
    return reliability_local * value - internal_cost - lateness_cost
