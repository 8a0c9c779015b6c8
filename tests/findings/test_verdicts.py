"""Each verdict rule made to pass and to fail on made-up input, with hand-computed cases."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from coalesce_games.findings.verdicts import (
    MIN_RUNS,
    Claim,
    bootstrap_ci,
    count_verdict,
    direction_verdict,
    equivalence_verdict,
    flat_verdict,
    mean_ci,
    not_assessed,
    preliminary,
    share_verdict,
)


# ------------------------------------------------------------------ fewer than 3 runs
@pytest.mark.parametrize("n", [1, 2])
def test_fewer_than_three_runs_are_not_assessed(n) -> None:
    # a single run used to pass every interval rule (its interval was infinite)
    c = equivalence_verdict([41.8] * n, 41.8, margin=4.18)
    assert c.verdict.startswith("not assessed") and c.n == n and np.isnan(c.low)
    assert not_assessed(n) is not None and not_assessed(MIN_RUNS) is None


# ------------------------------------------------------------------ equivalence (TOST) against an exact number
def test_equivalence_passes_when_the_90_interval_is_inside_the_margin() -> None:
    x = np.array([40.0, 41.0, 42.0, 41.5, 40.5])            # mean 41, sd 0.7906, se 0.3536
    c = equivalence_verdict(x, 41.8, margin=4.18)
    half = stats.t.ppf(0.95, 4) * 0.790569 / np.sqrt(5)       # 2.1318 x 0.35355 = 0.7537
    assert c.verdict == "reproduced"
    assert c.difference == pytest.approx(-0.8) and c.high - c.difference == pytest.approx(half, rel=1e-5)


def test_equivalence_fails_when_the_mean_differs() -> None:
    assert equivalence_verdict([30.0, 31.0, 29.0, 30.5], 41.8, margin=4.18).verdict == "not reproduced"


def test_a_wider_interval_makes_reproduction_harder_not_easier() -> None:
    tight = equivalence_verdict([41.0, 42.0, 41.5, 41.2, 41.8], 41.8, margin=2.0)
    wide = equivalence_verdict([31.0, 52.0, 41.5, 36.2, 46.8], 41.8, margin=2.0)   # same mean, large spread
    assert tight.verdict == "reproduced" and wide.verdict == "inconclusive"


def test_equivalence_uses_the_published_spread_and_count_welch() -> None:
    ours = [40.0, 41.0, 42.0, 41.5, 40.5]
    exact = equivalence_verdict(ours, 41.8, margin=2.0)
    noisy = equivalence_verdict(ours, 41.8, margin=2.0, paper_sd=10.0, paper_n=18)
    assert exact.verdict == "reproduced" and noisy.verdict == "inconclusive"
    # Welch's p-value, by hand: se^2 = 0.625/5 + 100/18, t = -0.8 / sqrt(se^2)
    se2 = 0.625 / 5 + 100 / 18
    df = se2 ** 2 / ((0.625 / 5) ** 2 / 4 + (100 / 18) ** 2 / 17)
    assert noisy.p_difference == pytest.approx(2 * stats.t.sf(0.8 / np.sqrt(se2), df), rel=1e-6)
    far = equivalence_verdict([20.0, 21.0, 22.0, 21.5, 20.5], 41.8, margin=2.0, paper_sd=3.0, paper_n=18)
    assert far.verdict == "not reproduced"


def test_equivalence_without_spread_is_exact() -> None:
    assert equivalence_verdict([33.0, 33.0, 33.0], 33.8, margin=3.38).verdict == "reproduced"
    assert equivalence_verdict([20.0, 20.0, 20.0], 33.8, margin=3.38).verdict == "not reproduced"


@pytest.mark.parametrize("kw, field", [({"margin": 0.0}, "margin"), ({"margin": 1.0, "paper_sd": 2.0}, "paper_n"),
                                       ({"margin": 1.0, "paper_sd": 2.0, "paper_n": 1}, "paper_n")])
def test_equivalence_refuses_bad_input(kw, field) -> None:
    with pytest.raises(ValueError, match=field):
        equivalence_verdict([1.0, 2.0, 3.0], 2.0, **kw)
    with pytest.raises(ValueError, match="finite"):
        equivalence_verdict([1.0, float("nan"), 3.0], 2.0, margin=1.0)


# ------------------------------------------------------------------ direction
def test_direction_rule_flips_with_the_sign_of_the_interval() -> None:
    assert direction_verdict(+1, 0.1, 0.5) == "reproduced"
    assert direction_verdict(+1, -0.1, 0.5) == "not reproduced (no significant effect)"
    assert direction_verdict(+1, -0.5, -0.1) == "contradicted"
    assert direction_verdict(-1, -0.5, -0.1) == "reproduced"
    assert direction_verdict(+1, float("nan"), float("nan")).startswith("not assessed")
    with pytest.raises(ValueError, match="sign"):
        direction_verdict(0, 0, 1)


# ------------------------------------------------------------------ bounded intervals for shares
def test_wilson_share_rule_passes_fails_and_abstains() -> None:
    verdict, share, lo, hi = share_verdict(0, 400, 0.05)
    assert verdict == "reproduced" and share == 0 and lo == 0 and 0 < hi < 0.01      # Wilson: 3.84/(400+3.84)
    assert hi == pytest.approx(3.8415 / (400 + 3.8415), rel=1e-3)
    assert share_verdict(40, 400, 0.05)[0] == "not reproduced"
    assert share_verdict(3, 40, 0.05)[0] == "inconclusive"
    assert share_verdict(300, 400, 0.5, below=False)[0] == "reproduced"
    assert share_verdict(50, 400, 0.5, below=False)[0] == "not reproduced"
    with pytest.raises(ValueError, match="successes"):
        share_verdict(5, 4, 0.5)


def test_bootstrap_interval_stays_inside_the_shares() -> None:
    # two runs of a t interval gave [-416, 487] pp for a difference of two shares; the bootstrap cannot leave the data
    m, lo, hi = bootstrap_ci([0.1, 0.9, 0.5, 0.7])
    assert m == pytest.approx(0.55) and 0.1 <= lo < m < hi <= 0.9
    assert bootstrap_ci([0.3, 0.3, 0.3]) == (0.3, 0.3, 0.3)
    assert bootstrap_ci([0.1, 0.9, 0.5], seed=1) == bootstrap_ci([0.1, 0.9, 0.5], seed=1)


def test_mean_ci_is_student_t() -> None:
    mean, lo, hi = mean_ci([1.0, 2.0, 3.0])
    assert (mean, round(hi - mean, 4)) == (2.0, round(4.302653 / np.sqrt(3), 4))
    assert np.isnan(mean_ci([5.0])[1])


# ------------------------------------------------------------------ counting configurations
def test_count_verdict_counts_configurations() -> None:
    assert count_verdict(["reproduced"] * 3) == "reproduced"
    assert count_verdict(["reproduced", "not reproduced", "inconclusive"]).startswith("partly reproduced (1 of 3")
    assert count_verdict(["not reproduced", "inconclusive"]).startswith("not reproduced (0 of 2")
    assert count_verdict(["not assessed (2 runs, fewer than 3)"] * 2).startswith("not assessed")


def test_flat_rule() -> None:
    assert flat_verdict([40.9, 38.3, 37.4]) == "reproduced"
    assert flat_verdict([44.5, 237.0]) == "not reproduced"
    assert flat_verdict([74.0]).startswith("not assessed")
    with pytest.raises(ValueError, match="positive"):
        flat_verdict([1.0, -2.0])


# ------------------------------------------------------------------ quick runs
def test_preliminary_marks_every_verdict_once() -> None:
    claims = [Claim("F1", "c", "-", "-", "-", v, "r") for v in ("reproduced", "not assessed (2 runs, fewer than 3)")]
    marked = preliminary(preliminary(claims))
    assert [c.verdict for c in marked] == ["preliminary: reproduced", "preliminary: not assessed (2 runs, fewer than 3)"]
