"""The market as a population game: the mapping to MarketConfig, the payoff table against direct
simulator runs, caching, equilibria and alpha-Rank on tables whose answer is known."""

from __future__ import annotations

import numpy as np
import pytest

import coalesce_games.games.population as population
from coalesce_games import MarketConfig, simulate_many
from coalesce_games.games.population import (CLIENT_STRATEGIES, PROVIDER_STRATEGIES, HeuristicPayoffTable,
                                             PopulationSettings, market_alpha_rank, payoff_table, role_equilibria)

SMALL = PopulationSettings(MarketConfig(days=1), agents=2, seeds=2, max_seeds=2)


@pytest.fixture(scope="module")
def small() -> HeuristicPayoffTable:
    return payoff_table(SMALL)


def test_config_mapping_by_hand() -> None:
    s = PopulationSettings(MarketConfig(days=1), agents=4, budget=0.6, epsilons=(0.0, 0.2))
    cfg = s.config(verifying=2, exploring_hi=1, rogues=3, kind=2)
    assert (cfg.clients, cfg.contractors) == (4, 5)                 # N clients, N + 1 providers
    assert cfg.verification_share == pytest.approx(0.6 * 2 / 4)
    assert cfg.epsilon == pytest.approx(0.2 / 4)
    assert cfg.rogue_share == pytest.approx(3 / 5) and round(cfg.rogue_share * cfg.contractors) == 3
    assert cfg.rogue_mix == (0.0, 0.0, 1.0)


def test_table_equals_direct_runs(small: HeuristicPayoffTable) -> None:
    cp, pp = small.client_profiles, small.provider_profiles
    i = next(k for k, c in enumerate(cp.tolist()) if c == [0, 0, 2, 0])       # both clients verify, explore lo
    j = next(k for k, p in enumerate(pp.tolist()) if p == [1, 0, 0, 1])       # one honest, one fabricator
    runs = simulate_many(SMALL.config(2, 0, 1, 2), [0, 1]).runs
    outsourced = np.rint(runs.outsourcing_rate * runs.tasks)
    rogue = np.rint(runs.rogue_task_share * outsourced)
    mean = small.mean()
    assert mean[i, j, 2] == pytest.approx(-(runs.cost_policy / runs.tasks).mean())
    assert mean[i, j, 4] == pytest.approx(((outsourced - rogue) / 2).mean())                 # N + 1 - 1 honest
    assert mean[i, j, 7] == pytest.approx((rogue - runs.detections).mean())                   # one fabricator, 1 day
    assert np.isnan(mean[i, j, [0, 1, 3, 5, 6]]).all()                       # strategies nobody plays


def test_mixed_rogue_kinds_interpolate(small: HeuristicPayoffTable) -> None:
    cp, pp = small.client_profiles, small.provider_profiles
    mean = small.mean()
    j_mix = next(k for k, p in enumerate(pp.tolist()) if p == [0, 1, 0, 1])      # a spoofer and a fabricator
    j_spoof = next(k for k, p in enumerate(pp.tolist()) if p == [0, 2, 0, 0])
    j_fab = next(k for k, p in enumerate(pp.tolist()) if p == [0, 0, 0, 2])
    # each kind's payoff is its pure-kind run's at the same rogue count; clients get the mixture
    assert np.allclose(mean[:, j_mix, 5], mean[:, j_spoof, 5], equal_nan=True)
    assert np.allclose(mean[:, j_mix, 7], mean[:, j_fab, 7], equal_nan=True)
    assert np.allclose(mean[:, j_mix, :4], (mean[:, j_spoof, :4] + mean[:, j_fab, :4]) / 2, equal_nan=True)
    # a client's payoff does not depend on the other clients (its own setting's run)
    played = ~np.isnan(mean[:, j_mix, 0])
    assert np.allclose(mean[played, j_mix, 0], mean[played, j_mix, 0][0])
    assert len(cp) == 10 and small.to_frame().shape == (100, 8 + 16)


