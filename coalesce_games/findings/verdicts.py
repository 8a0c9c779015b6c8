"""The rules that turn a comparison with the paper into a verdict.

Every rule says how many independent units it counted, refuses to judge on
fewer than :data:`MIN_RUNS` ("not assessed"), and gives one of a few words:

* ``reproduced`` / ``not reproduced`` / ``inconclusive`` against a published
  number: an equivalence test (two one-sided tests, TOST) with a stated margin,
  and Welch's test for a difference, using the published spread and count where
  the paper gives them (:func:`equivalence_verdict`). Equivalence is what a
  reproduction claims, so a wider interval makes "reproduced" *harder*, not
  easier; a significant difference without equivalence is "not reproduced";
  neither is "inconclusive".
* ``reproduced`` / ``contradicted`` / ``not reproduced (no significant
  effect)`` for a claimed direction (:func:`direction_verdict`).
* shares get bounded intervals: Wilson for counts (:func:`share_verdict`), a
  percentile bootstrap over seeds for means of shares (:func:`bootstrap_ci`).

A quick run judges on too few seeds to be cited: :func:`preliminary` marks
every verdict.

>>> equivalence_verdict([40.0, 41.0, 42.0, 41.5, 40.5], 41.8, margin=4.18).verdict
'reproduced'
>>> equivalence_verdict([40.0, 41.0], 41.8, margin=4.18).verdict
'not assessed (2 runs, fewer than 3)'
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import numpy as np
from scipy import stats

from coalesce_games.games.intervals import wilson_interval

__all__ = ['MIN_RUNS', 'PRELIMINARY', 'RELATIVE_MARGIN', 'Claim', 'Comparison', 'bootstrap_ci', 'count_verdict',
           'direction_verdict', 'equivalence_verdict', 'flat_verdict', 'mean_ci', 'not_assessed', 'preliminary',
           'share_verdict']

#: fewest independent units (runs, seeds or configurations) a verdict is given on
MIN_RUNS = 3
#: the equivalence margin against a published number: 10 % of that number, stated in every rule using it
RELATIVE_MARGIN = 0.10
#: what a quick run puts before every verdict
PRELIMINARY = "preliminary: "


def _sample(values: Any, name: str = "values") -> np.ndarray:
    x = np.asarray(values, float).ravel()
    if x.size == 0 or not np.all(np.isfinite(x)):
        raise ValueError(f"{name} must be a non-empty finite sample; got {x.tolist()[:5]}")
    return x


def not_assessed(n: int, unit: str = "runs") -> str | None:
    """``"not assessed (...)"`` when ``n`` units are fewer than :data:`MIN_RUNS`, else ``None``.

    >>> not_assessed(2, "seeds"), not_assessed(3)
    ('not assessed (2 seeds, fewer than 3)', None)
    """
    return f"not assessed ({n} {unit}, fewer than {MIN_RUNS})" if n < MIN_RUNS else None


def mean_ci(values: Any, level: float = 0.95) -> tuple[float, float, float]:
    """Mean and its Student-t confidence interval; ``(mean, nan, nan)`` for one value.

    >>> tuple(round(v, 3) for v in mean_ci([1.0, 2.0, 3.0]))
    (2.0, -0.484, 4.484)
    """
    x = _sample(values)
    mean = float(x.mean())
    if x.size == 1:
        return mean, float("nan"), float("nan")
    half = float(stats.t.ppf(0.5 + level / 2, x.size - 1) * x.std(ddof=1) / np.sqrt(x.size))
    return mean, mean - half, mean + half


def bootstrap_ci(values: Any, level: float = 0.95, n_boot: int = 2000, seed: int = 0) -> tuple[float, float, float]:
    """Mean and its percentile-bootstrap interval (resampling the values; inside their range).

    For means of shares: the interval never leaves ``[min, max]`` of the sample.

    >>> m, lo, hi = bootstrap_ci([0.2, 0.4, 0.6])
    >>> round(m, 2), 0.2 <= lo <= m <= hi <= 0.6
    (0.4, True)
    """
    x = _sample(values)
    rng = np.random.default_rng(seed)
    means = x[rng.integers(0, x.size, (n_boot, x.size))].mean(axis=1)
    lo, hi = np.percentile(means, [50 * (1 - level), 50 * (1 + level)])
    return float(x.mean()), float(lo), float(hi)


@dataclass(frozen=True)
class Comparison:
    """Our sample against a published number: the verdict and what it rests on.

    ``difference`` is ours minus the paper's, ``low``/``high`` its 90 % interval
    (the one TOST at 5 % reads), ``p_difference`` Welch's (or the one-sample t)
    two-sided p-value, ``p_equivalence`` the larger TOST p-value.
    """

    verdict: str
    n: int
    mean: float
    difference: float
    low: float
    high: float
    p_difference: float
    p_equivalence: float
    margin: float


def _tests(x: np.ndarray, paper: float, margin: float, sd: float | None, n: int | None) -> tuple[float, float]:
    """(two-sided p of a difference, larger one-sided p of the TOST) via scipy.stats."""
    if sd is None:
        if np.ptp(x) == 0:                                  # no spread: the difference is exact
            d = float(x[0] - paper)
            return (0.0 if d != 0 else 1.0), (0.0 if abs(d) < margin else 1.0)
        p_diff = stats.ttest_1samp(x, paper).pvalue
        p_lo = stats.ttest_1samp(x, paper - margin, alternative="greater").pvalue
        p_hi = stats.ttest_1samp(x, paper + margin, alternative="less").pvalue
    else:
        m1, s1, n1 = float(x.mean()), float(x.std(ddof=1)), x.size
        welch = lambda mu, alt: stats.ttest_ind_from_stats(m1, s1, n1, mu, sd, n, equal_var=False,  # noqa: E731
                                                           alternative=alt).pvalue
        p_diff, p_lo, p_hi = welch(paper, "two-sided"), welch(paper - margin, "greater"), welch(paper + margin, "less")
    return float(p_diff), float(max(p_lo, p_hi))


def equivalence_verdict(ours: Any, paper: float, margin: float, paper_sd: float | None = None,
                        paper_n: int | None = None, alpha: float = 0.05, unit: str = "runs") -> Comparison:
    """Is our sample's mean within ``margin`` of a published mean (TOST), or does it differ (Welch)?

    With ``paper_sd`` and ``paper_n`` (the published spread and run count) both
    sides' sampling error enter (Welch); without them the published number is
    taken as exact (one-sample t). "reproduced" iff both one-sided tests reject
    at ``alpha`` (the ``1 - 2 alpha`` interval of the difference lies inside
    ``+-margin``); else "not reproduced" iff the two-sided test rejects; else
    "inconclusive". Fewer than :data:`MIN_RUNS` values (``unit``: what one value
    is, for the message): "not assessed".

    >>> equivalence_verdict([30.0, 31.0, 29.0, 30.5], 41.8, margin=4.18).verdict
    'not reproduced'
    >>> equivalence_verdict([30.0, 50.0, 41.0, 45.0], 41.8, margin=4.18, paper_sd=10.0, paper_n=18).verdict
    'inconclusive'
    """
    x = _sample(ours, "ours")
    if not (np.isfinite(paper) and np.isfinite(margin) and margin > 0):
        raise ValueError(f"paper must be finite and margin positive; got paper={paper!r}, margin={margin!r}")
    if (paper_sd is None) != (paper_n is None):
        raise ValueError(f"paper_sd and paper_n go together; got paper_sd={paper_sd!r}, paper_n={paper_n!r}")
    if paper_sd is not None and not (paper_sd >= 0 and int(paper_n) >= 2):
        raise ValueError(f"paper_sd must be >= 0 and paper_n >= 2; got {paper_sd!r}, {paper_n!r}")
    diff = float(x.mean() - paper)
    skip = not_assessed(x.size, unit)
    if skip:
        return Comparison(skip, x.size, float(x.mean()), diff, np.nan, np.nan, np.nan, np.nan, margin)
    p_diff, p_eq = _tests(x, paper, margin, paper_sd, paper_n)
    var = x.var(ddof=1) / x.size + (0.0 if paper_sd is None else paper_sd ** 2 / paper_n)
    df = x.size - 1 if paper_sd is None or var == 0 else var ** 2 / (
        (x.var(ddof=1) / x.size) ** 2 / (x.size - 1) + (paper_sd ** 2 / paper_n) ** 2 / (paper_n - 1))
    half = float(stats.t.ppf(1 - alpha, df) * np.sqrt(var))
    verdict = "reproduced" if p_eq < alpha else "not reproduced" if p_diff < alpha else "inconclusive"
    return Comparison(verdict, x.size, float(x.mean()), diff, diff - half, diff + half, p_diff, p_eq, margin)


def direction_verdict(sign: int, low: float, high: float) -> str:
    """Does our interval for an effect show the claimed sign (+1 or -1)? NaN bounds: 'not assessed'.

    >>> direction_verdict(+1, 0.1, 0.5), direction_verdict(-1, 0.1, 0.5)
    ('reproduced', 'contradicted')
    """
    if sign not in (1, -1):
        raise ValueError(f"sign must be +1 or -1; got {sign!r}")
    if not (np.isfinite(low) and np.isfinite(high)):
        return "not assessed (no finite interval)"
    lo, hi = (low, high) if sign == 1 else (-high, -low)
    if lo > 0:
        return "reproduced"
    if hi < 0:
        return "contradicted"
    return "not reproduced (no significant effect)"


def share_verdict(successes: int, trials: int, bound: float, below: bool = True,
                  level: float = 0.95) -> tuple[str, float, float, float]:
    """Is a share below (or, ``below=False``, at least) ``bound``? Wilson interval of ``successes / trials``.

    "reproduced" iff the whole interval is on the claimed side, "not
    reproduced" iff it is wholly on the other, else "inconclusive".
    Returns (verdict, share, low, high).

    >>> share_verdict(0, 400, 0.05)[0], share_verdict(40, 400, 0.05)[0], share_verdict(3, 40, 0.05)[0]
    ('reproduced', 'not reproduced', 'inconclusive')
    """
    if not 0 <= successes <= trials or trials < 1:
        raise ValueError(f"need 0 <= successes <= trials and trials >= 1; got {successes!r} of {trials!r}")
    lo, hi = (float(v[0]) for v in wilson_interval(successes, trials, level))
    side, other = (hi < bound, lo >= bound) if below else (lo >= bound, hi < bound)
    verdict = "reproduced" if side else "not reproduced" if other else "inconclusive"
    return verdict, successes / trials, lo, hi


def flat_verdict(values: Any, factor: float = 1.5) -> str:
    """'reproduced' iff the positive ``values`` lie within ``factor`` of each other (max/min).

    Fewer than two values cannot show flatness: 'not assessed'.

    >>> flat_verdict([40.9, 38.3, 37.4]), flat_verdict([44.5, 237.0])
    ('reproduced', 'not reproduced')
    """
    x = np.asarray(values, float)
    if x.size < 2:
        return "not assessed (fewer than 2 configurations)"
    if not np.all(np.isfinite(x)) or np.any(x <= 0):
        raise ValueError(f"values must be positive and finite; got {x.tolist()}")
    return "reproduced" if x.max() / x.min() < factor else "not reproduced"


def count_verdict(verdicts: list[str], unit: str = "configurations") -> str:
    """One verdict over several units, counting units: all reproduced, some, none, or none assessed.

    >>> count_verdict(["reproduced", "inconclusive", "not assessed (2 runs, fewer than 3)"])
    'partly reproduced (1 of 2 assessed configurations; 1 inconclusive)'
    """
    assessed = [v for v in verdicts if not v.startswith("not assessed")]
    if not assessed:
        return f"not assessed (no {unit} with {MIN_RUNS} runs)"
    k = sum(v == "reproduced" for v in assessed)
    if k == len(assessed):
        return "reproduced" if len(assessed) == len(verdicts) else f"reproduced ({k} assessed {unit})"
    others = "; ".join(f"{sum(v == w for v in assessed)} {w}" for w in sorted(set(assessed) - {"reproduced"}))
    word = "partly reproduced" if k else "not reproduced"
    return f"{word} ({k} of {len(assessed)} assessed {unit}; {others})"


@dataclass(frozen=True)
class Claim:
    """One claim: what the paper says, what we find, the verdict and the rule that gave it.

    ``source`` says where the claim is stated; ``short`` is what the report's
    one-screen summary shows of ``simulated`` (all of it when empty).
    """

    finding: str
    claim: str
    paper: str
    analytic: str
    simulated: str
    verdict: str
    rule: str
    source: str = ""
    short: str = ""


def preliminary(claims: list[Claim]) -> list[Claim]:
    """The claims of a quick run, each verdict marked as preliminary (once).

    >>> preliminary([Claim("F0", "c", "-", "-", "-", "reproduced", "r")])[0].verdict
    'preliminary: reproduced'
    """
    return [c if c.verdict.startswith(PRELIMINARY) else replace(c, verdict=PRELIMINARY + c.verdict) for c in claims]
