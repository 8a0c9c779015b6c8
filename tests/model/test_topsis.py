"""TOPSIS: a hand-computed example, agreement with pymcdm, properties, bad input."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pymcdm import normalizations as pn
from pymcdm.methods import TOPSIS as PymcdmTOPSIS

from coalesce_games.model.topsis import best, topsis

BENEFIT = np.array([False, True, True, True])


def test_hand_computed_3x4_vector() -> None:
    m = np.array([[250., 16., 12., 5.], [200., 16., 8., 3.], [300., 32., 16., 4.]])
    w = np.full(4, 0.25)
    # column norms: sqrt(250^2+200^2+300^2)=438.7482, sqrt(16^2*2+32^2)=39.1918,
    # sqrt(12^2+8^2+16^2)=21.5407, sqrt(25+9+16)=7.0711
    norms = np.array([438.7482, 39.1918, 21.5407, 7.0711])
    v = m / norms * 0.25
    ideal = np.array([v[:, 0].min(), v[:, 1].max(), v[:, 2].max(), v[:, 3].max()])
    anti = np.array([v[:, 0].max(), v[:, 1].min(), v[:, 2].min(), v[:, 3].min()])
    dp = np.sqrt(((v - ideal) ** 2).sum(1))
    dm = np.sqrt(((v - anti) ** 2).sum(1))
    np.testing.assert_allclose(topsis(m, w, BENEFIT), dm / (dp + dm), atol=1e-4)
    np.testing.assert_allclose(topsis(m, w, BENEFIT), [0.4355, 0.2687, 0.6799], atol=1e-4)


def test_single_candidate_and_full_tie_score_one_half() -> None:
    assert topsis([[5.0, 0.9, 10.0, 0.9]], np.ones(4), BENEFIT).tolist() == [0.5]
    tied = np.tile([5.0, 0.9, 10.0, 0.9], (3, 1))
    assert topsis(tied, np.ones(4), BENEFIT, "minmax").tolist() == [0.5] * 3


def test_mask_excludes_alternatives_from_the_ideal() -> None:
    m = np.array([[1.0, 0.5, 1, 1], [2.0, 0.9, 1, 1], [100.0, 0.1, 1, 1]])
    full = topsis(m[:2], np.ones(4), BENEFIT)
    masked = topsis(m, np.ones(4), BENEFIT, mask=np.array([True, True, False]))
    np.testing.assert_allclose(masked[:2], full)
    assert masked[2] == 0.0
    assert best(masked, np.array([True, True, False])).item() == int(np.argmax(full))
    assert best(np.zeros(3), np.zeros(3, bool)).item() == -1


def test_batched_equals_one_by_one() -> None:
    rng = np.random.default_rng(0)
    batch = rng.random((50, 7, 4))
    w = rng.random((50, 4))
    out = topsis(batch, w, BENEFIT)
    for k in range(50):
        np.testing.assert_allclose(out[k], topsis(batch[k], w[k], BENEFIT))


def _random_matrix(rng: np.random.Generator, kind: str) -> np.ndarray:
    rows = int(rng.integers(1, 12)) if kind != "single" else 1
    m = rng.uniform(0.1, 100, (rows, 4))
    if kind == "ties" and rows > 1:
        m[1] = m[0]
    if kind == "constant":
        m[:, int(rng.integers(0, 4))] = 3.0
    return m


@pytest.mark.parametrize("normalization, pymcdm_norm", [("vector", pn.vector_normalization),
                                                          ("minmax", pn.minmax_normalization)])
def test_agrees_with_pymcdm_on_200_matrices(normalization: str, pymcdm_norm) -> None:
    rng = np.random.default_rng(42)
    compared = 0
    for k in range(200):
        kind = ["generic", "ties", "constant", "single"][k % 4]
        m = _random_matrix(rng, kind)
        w = rng.random(4) + 0.01
        ours = topsis(m, w, BENEFIT, normalization)
        with np.errstate(all="ignore"):
            theirs = PymcdmTOPSIS(pymcdm_norm)(m, w / w.sum(), np.where(BENEFIT, 1, -1), validation=False)
        if np.all(np.isfinite(theirs)):
            np.testing.assert_allclose(ours, theirs, atol=1e-9, err_msg=f"{kind} matrix {k}")
            compared += 1
        else:
            # pymcdm divides by zero on a single row or constant min-max column; we document 0.5
            assert np.all(np.isfinite(ours)) and np.all((ours >= 0) & (ours <= 1))
    assert compared >= 120  # the rest: single rows (pymcdm returns NaN), constant min-max columns


matrices = st.integers(2, 8).flatmap(lambda n: st.lists(
    st.lists(st.floats(0.01, 1000), min_size=4, max_size=4), min_size=n, max_size=n))


@settings(max_examples=80, deadline=None)
@given(matrices, st.sampled_from(["vector", "minmax"]), st.integers(0, 10_000))
def test_properties(rows, normalization, seed) -> None:
    m = np.array(rows)
    w = np.random.default_rng(seed).random(4) + 0.05
    scores = topsis(m, w, BENEFIT, normalization)
    assert np.all((scores >= 0) & (scores <= 1))
    perm = np.random.default_rng(seed).permutation(len(m))
    np.testing.assert_allclose(topsis(m[perm], w, BENEFIT, normalization), scores[perm], atol=1e-12)
    # a Pareto-dominating alternative never scores lower
    dominant = m[0].copy()
    dominant[0] = m[:, 0].min() / 2
    dominant[1:] = m[:, 1:].max(axis=0) * 2
    with_dom = topsis(np.vstack([m, dominant]), w, BENEFIT, normalization)
    assert with_dom[-1] >= with_dom[:-1].max() - 1e-12
    if normalization == "vector":
        scaled = m.copy()
        scaled[:, 2] *= 7.5
        np.testing.assert_allclose(topsis(scaled, w, BENEFIT), scores, atol=1e-12)


@pytest.mark.parametrize("kwargs, message", [
    ({"matrix": [[1.0, np.nan, 1, 1]]}, "matrix must be finite"),
    ({"matrix": [[1.0, np.inf, 1, 1]]}, "matrix must be finite"),
    ({"matrix": [1.0, 2.0, 3.0, 4.0]}, "shape"),
    ({"matrix": np.empty((0, 4))}, "at least one alternative"),
    ({"weights": [-1, 1, 1, 1]}, "weights must be >= 0"),
    ({"weights": [0, 0, 0, 0]}, "all zero"),
    ({"weights": [1, 1, 1]}, "4 entries"),
    ({"benefit": np.array([True, False])}, "one flag per criterion"),
    ({"normalization": "l1"}, "normalization must be one of"),
])
def test_bad_input(kwargs, message) -> None:
    args = {"matrix": [[1.0, 0.9, 10, 0.9], [2.0, 0.8, 5, 0.95]], "weights": [1, 1, 1, 1], "benefit": BENEFIT}
    args.update(kwargs)
    with pytest.raises(ValueError, match=message):
        topsis(**args)


def test_benefit_must_be_booleans_or_criterion_types() -> None:
    with pytest.raises(ValueError, match="benefit"):
        topsis([[1.0, 2.0]], [1, 1], [0, 1])
    with pytest.raises(TypeError, match="benefit"):
        topsis([[1.0, 2.0]], [1, 1], ["cost", "benefit"])


@pytest.mark.parametrize("scale", [1e200, 1e-200, 1e300, 1e-300])
def test_vector_normalisation_is_exact_at_extreme_scales(scale: float) -> None:
    """A column scaled by 1e200 (whose squares overflow) or 1e-200 (whose squares underflow) gives the same
    closeness: vector normalisation scales such a column by a power of two before squaring it."""
    m = np.array([[250., 16., 12., 5.], [200., 16., 8., 3.], [300., 32., 16., 4.]])
    w = np.array([0.4, 0.25, 0.2, 0.15])
    plain = topsis(m, w, BENEFIT)
    for c in range(4):
        scaled = m.copy()
        scaled[:, c] *= scale
        np.testing.assert_allclose(topsis(scaled, w, BENEFIT), plain, rtol=1e-13)
    np.testing.assert_allclose(topsis(m * scale, w, BENEFIT), plain, rtol=1e-13)   # every column at once


def test_pymcdm_criterion_types_equal_booleans() -> None:
    """pymcdm's types (+1 benefit, -1 cost) are accepted and mean what the booleans mean, and the closeness
    equals pymcdm's TOPSIS on them."""
    rng = np.random.default_rng(11)
    m, w = rng.uniform(0.1, 100, (9, 4)), rng.random(4) + 0.1
    types = np.where(BENEFIT, 1, -1)
    ours = topsis(m, w, types)
    np.testing.assert_array_equal(ours, topsis(m, w, BENEFIT))
    np.testing.assert_array_equal(ours, topsis(m, w, types.tolist()))
    np.testing.assert_allclose(ours, PymcdmTOPSIS(pn.vector_normalization)(m, w / w.sum(), types), atol=1e-12)
    with pytest.raises(ValueError, match=r"\+1 \(benefit\) or -1 \(cost\); got \[1, -1, 0, 1\]"):
        topsis(m, w, [1, -1, 0, 1])
