"""The compiled decision rules: the published rule with its Eq. 15 confidence, and ours
(``papers/model.md``, section 4.4).

**The published rule** (:func:`paper_rule`): outsource to the TOPSIS best when
its closeness exceeds 0.6 *and* the Eq. 15 confidence exceeds 0.8; with
probability epsilon pick a contractor at random, ignoring the skill gate.
Eq. 15's confidence is ``1 - 1.96 * 2 min(p, 1 - p) / sqrt(n)`` over the last
``n`` recorded decisions, ``p`` the share flagged high; below ten records it is
the prior 0.8.

**Our rule** (:func:`coalesce_rule`): local execution stays an alternative;
with probability epsilon explore a random *eligible* provider.

:func:`apply_rule` decides one task under either rule from TOPSIS's best and the
task's two uniforms; the market's compiled hours and the policies' ``decide``
both call it.

>>> eq15_confidence([True] * 20)          # p = 1: no doubt left
1.0
>>> round(eq15_confidence([True, False] * 10), 4)   # 1 - 1.96 * 2 * 0.5 / sqrt(20)
0.5617
"""

from __future__ import annotations

import functools
from typing import Any, NamedTuple

import numba
import numpy as np

__all__ = ['CoalesceRule', 'HIGH_CLOSENESS', 'PaperRule', 'apply_rule', 'coalesce_rule', 'eq15_confidence',
           'eq15_table',
           'paper_rule', 'ring_from_history', 'ring_to_history', 'uniform_pick']


def eq15_confidence(flags: Any, window: int = 50, min_decisions: int = 10, prior: float = 0.8) -> float:
    """Eq. 15: ``1 - 1.96 x 2 min(p, 1 - p) / sqrt(n)`` over the last n <= 50 flags.

    ``flags[k]`` is True when decision k had TOPSIS closeness > 0.7; ``p`` is
    their share. While fewer than ``min_decisions`` exist, the prior 0.8.
    """
    recent = np.asarray(list(flags)[-window:], dtype=bool)
    return float(_eq15(recent.sum(), recent.size, min_decisions, prior))


def _eq15(high: Any, seen: Any, min_decisions: int = 10, prior: float = 0.8) -> np.ndarray:
    """Eq. 15 from ``high`` flags among the last ``seen`` decisions (arrays broadcast)."""
    seen = np.asarray(seen)
    p = np.asarray(high) / np.maximum(seen, 1)
    doubt = 1.96 * 2 * np.minimum(p, 1 - p) / np.sqrt(np.maximum(seen, 1))
    return np.where(seen < min_decisions, prior, 1 - doubt)


@functools.cache
def eq15_table(window: int) -> np.ndarray:
    """Eq. 15's confidence for every count of high flags and of flags seen, ``[high, seen]`` (read-only)."""
    table = _eq15(*np.ogrid[:window + 1, :window + 1])
    table.flags.writeable = False
    return table


class PaperRule(NamedTuple):
    """The published rule's parameters, for compiled code (:meth:`PaperPolicy.rule`)."""

    epsilon: float
    closeness_gate: float
    confidence_gate: float
    exploration_topsis: float
    exploration_confidence: float
    record_decision: bool       # PaperPolicy.record == "decision"
    scope_scored: bool          # PaperPolicy.scope == "scored"
    minmax: bool
    window: int


class CoalesceRule(NamedTuple):
    """The coalesce rule's parameters, for compiled code (:meth:`CoalescePolicy.rule`)."""

    epsilon: float
    exploration_confidence: float
    minmax: bool


#: a decision's flag in the Eq. 15 history is high above this closeness
HIGH_CLOSENESS = 0.7


@numba.njit(cache=True, nogil=True)
def paper_rule(pick: int, top: float, tried: int, ring: np.ndarray, state: np.ndarray, table: np.ndarray,
               rule: PaperRule) -> tuple[int, float, float]:  # pragma: no cover (compiled)
    """One task under the published rule: ``(choice, closeness, confidence)``.

    ``pick`` and ``top`` are TOPSIS's best usable provider (-1 for none) and
    its closeness; ``tried`` is the provider an epsilon draw explores (-1 when
    the task does not explore). An explored task records closeness 0.5 and
    confidence 0.7; otherwise the task goes out when its closeness exceeds
    0.6 and the Eq. 15 confidence of the run's history exceeds 0.8. The
    history (``ring`` of ``rule.window`` flags, ``state`` = [next slot,
    flags held, high flags]; ``table[high, held]`` is Eq. 15) receives the
    task's flag when the rule's scope includes the task: with scope
    "scored" (the published code) only tasks that reached TOPSIS, neither
    explored nor without a candidate (confidence 1.0). The flag is the
    decision's (outsourced with closeness > 0.7) or, with ``record_decision``
    False, the closeness's alone.

    >>> from coalesce_games.model.policies import PaperPolicy
    >>> rule, ring, state = PaperPolicy().rule(), np.zeros(50, bool), np.zeros(3, np.int64)
    >>> paper_rule(2, 0.9, -1, ring, state, eq15_table(50), rule)  # fewer than 10 flags: 0.8, not above 0.8
    (-1, 0.9, 0.8)
    >>> state.tolist()                       # one flag held, low: the task stayed local
    [1, 1, 0]
    >>> paper_rule(-1, 0.0, 4, ring, state, eq15_table(50), rule)  # explored: 0.5 and 0.7, outside the history
    (4, 0.5, 0.7)
    >>> state.tolist()
    [1, 1, 0]
    """
    explore = tried >= 0
    closeness = rule.exploration_topsis if explore else top
    wants = pick >= 0 and top > rule.closeness_gate
    confidence = 1.0
    if not rule.scope_scored or (not explore and pick >= 0):
        confidence = table[state[2], state[1]]
        if rule.record_decision:
            flag = closeness > HIGH_CLOSENESS and (explore or (wants and confidence > rule.confidence_gate))
        else:
            flag = closeness > HIGH_CLOSENESS
        _eq15_push(ring, state, flag)
    if explore:
        return tried, closeness, rule.exploration_confidence
    return (pick if wants and confidence > rule.confidence_gate else -1), closeness, confidence


