"""G4, the repeated outsourcing game: when is honesty self-enforcing?

A provider earns the margin ``pi = p - c`` per honest task. Cheating (say,
fabricating) adds a one-shot gain ``g`` (the work it did not do); each cheat is
caught with probability ``q = v d`` (the client verifies a share ``v`` of tasks
and a check detects with probability ``d``), and a detection ends the
relationship for good (grim trigger). With discount factor ``delta``::

    honest forever:  pi / (1 - delta)
    cheat forever:   (pi + g) / (1 - delta (1 - q))

Honesty is sustainable iff the first is at least the second, i.e. (the folk
theorem's incentive constraint; Fudenberg and Maskin 1986)::

    delta q pi >= g (1 - delta)
    v*     = g (1 - delta) / (delta d pi)       the minimal verification share
    delta* = g / (g + q pi)                     the minimal patience

So the security budget ``v*`` grows as price pressure lowers the margin
``pi``: halving the margin doubles the verification a client must buy.

>>> round(float(minimal_verification(margin=10, gain=8, delta=0.9, detection=0.9)), 4)
0.0988
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import sympy

from ._validate import check_int, check_nonnegative, check_probability, check_scalar

__all__ = ["derive", "minimal_verification", "minimal_delta", "honesty_sustainable",
           "finite_horizon", "margin_sweep"]

pi, g, delta, v, d = sympy.symbols("pi g delta v d", positive=True)


def derive() -> dict[str, Any]:
    """The G4 derivation step by step, as sympy expressions (LaTeX via ``sympy.latex``).

    >>> steps = derive()
    >>> steps["v_star"]
    g*(1 - delta)/(d*delta*pi)
    """
    q = v * d
    honest = pi / (1 - delta)
    cheat = (pi + g) / (1 - delta * (1 - q))
    constraint = sympy.simplify(sympy.together(honest - cheat))
    numerator = sympy.factor(sympy.numer(sympy.together(honest - cheat)))
    v_star = sympy.solve(sympy.Eq(numerator, 0), v)[0]
    delta_star = sympy.solve(sympy.Eq(numerator, 0), delta)[0]
    return {"honest_value": honest, "cheat_value": cheat, "difference": constraint,
            "numerator": numerator, "v_star": sympy.simplify(v_star),
            "delta_star": sympy.simplify(delta_star)}


def _check(margin: Any, gain: Any, delta_: Any, detection: Any) -> None:
    check_positive_margin = check_nonnegative("margin", margin)
    if np.any(check_positive_margin == 0):
        raise ValueError(f"margin must be > 0 (an honest provider must earn something); got {margin!r}")
    check_nonnegative("gain", gain)
    check_probability("detection", detection)
    dl = np.asarray(delta_, float)
    if np.any((dl <= 0) | (dl >= 1)) or not np.all(np.isfinite(dl)):
        raise ValueError(f"delta must be in (0, 1); got {delta_!r}")


def minimal_verification(margin: Any, gain: Any, delta: Any, detection: Any) -> np.ndarray:
    """``v* = g (1 - delta) / (delta d pi)``; above 1 means no budget suffices.

    Vectorised over numpy arrays.
    """
    _check(margin, gain, delta, detection)
    det = np.asarray(detection, float)
    with np.errstate(divide="ignore"):
        return np.where(det > 0, np.asarray(gain) * (1 - np.asarray(delta)) /
                        (np.asarray(delta) * np.where(det > 0, det, 1) * np.asarray(margin)), np.inf)


def minimal_delta(margin: Any, gain: Any, verification: Any, detection: Any) -> np.ndarray:
    """``delta* = g / (g + v d pi)``."""
    check_probability("verification", verification)
    _check(margin, gain, 0.5, detection)
    return np.asarray(gain) / (np.asarray(gain) + np.asarray(verification) * np.asarray(detection) * np.asarray(margin))


def honesty_sustainable(margin: float, gain: float, delta: float, verification: float, detection: float) -> bool:
    """Direct comparison of the two discounted values (no closed form used)."""
    _check(margin, gain, delta, detection)
    check_probability("verification", verification)
    q = verification * detection
    return margin / (1 - delta) >= (margin + gain) / (1 - delta * (1 - q)) - 1e-12


def finite_horizon(periods: int, margin: float, gain: float, delta: float, verification: float,
                   detection: float) -> pd.DataFrame:
    """Backward induction over a known, finite number of periods.

    In period t the provider stays honest iff ``delta q W_{t+1} >= g``, where
    ``W_{t+1}`` is the value of the relationship still to come (zero after the
    last period). Cheating is always optimal in the last period, and the
    relationship's value shrinks toward the end, so honesty unravels from the
    end: the table shows in which periods it survives.
    """
    periods = check_int("periods", periods, minimum=1)
    _check(margin, gain, delta, detection)
    check_probability("verification", verification)
    q = verification * detection
    rows, future = [], 0.0
    for t in range(periods, 0, -1):
        honest_value = margin + delta * future
        cheat_value = margin + gain + delta * (1 - q) * future
        honest = honest_value >= cheat_value
        future = honest_value if honest else cheat_value
        rows.append({"period": t, "honest": bool(honest), "continuation": future})
    return pd.DataFrame(rows[::-1])


def margin_sweep(margins: Any, gain: float, delta: float, detection: float) -> pd.DataFrame:
    """v* as price pressure lowers the margin (F5's security budget)."""
    m = check_nonnegative("margins", margins, ndim=1)
    if m.size == 0:
        raise ValueError("margins must not be empty")
    return pd.DataFrame({"margin": m, "v_star": minimal_verification(m, gain, delta, detection)})