def test_cache_and_determinism(tmp_path, monkeypatch, small: HeuristicPayoffTable) -> None:
    first = payoff_table(SMALL, cache_dir=tmp_path)
    for key in first.metrics:
        assert np.array_equal(first.metrics[key], small.metrics[key], equal_nan=True)   # same seeds, same numbers
    assert len(list(tmp_path.glob(f"population-{SMALL.key()}.npz"))) == 1

    def refuse(*args, **kwargs):
        raise AssertionError("the cached table must not be simulated again")

    monkeypatch.setattr(population, "simulate_many", refuse)
    again = payoff_table(SMALL, cache_dir=tmp_path)
    assert np.array_equal(again.mean(), first.mean(), equal_nan=True)
    other = PopulationSettings(MarketConfig(days=1), agents=2, budget=0.4, seeds=2, max_seeds=2)
    assert other.key() != SMALL.key()
    with pytest.raises(AssertionError, match="must not be simulated"):
        payoff_table(other, cache_dir=tmp_path)


def _synthetic(rogue_paid: float, verify_cost: float, noise: float = 0.0) -> HeuristicPayoffTable:
    """A table with known answers: clients pay 1 per task plus ``verify_cost`` if they verify,
    0.1 more with high exploration; honest providers are paid 1 task a day, rogues ``rogue_paid``."""
    s = PopulationSettings(MarketConfig(days=1), agents=3, seeds=4, max_seeds=4)
    shape = (4, 4, 4, 3, 4)
    nv, nh = np.meshgrid(np.arange(4), np.arange(4), indexing="ij")
    cost = 1.0 + verify_cost * nv / 3 + 0.1 * nh / 3
    jitter = np.random.default_rng(0).normal(0, noise, shape)
    metrics = {"cost_per_task": np.broadcast_to(cost[:, :, None, None, None], shape) + jitter,
               "honest_paid": np.ones(shape) + jitter, "rogue_paid": np.full(shape, rogue_paid) + jitter}
    metrics["rogue_paid"][:, :, 0] = np.nan
    return HeuristicPayoffTable(s, metrics)


def test_equilibria_on_a_known_table() -> None:
    table = _synthetic(rogue_paid=0.0, verify_cost=0.5, noise=0.01)
    eq = role_equilibria(table, starts=8, n_boot=50, steps=400)
    assert len(eq) == 1
    row = eq.iloc[0]
    assert row["client:trust/explore-lo"] > 0.99 and row["provider:honest"] > 0.99
    assert row.regret < 1e-3 and row.regret_ci_low <= row.regret_ci_high
    assert list(eq.columns[:8]) == [f"client:{s}" for s in CLIENT_STRATEGIES] + \
        [f"provider:{s}" for s in PROVIDER_STRATEGIES]


def test_alpha_rank_mass_moves_to_insecure_states() -> None:
    secure = market_alpha_rank(_synthetic(rogue_paid=0.0, verify_cost=0.5), alpha=20.0)
    insecure = market_alpha_rank(_synthetic(rogue_paid=3.0, verify_cost=0.5), alpha=20.0)
    assert secure.mass.sum() == pytest.approx(1.0) and len(secure) == 16 and secure.insecure.sum() == 6
    assert secure[secure.insecure].mass.sum() < 0.05
    assert insecure[insecure.insecure].mass.sum() > 0.9


def test_bad_settings() -> None:
    with pytest.raises(ValueError, match="agents must be >= 2"):
        PopulationSettings(agents=1)
    with pytest.raises(ValueError, match="budget must be in"):
        PopulationSettings(budget=1.5)
    with pytest.raises(ValueError, match="epsilons must hold two"):
        PopulationSettings(epsilons=(0.1, 0.2, 0.3))
    with pytest.raises(ValueError, match="max_seeds must be >= 4"):
        PopulationSettings(seeds=4, max_seeds=2)
    with pytest.raises(TypeError, match="base must be a MarketConfig"):
        PopulationSettings(base={"days": 1})
    with pytest.raises(TypeError, match="settings must be a PopulationSettings"):
        payoff_table({"agents": 2})