@numba.njit(cache=True, nogil=True)
def _eq15_push(ring: np.ndarray, state: np.ndarray, flag: bool) -> None:  # pragma: no cover (compiled)
    """Append ``flag`` to an Eq. 15 history held as a ring (``state``: next slot, flags held, high flags)."""
    slot = state[0]
    state[2] += np.int64(flag) - np.int64(ring[slot])      # an empty slot holds False
    ring[slot] = flag
    state[0] = (slot + 1) % len(ring)
    state[1] = min(state[1] + 1, len(ring))


@numba.njit(cache=True, nogil=True, inline="always")
def coalesce_rule(pick: int, tried: int, rule: CoalesceRule) -> tuple[int, float]:  # pragma: no cover (compiled)
    """One task under the coalesce rule: ``(choice, confidence)``: the explored eligible provider
    (confidence 0.7) or TOPSIS's best among those that beat local execution (1.0; local 0.0)."""
    if tried >= 0:
        return tried, rule.exploration_confidence
    return pick, (1.0 if pick >= 0 else 0.0)


@numba.njit(cache=True, nogil=True, inline="always")
def uniform_pick(listed: np.ndarray, count: int, u: float) -> int:  # pragma: no cover (compiled)
    """The ``floor(u x count)``-th of the ``count`` providers ``listed``, -1 when there is none:
    a uniformly random pick from one uniform.

    >>> uniform_pick(np.array([4, 7, 9]), 3, 0.5), uniform_pick(np.array([4, 7, 9]), 0, 0.5)
    (7, -1)
    """
    return listed[min(int(np.floor(u * count)), count - 1)] if count else -1


@numba.njit(cache=True, nogil=True, inline="always")
def apply_rule(paper_policy: bool, pick: int, top: float, u_explore: float, u_which: float, explorable: np.ndarray,
               n_explorable: int, ring: np.ndarray, state: np.ndarray, table: np.ndarray, paper: PaperRule,
               coalesce: CoalesceRule) -> tuple[int, float, float, bool]:  # pragma: no cover (compiled)
    """One task under the published rule (``paper_policy``) or ours: ``(choice, closeness, confidence, explored)``.

    The task explores when ``u_explore < epsilon``, trying the ``u_which``-th of
    the ``n_explorable`` providers ``explorable`` (:func:`uniform_pick`: every
    available provider under the published rule, the eligible ones under ours);
    otherwise :func:`paper_rule` or :func:`coalesce_rule` judges TOPSIS's ``pick``
    (-1 for none) and its closeness ``top``. ``ring`` and ``state`` hold the
    published rule's Eq. 15 history (``table`` is :func:`eq15_table`).

    >>> from coalesce_games.model.policies import CoalescePolicy, PaperPolicy
    >>> ring, state, table = np.zeros(50, bool), np.zeros(3, np.int64), eq15_table(50)
    >>> apply_rule(False, 3, 0.8, 0.5, 0.0, np.array([3, 5]), 2, ring, state, table, PaperPolicy().rule(),
    ...            CoalescePolicy().rule())       # 0.5 >= epsilon 0.1: TOPSIS's best
    (3, 0.8, 1.0, False)
    >>> apply_rule(False, 3, 0.8, 0.05, 0.9, np.array([3, 5]), 2, ring, state, table, PaperPolicy().rule(),
    ...            CoalescePolicy().rule())       # explores: the second of the two
    (5, 0.8, 0.7, True)
    """
    epsilon = paper.epsilon if paper_policy else coalesce.epsilon
    tried = uniform_pick(explorable, n_explorable, u_which) if u_explore < epsilon else -1
    if paper_policy:
        choice, closeness, confidence = paper_rule(pick, top, tried, ring, state, table, paper)
        return choice, closeness, confidence, tried >= 0
    choice, confidence = coalesce_rule(pick, tried, coalesce)
    return choice, top, confidence, tried >= 0


@numba.njit(cache=True, nogil=True)
def ring_from_history(history: np.ndarray, filled: int, state: np.ndarray) -> None:  # pragma: no cover (compiled)
    """Start a ring over ``history`` (its ``filled`` flags oldest first): ``state`` = [next slot, held, high]."""
    state[0], state[1], state[2] = filled % len(history), filled, 0
    for i in range(len(history)):
        state[2] += history[i]


@numba.njit(cache=True, nogil=True)
def ring_to_history(history: np.ndarray, state: np.ndarray) -> int:  # pragma: no cover (compiled)
    """Rotate a ring back to oldest first (in place, by three reversals); returns the number of flags held.

    >>> ring, state = np.array([True, False, False]), np.array([1, 3, 1])    # full; the oldest at slot 1
    >>> ring_to_history(ring, state), ring.tolist()
    (3, [False, False, True])
    """
    if state[1] == len(history) and state[0]:           # full: the oldest is at the next slot
        _reverse(history, 0, state[0])
        _reverse(history, state[0], len(history))
        _reverse(history, 0, len(history))
    return state[1]


@numba.njit(cache=True, nogil=True)
def _reverse(a: np.ndarray, start: int, stop: int) -> None:  # pragma: no cover (compiled)
    i, j = start, stop - 1
    while i < j:
        a[i], a[j] = a[j], a[i]
        i, j = i + 1, j - 1
