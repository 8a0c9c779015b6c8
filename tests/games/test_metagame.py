"""G3, the empirical meta-game: per-seed samples, bootstrap regret and equilibrium stability."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from coalesce_games.games.metagame import (
    MAX_BOOT_VALUES,
    _check_boot_size,
    bootstrap_equilibria,
    bootstrap_games,
    bootstrap_regret,
    client_regret,
    empirical_metagame,
    equilibrium_stability,
    metagame_from_samples,
    metagame_samples,
)
from coalesce_games.market.config import MarketConfig
from coalesce_games.solvers.equilibria import select, solve
from coalesce_games.solvers.game import Game


def _samples(cells: dict[tuple[str, str], tuple[list[float], list[float]]]) -> pd.DataFrame:
    rows = []
    for (c, p), (a, b) in cells.items():
        for s, (x, y) in enumerate(zip(a, b)):
            rows.append({"client": c, "provider": p, "seed": s, "client_payoff": x, "provider_payoff": y})
    return pd.DataFrame(rows)


# client "default" is dominated by "verify" on average but noisy; providers prefer "fab" vs default
NOISY = _samples({
    ("default", "honest"): ([0.50, 0.70, 0.60], [0.2, 0.2, 0.2]),
    ("default", "fab"): ([0.10, 0.30, 0.20], [0.8, 0.6, 0.7]),
    ("verify", "honest"): ([0.55, 0.65, 0.60], [0.3, 0.3, 0.3]),
    ("verify", "fab"): ([0.35, 0.45, 0.40], [0.1, 0.1, 0.1]),
})


@pytest.fixture(scope="module")
def sim_samples() -> pd.DataFrame:
    clients = {"default": {}, "verify": {"verification_share": 1.0}}
    providers = {"spoof": {"rogue_mix": (1.0, 0.0, 0.0)}, "fabricate": {"rogue_mix": (0.0, 0.0, 1.0)}}
    base = MarketConfig(days=1, clients=4, contractors=10, rogue_share=0.3)
    return metagame_samples(clients, providers, base, range(3))


def test_samples_rebuild_the_game_of_means(sim_samples: pd.DataFrame) -> None:
    assert list(sim_samples.columns) == ["client", "provider", "seed", "client_payoff", "provider_payoff"]
    assert len(sim_samples) == 2 * 2 * 3
    g, table = metagame_from_samples(sim_samples)
    cell = sim_samples[(sim_samples.client == "verify") & (sim_samples.provider == "fabricate")]
    assert g.A[1, 1] == pytest.approx(cell.client_payoff.mean())
    assert g.B[1, 1] == pytest.approx(cell.provider_payoff.mean())
    se = table.set_index(["client", "provider"]).loc[("verify", "fabricate"), "client_se"]
    assert se == pytest.approx(cell.client_payoff.std(ddof=1) / np.sqrt(3))
    # empirical_metagame is the same computation (same seeds, common random numbers)
    clients = {"default": {}, "verify": {"verification_share": 1.0}}
    providers = {"spoof": {"rogue_mix": (1.0, 0.0, 0.0)}, "fabricate": {"rogue_mix": (0.0, 0.0, 1.0)}}
    g2, table2 = empirical_metagame(clients, providers, MarketConfig(days=1, clients=4, contractors=10,
                                                                     rogue_share=0.3), range(3))
    assert g2 == g
    pd.testing.assert_frame_equal(table2, table)


def test_client_regret_by_hand() -> None:
    A = [[0.6, 0.2], [0.6, 0.4]]
    # against y = (0.5, 0.5): payoffs 0.4 and 0.5, regret of row 0 = 0.1, of row 1 = 0
    assert client_regret(A, [0.5, 0.5], 0) == pytest.approx(0.1)
    assert client_regret(A, [0.5, 0.5], 1) == 0.0
    assert client_regret(A, [1.0, 0.0], 0) == 0.0


def test_bootstrap_games_resample_within_cells() -> None:
    s = _samples({("a", "x"): ([0.0, 2.0], [1.0, 1.0]), ("a", "y"): ([5.0, 5.0], [3.0, 3.0])})
    rows, cols, A, B = bootstrap_games(s, n_boot=400, seed=1)
    assert (rows, cols) == (["a"], ["x", "y"]) and A.shape == (400, 1, 2)
    assert set(np.unique(A[:, 0, 0])) <= {0.0, 1.0, 2.0}       # means of two draws from {0, 2}
    assert 0.35 < (A[:, 0, 0] == 1.0).mean() < 0.65            # P(one of each) = 1/2
    assert np.all(A[:, 0, 1] == 5.0) and np.all(B[:, 0, 0] == 1.0) and np.all(B[:, 0, 1] == 3.0)
    _, _, A2, _ = bootstrap_games(s, n_boot=400, seed=1)
    np.testing.assert_array_equal(A, A2)


def test_bootstrap_regret_point_and_replicates() -> None:
    # game of means: A = [[0.6, 0.2], [0.6, 0.4]], B = [[0.2, 0.7], [0.3, 0.1]]: no pure equilibrium
    # (default,fab) -> client to verify -> provider honest -> client indifferent ...; solve by hand:
    # provider mixes y so the client is indifferent or verify is a best response; the welfare-selected
    # equilibrium is whatever solve() says; the regret is checked against client_regret on it.
    r = bootstrap_regret(NOISY, "default", n_boot=60, seed=3)
    g, _ = metagame_from_samples(NOISY)
    eq = select(solve(g), "welfare")
    assert r.regret == pytest.approx(client_regret(g.A, eq["col_strategy"], 0))
    # hand check: verify weakly dominates default (0.6 >= 0.6, 0.4 > 0.2), so the regret is
    # 0.2 * y(fab) and equals 0 only if the provider plays honest for sure
    y_fab = float(eq["col_strategy"][1])
    assert r.regret == pytest.approx(0.2 * y_fab)
    assert r.ci_low <= r.ci_high and r.n_boot == 60 and r.level == 0.95
    draws = r.attrs["draws"]
    assert draws.shape == (60,) and np.all(draws >= 0)
    # replicate 7 recomputed by hand from the same bootstrap games
    rows, cols, A, B = bootstrap_games(NOISY, n_boot=60, seed=3)
    e7 = select(solve(Game(A[7], B[7], rows, cols)), "welfare")
    assert draws[7] == pytest.approx(client_regret(A[7], e7["col_strategy"], 0))
    lo, hi = np.quantile(draws, [0.025, 0.975])
    assert (r.ci_low, r.ci_high) == pytest.approx((lo, hi))
    # deterministic for a seed
    r2 = bootstrap_regret(NOISY, "default", n_boot=60, seed=3)
    np.testing.assert_array_equal(draws, r2.attrs["draws"])


def test_bootstrap_regret_zero_when_setting_is_the_best_response() -> None:
    r = bootstrap_regret(NOISY, "verify", n_boot=30, seed=0)
    assert r.regret == 0.0 and r.ci_high == pytest.approx(0.0, abs=1e-12) and r.zero_share == 1.0
    assert r.best_response == "verify" and r.provider_mix == {"honest": 1.0}


def test_equilibrium_stability_shares() -> None:
    t = equilibrium_stability(NOISY, n_boot=80, seed=2)
    assert list(t.columns) == ["client_support", "provider_support", "share_any", "share_selected", "in_point"]
    assert t.share_any.between(0, 1).all() and t.share_selected.between(0, 1).all()
    n_eq = t.attrs["n_equilibria"]
    assert len(n_eq) == 80 and np.all(n_eq >= 1)
    assert t.share_selected.sum() == pytest.approx(1.0)        # every replicate selects one equilibrium
    g, _ = metagame_from_samples(NOISY)
    point = {(tuple(a), tuple(b)) for a, b in zip(solve(g).to_frame().row_support, solve(g).to_frame().col_support)}
    assert {(a, b) for a, b, p in zip(t.client_support, t.provider_support, t.in_point) if p} == point
    # deterministic payoffs: one support, in every replicate
    fixed = _samples({("a", "x"): ([1.0, 1.0], [0.0, 0.0]), ("a", "y"): ([0.0, 0.0], [1.0, 1.0]),
                      ("b", "x"): ([2.0, 2.0], [0.0, 0.0]), ("b", "y"): ([1.0, 1.0], [1.0, 1.0])})
    tf = equilibrium_stability(fixed, n_boot=5, seed=0)
    assert tf[["client_support", "provider_support", "share_any", "share_selected", "in_point"]].values.tolist() \
        == [[("b",), ("y",), 1.0, 1.0, True]]


def test_metagame_on_the_simulator(sim_samples: pd.DataFrame) -> None:
    r = bootstrap_regret(sim_samples, "default", n_boot=40, seed=0)
    assert np.isfinite(r.regret) and r.regret >= 0 and r.ci_low <= r.ci_high
    t = equilibrium_stability(sim_samples, n_boot=40, seed=0)
    assert t.in_point.any() and t.share_selected.sum() == pytest.approx(1.0)


@pytest.mark.parametrize("call, message", [
    (lambda: bootstrap_regret(NOISY, "default", n_boot=0), "n_boot must be >= 1"),
    (lambda: equilibrium_stability(NOISY, n_boot=0), "n_boot must be >= 1"),
    (lambda: bootstrap_regret(NOISY, "nope"), "setting must be one of"),
    (lambda: bootstrap_regret(NOISY, "default", level=1.0), "level must be in"),
    (lambda: bootstrap_regret(NOISY, "default", rule="best"), "rule must be one of"),
    (lambda: metagame_from_samples(NOISY.iloc[:0]), "samples must not be empty"),
    (lambda: metagame_from_samples(NOISY.drop(columns="seed")), "samples lacks column"),
    (lambda: metagame_from_samples(NOISY.iloc[3:]), "no runs for cell"),
    (lambda: metagame_from_samples(NOISY.assign(client_payoff=np.nan)), "client_payoff must be finite"),
    (lambda: metagame_samples({}, {"x": {}}, MarketConfig(days=1), [0]), "client_settings must not be empty"),
    (lambda: metagame_samples({"a": {}}, {"x": {}}, MarketConfig(days=1), []), "seeds must not be empty"),
])
def test_bad_input(call, message) -> None:
    with pytest.raises(ValueError, match=message):
        call()


def test_shared_replicates_give_the_same_regret_and_stability() -> None:
    from coalesce_games.games.metagame import bootstrap_equilibria, bootstrap_regret, equilibrium_stability

    s = pd.DataFrame({"client": ["a"] * 6 + ["b"] * 6, "provider": ["x", "x", "x", "y", "y", "y"] * 2,
                      "seed": [0, 1, 2] * 4,
                      "client_payoff": [1.0, 1.2, 0.8, 0.0, 0.3, 0.1, 0.9, 1.5, 1.1, 0.2, 0.0, 0.4],
                      "provider_payoff": [0.0, 0.1, 0.2, 1.0, 0.8, 1.1, 0.3, 0.0, 0.1, 0.9, 1.2, 0.7]})
    reps = bootstrap_equilibria(s, n_boot=40, seed=3)
    alone = bootstrap_regret(s, "a", n_boot=40, seed=3)
    shared = bootstrap_regret(s, "a", replicates=reps)
    np.testing.assert_array_equal(alone.attrs["draws"], shared.attrs["draws"])
    pd.testing.assert_frame_equal(equilibrium_stability(s, n_boot=40, seed=3),
                                  equilibrium_stability(s, replicates=reps), check_like=False)


# --- issue 15: every input a verified result or a clean error ----------------------------------------------------

@pytest.mark.parametrize("args, error, message", [
    (([[1.0, 0.0], [0.0, 2.0]], [True, False], 0), TypeError, "y must hold real numbers, not a boolean"),
    (([[1.0, 0.0], [0.0, 2.0]], [0.5, 0.5, 0.0], 0), ValueError, r"y must have shape \(2,\)"),
    (([[1.0, 0.0], [0.0, 2.0]], [1.5, -0.5], 0), ValueError, "y must be a probability vector"),
    (([[1.0, 0.0], [0.0, 2.0]], [0.5, 0.4], 0), ValueError, "summing to 1"),
    (([1.0, 0.0], [0.5, 0.5], 0), ValueError, "A must have 2 dimension"),
    ((np.zeros((0, 2)), [0.5, 0.5], 0), ValueError, "at least one row"),
    (([[1.0, 0.0], [0.0, 2.0]], [0.5, 0.5], 2), ValueError, r"setting must be a row of A, in 0..1; got 2"),
    (([[1.0, 0.0], [0.0, 2.0]], [0.5, 0.5], -1), ValueError, "setting must be a row of A"),
    (([[1.0, 0.0], [0.0, 2.0]], [0.5, 0.5], 1.0), TypeError, "setting must be an integer"),
])
def test_client_regret_refuses_bad_shapes_mixes_and_settings(args, error, message) -> None:
    with pytest.raises(error, match=message):
        client_regret(*args)


def test_client_regret_by_hand_with_a_numpy_setting() -> None:
    # A y = (0.25 + 0, 0 + 1.5) = (0.25, 1.5) at y = (0.25, 0.75): row 0 forgoes 1.25, row 1 nothing
    assert client_regret(np.array([[1.0, 0.0], [0.0, 2.0]]), [0.25, 0.75], np.int64(0)) == pytest.approx(1.25)
    assert client_regret([[1.0, 0.0], [0.0, 2.0]], [0.25, 0.75], 1) == 0.0


@pytest.mark.parametrize("call", [
    lambda: bootstrap_games(NOISY, n_boot=10**12),
    lambda: bootstrap_equilibria(NOISY, n_boot=10**12),
    lambda: bootstrap_regret(NOISY, "default", n_boot=10**12),
    lambda: equilibrium_stability(NOISY, n_boot=2**64),
])
def test_a_bootstrap_too_big_for_memory_is_refused_before_allocating(call) -> None:
    with pytest.raises(ValueError, match=r"n_boot=\d+ needs about .* at most 1e\+08 are allowed"):
        call()


def test_the_bootstrap_bound_is_the_documented_count() -> None:
    # NOISY: 2 x 2 cells of 3 seeds, so 2 x 4 + 3 = 11 numbers a replicate; 10**8 // 11 = 9090909 replicates fit
    assert MAX_BOOT_VALUES == 10**8
    _check_boot_size(9_090_909, 2, 2, 3)
    with pytest.raises(ValueError, match="n_boot=9090910 needs about 1e\\+08"):
        _check_boot_size(9_090_910, 2, 2, 3)


@pytest.mark.parametrize("fn", [metagame_samples, empirical_metagame])
@pytest.mark.parametrize("base", [None, {"days": 1}, 1, True])
def test_metagame_base_must_be_a_market_config(fn, base) -> None:
    with pytest.raises(TypeError, match="base must be a MarketConfig"):
        fn({"a": {}}, {"x": {}}, base, [0])
