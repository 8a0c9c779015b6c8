"""Rogue providers and the security budget (papers/model.md section 5).

The COALESCE summary names three outsourcing threats; the published code models
none. Here each is a provider behaviour with a concrete harm and a concrete
detection channel:

- **skill spoofer** declares the skills a task type requires but lacks them:
  it passes a declared-tag skill gate, succeeds only with its true competence,
  and prices low to win TOPSIS. Harm: a failed task, redone locally. A
  verified failure is recognised as spoofing with probability ``d_fab``;
  spoofers re-enter under a new identity after being blacklisted.
- **prompt leecher** executes normally but exfiltrates the client's prompt or
  data with probability ``q_leak``. Harm: ``sensitivity x leak_loss``. Seen
  only by audits (canary prompts), with probability ``d_leak`` per audit.
- **result fabricator** returns fabricated output at near-zero own cost.
  Harm when undetected: the task's value times an impact factor (1.5 for high
  criticality, paper Eq. 9). Caught by verification with probability ``d_fab``.

The **security budget** is the share ``v`` of outsourced tasks the client
verifies (each costs 2.50 / 3.80 USD, paper Eq. 8). A detection withholds the
payment and blacklists the provider.

>>> t = ThreatModel(verification_share=1.0, d_fab=1.0)
>>> import numpy as np
>>> o = sample_outcomes(np.array([3]), np.array([0.9]), np.array([0.9]), np.array([True]),
...                     np.array([0.5]), t, np.random.default_rng(0))
>>> bool(o["fabricated"][0]), bool(o["detected"][0]), bool(o["success"][0])
(True, True, False)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numba
import numpy as np

from coalesce_games.model.criteria import BEHAVIOURS, encode_skills
from coalesce_games.model.providers import Providers
from coalesce_games.validation import check_nonnegative, check_probability, check_weights

__all__ = ['FABRICATOR', 'HONEST', 'LEECHER', 'SPOOFER', 'ThreatModel', 'make_rogues', 'outcome_one', 'sample_outcomes']

HONEST, SPOOFER, LEECHER, FABRICATOR = range(len(BEHAVIOURS))


@dataclass(frozen=True)
class ThreatModel:
    """Parameters of the rogue behaviours and of the client's verification."""

    spoofer_competence: float = 0.2
    q_leak: float = 0.5
    leak_loss: float = 200.0
    d_leak: float = 0.5
    d_fab: float = 0.9
    fabrication_impact: float = 1.0
    high_criticality_impact: float = 1.5
    verification_share: float = 0.0

    def __post_init__(self) -> None:
        for key in ("spoofer_competence", "q_leak", "d_leak", "d_fab", "verification_share"):
            check_probability(key, getattr(self, key))
        for key in ("leak_loss", "fabrication_impact", "high_criticality_impact"):
            check_nonnegative(key, getattr(self, key))


def make_rogues(n: int, mix: Any, template: Providers, rng: np.random.Generator,
                price_factor: float = 0.5, target_skills: tuple[str, ...] = ("FinBERT", "Financial Analysis", "RAG"),
                competence: float = 0.2) -> Providers:
    """``n`` rogue providers with behaviours drawn from ``mix`` (spoofer, leecher, fabricator).

    Each copies a random honest template provider (price, latency, published
    reliability) and prices at ``price_factor`` of it. Spoofers declare
    ``target_skills`` (the most frequent task type's) and truly have none of
    them; leechers and fabricators declare their template's true skills.
    """
    shares = check_weights("rogue_mix", mix, size=3)
    check_probability("price_factor", min(price_factor, 1.0))
    if n == 0:
        raise ValueError("make_rogues needs n >= 1")
    src = rng.integers(0, len(template), n)
    base = template.subset(src)
    kind = rng.choice(3, size=n, p=shares) + 1
    spoof = kind == SPOOFER
    declared = base.declared.copy()
    declared[spoof] = encode_skills(target_skills)
    true_skills = base.true_skills.copy()
    true_skills[spoof] = False
    return Providers(
        name=np.array([f"rogue{i}" for i in range(n)]),
        type_id=np.array([BEHAVIOURS[k] for k in kind]),
        base_price=base.base_price * price_factor,
        latency=base.latency,
        reliability=base.reliability,
        security=base.security,
        declared=declared,
        true_skills=true_skills,
        behaviour=kind.astype(np.int8),
        competence=np.where(spoof, competence, base.reliability),
    )