# ------------------------------------------------------------------ F8's pieces on tables with known answers
def test_f8_g4_threshold_by_hand() -> None:
    from coalesce_games.findings.f8_population import _g4_threshold

    table = _synthetic(rogue_paid=3.0, verify_cost=0.5)      # honest 1 task a day, a fabricator 3: g = 2
    row = _g4_threshold(table).iloc[0]
    assert (row.margin_tasks_per_day, row.gain_tasks_per_day) == (1.0, 2.0)
    assert row.v_star == pytest.approx(2.0 * 0.1 / (0.9 * 0.9 * 1.0))           # g (1 - delta) / (delta d pi)
    assert row.v_star_withheld == pytest.approx(2.0 * 0.1 / (0.9 * (1.0 + 2.0 * 0.1)))


def test_f8_claims_follow_the_rule() -> None:
    import pandas as pd

    from coalesce_games.findings.f8_population import _claims

    mass = pd.DataFrame({"budget": [0.0, 0.1, 0.5, 1.0], "insecure": [0.9, 0.6, 0.2, 0.45],
                         "ci_low": [0.8, 0.55, 0.1, 0.3], "ci_high": [0.95, 0.7, 0.3, 0.6],
                         "rogue": [0.9, 0.8, 0.3, 0.7], "rogue_ci_low": [0.8, 0.4, 0.2, 0.6],
                         "rogue_ci_high": [1.0, 0.9, 0.4, 0.8]})
    below, above, rogue = _claims(mass, v_star=0.3, quick=False, seeds=4)
    assert below.verdict == "reproduced"                      # both budgets below v*: whole interval above 1/2
    assert above.verdict.startswith("partly reproduced (1 of 2")   # v = 1: the interval straddles 1/2
    assert "v=0.5: 20 % [10, 30]" in above.simulated
    # rogue mass: v=0 above 1/2 (reproduced), v=0.1 straddles, v=0.5 below (reproduced), v=1 above (not)
    assert rogue.verdict == "partly reproduced (2 of 4 assessed budgets; 1 inconclusive; 1 not reproduced)"


@pytest.mark.parametrize("change, error, message", [
    (lambda s, m: (None, m), TypeError, "settings must be a PopulationSettings; got NoneType"),
    (lambda s, m: (s, None), TypeError, r"metrics must be a dict of \['cost_per_task', 'honest_paid', 'rogue_paid'\]"),
    (lambda s, m: (s, {k: m[k] for k in ("cost_per_task", "honest_paid")}), TypeError, "metrics must be a dict of"),
    (lambda s, m: (s, {**m, "rogue_paid": m["rogue_paid"].tolist()}), TypeError,
     r"metrics\['rogue_paid'\] must be a float numpy array; got list"),
    (lambda s, m: (s, {**m, "honest_paid": m["honest_paid"].astype(int)}), TypeError, "must be a float numpy array"),
    (lambda s, m: (s, {**m, "honest_paid": m["honest_paid"][:3]}), ValueError,
     r"metrics\['honest_paid'\] must have shape \(4, 4, 4, 3, seeds\)"),
    (lambda s, m: (s, {**m, "honest_paid": m["honest_paid"][..., 0]}), ValueError, "must have shape"),
    (lambda s, m: (s, {**m, "honest_paid": m["honest_paid"][..., :2]}), ValueError, "the same seeds for every metric"),
])
def test_table_fields_are_checked(change, error, message) -> None:
    """Issue 15: HeuristicPayoffTable took any object and failed later, deep inside per_seed."""
    table = _synthetic(rogue_paid=0.5, verify_cost=0.5)
    with pytest.raises(error, match=message):
        HeuristicPayoffTable(*change(table.settings, table.metrics))


def test_table_keeps_the_arrays_it_is_given() -> None:
    """payoff_table fills the arrays round by round after building the table: they must not be copies."""
    table = _synthetic(rogue_paid=0.5, verify_cost=0.5)
    again = HeuristicPayoffTable(table.settings, table.metrics)
    assert all(again.metrics[k] is table.metrics[k] for k in table.metrics)