def sample_outcomes(behaviour: np.ndarray, success_prob: np.ndarray, security: np.ndarray,
                    verified: np.ndarray, sensitivity: np.ndarray, threats: ThreatModel,
                    rng: np.random.Generator | None = None, *, draws: np.ndarray | None = None) -> dict[str, np.ndarray]:
    """Outcomes of k outsourced tasks, all arrays of shape (k,).

    ``success_prob`` is the probability that the work, if done, succeeds (the
    provider's reliability, or its competence when it lacks the skill);
    ``security`` the probability of no incident at an honest provider.
    Returns ``success`` (the client got a correct result), ``fabricated``,
    ``leaked``, ``incident`` (honest provider's security incident),
    ``detected`` (verification caught a fabrication or an audit caught a leak)
    and ``security_loss`` in USD (leaks and incidents). The randomness is
    five uniforms per task, drawn from ``rng`` or given as ``draws`` (5, k).
    """
    k = len(behaviour)
    if draws is None:
        if rng is None:
            raise ValueError("sample_outcomes needs rng or draws")
        draws = rng.random((5, k))
    elif np.shape(draws) != (5, k):
        raise ValueError(f"draws must have shape (5, {k}); got {np.shape(draws)}")
    draws = np.asarray(draws, float)
    flags, loss = _outcomes(np.asarray(behaviour, np.int64), np.asarray(success_prob, float),
                            np.asarray(security, float), np.asarray(verified, bool), np.asarray(sensitivity, float),
                            threats.q_leak, threats.d_fab, threats.d_leak, threats.leak_loss, draws)
    names = ("success", "fabricated", "leaked", "incident", "detected")
    return {**{name: flags[i] for i, name in enumerate(names)}, "security_loss": loss}


@numba.njit(cache=True, nogil=True)
def outcome_one(behaviour: int, success_prob: float, security: float, verified: bool, sensitivity: float,
                q_leak: float, d_fab: float, d_leak: float, leak_loss: float,
                u: np.ndarray) -> tuple[bool, bool, bool, bool, bool, float]:  # pragma: no cover (compiled)
    """One outsourced task's outcome from its five uniforms ``u``: the rules of :func:`sample_outcomes`.

    Returns ``(success, fabricated, leaked, incident, detected, security_loss)``.
    The work succeeds when ``u[0] < success_prob`` (a fabricator does none);
    a leecher leaks when ``u[1] < q_leak``; an honest provider or a spoofer
    has an incident when ``u[2] >= security``; verification catches a
    fabrication, or a spoofer's botched work, when ``u[3] < d_fab``, and an
    audit a leak when ``u[4] < d_leak``.

    >>> u = np.array([0.1, 0.9, 0.99, 0.5, 0.5])     # works; no leak; 0.99 >= 0.95: an incident
    >>> outcome_one(HONEST, 0.9, 0.95, False, 0.5, 0.5, 0.9, 0.5, 200.0, u)
    (True, False, False, True, False, 100.0)
    >>> outcome_one(FABRICATOR, 0.9, 0.95, True, 0.5, 0.5, 0.9, 0.5, 200.0, u)[:5]   # verified: caught
    (False, True, False, False, True)
    """
    fabricated = behaviour == FABRICATOR
    worked = u[0] < success_prob
    leaked = behaviour == LEECHER and u[1] < q_leak
    incident = behaviour != LEECHER and not fabricated and u[2] >= security
    caught_fab = (fabricated or (behaviour == SPOOFER and not worked)) and verified and u[3] < d_fab
    caught_leak = leaked and verified and u[4] < d_leak
    loss = sensitivity * leak_loss if leaked or incident else 0.0
    return worked and not fabricated, fabricated, leaked, incident, caught_fab or caught_leak, loss


@numba.njit(cache=True, nogil=True)
def _outcomes(behaviour: np.ndarray, success_prob: np.ndarray, security: np.ndarray, verified: np.ndarray,
              sensitivity: np.ndarray, q_leak: float, d_fab: float, d_leak: float, leak_loss: float,
              draws: np.ndarray) -> tuple[np.ndarray, np.ndarray]:  # pragma: no cover (compiled)
    k = len(behaviour)
    flags, loss = np.zeros((5, k), dtype=np.bool_), np.zeros(k)
    for i in range(k):
        out = outcome_one(behaviour[i], success_prob[i], security[i], verified[i], sensitivity[i],
                          q_leak, d_fab, d_leak, leak_loss, draws[:, i])
        flags[0, i], flags[1, i], flags[2, i], flags[3, i], flags[4, i], loss[i] = out
    return flags, loss
